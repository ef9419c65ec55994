"""`bascule school`: the schools of the folder (remove; `init` adds and renames)."""

from __future__ import annotations

from typing import Annotated

import typer

from bascule.cli.common import CliState, out
from bascule.errors import UserError

school_app = typer.Typer(no_args_is_help=True, help="Les établissements du dossier.")


@school_app.command("remove")
def remove(
    ctx: typer.Context,
    uai: Annotated[str, typer.Argument(metavar="UAI", help="L'établissement à retirer.")],
    purge: Annotated[bool, typer.Option(
        "--purge", help="Efface aussi ses comptes et tout ce que bascule en garde (après "
        "confirmation).")] = False,
    yes: Annotated[bool, typer.Option(
        "--yes", help="Confirme --purge sans le demander (scripts).")] = False,
) -> None:
    """Retire un établissement du dossier ; refusé tant qu'il a des comptes, sauf --purge."""
    from bascule.operations import campaign

    state: CliState = ctx.obj
    settings = state.settings()
    if purge and not yes:
        count = campaign.school_accounts(settings, uai)
        answer = typer.prompt(f"Effacer définitivement {uai}, ses {count} compte(s), son "
                              "journal et ses campagnes ? (oui/non)", default="non",
                              show_default=False)
        if answer.strip().lower() not in ("o", "oui"):  # Click's confirm answers in English
            raise UserError("Rien n'a été retiré.")
    removed = campaign.remove_school(settings, uai, purge=purge)
    out.print(f"{uai} retiré du dossier ({removed} compte(s) effacé(s)). Ses fichiers "
              "(mots de passe, espaces, rapports) restent sur le disque.", soft_wrap=True)
