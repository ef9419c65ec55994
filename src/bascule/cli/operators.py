"""bascule operator: the département's operators (the IT team) who sign in to the console
(issue 21). A password is typed twice without echo, or read from stdin (--password-stdin) for
scripts; it is never printed, journaled or stored in clear."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from bascule.cli.common import AtOption, actor_name, moment, out, secret_typed_twice, write_json
from bascule.domain.school import describe_moment

operator_app = typer.Typer(no_args_is_help=True, help=(
    "Les opérateurs du département (l'équipe informatique) : leurs comptes pour la console "
    "(page Nuit, établissements du dossier)."))
LoginArgument = Annotated[str, typer.Argument(
    metavar="IDENTIFIANT", help="L'identifiant de l'opérateur (jdupont : minuscules, chiffres, "
                                ". - _).")]
StdinOption = Annotated[bool, typer.Option(
    "--password-stdin", help="Lit le mot de passe sur l'entrée standard (une ligne), pour les "
                             "scripts ; sinon il est demandé deux fois, sans écho.")]


def _password(from_stdin: bool) -> str:
    """The chosen password: stdin's first line, or typed twice at the terminal (no echo)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return secret_typed_twice("Mot de passe de l'opérateur", stdin_option="--password-stdin")


@operator_app.command("add")
def operator_add(
    ctx: typer.Context, login: LoginArgument,
    name: Annotated[str, typer.Option("--nom", metavar="TEXTE",
                                      help="Le prénom et le nom de la personne.")],
    from_stdin: StdinOption = False, at: AtOption = None,
) -> None:
    """Ajoute un opérateur (ou rétablit un opérateur retiré), avec le mot de passe qu'il
    choisit (règles des mots de passe choisis : bascule.toml [passwords])."""
    from bascule.operations import operators as operator_ops

    settings = ctx.obj.settings()
    operator_ops.check_login(login)  # a login written wrong, said before the password is typed
    added = operator_ops.add_operator(settings, login, name, _password(from_stdin),
                                      actor=actor_name(), now=moment(at))
    out.print(f"Opérateur {added.display_name} ({added.login}) ajouté : il se connecte à la "
              "console par « Connexion des opérateurs du département » (/connexion/operateur).",
              soft_wrap=True)


@operator_app.command("list")
def operator_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="En JSON.")] = False,
) -> None:
    """Les opérateurs, retirés compris (jamais leur mot de passe)."""
    from bascule.operations import operators as operator_ops

    rows = operator_ops.list_operators(ctx.obj.settings())
    if as_json:
        write_json(json.dumps([{
            "login": row.login, "display_name": row.display_name, "active": row.active,
            "created_at": row.created_at.isoformat(),
            "last_sign_in_at": row.last_sign_in_at.isoformat() if row.last_sign_in_at else None}
            for row in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        out.print("Aucun opérateur. Le premier : bascule operator add IDENTIFIANT --nom "
                  "\"Prénom Nom\"", soft_wrap=True)
        return
    for row in rows:
        last = describe_moment(row.last_sign_in_at) if row.last_sign_in_at else "jamais"
        out.print(f"{row.login} · {row.display_name} · {'actif' if row.active else 'retiré'} "
                  f"· créé le {describe_moment(row.created_at)} · dernière connexion : {last}",
                  soft_wrap=True, markup=False)


@operator_app.command("remove")
def operator_remove(ctx: typer.Context, login: LoginArgument, at: AtOption = None) -> None:
    """Retire un opérateur : il ne peut plus se connecter, ses sessions sont fermées."""
    from bascule.operations import operators as operator_ops

    ended = operator_ops.remove_operator(ctx.obj.settings(), login, actor=actor_name(),
                                         now=moment(at))
    out.print(f"Opérateur {login} retiré ; {ended} session(s) de la console fermée(s).")


@operator_app.command("password")
def operator_password(ctx: typer.Context, login: LoginArgument,
                      from_stdin: StdinOption = False, at: AtOption = None) -> None:
    """Change le mot de passe d'un opérateur ; ses sessions ouvertes sont fermées."""
    from bascule.operations import operators as operator_ops

    ended = operator_ops.change_operator_password(
        ctx.obj.settings(), login, _password(from_stdin), actor=actor_name(), now=moment(at))
    out.print(f"Mot de passe de l'opérateur {login} changé ; {ended} session(s) de la console "
              "fermée(s).", soft_wrap=True)
