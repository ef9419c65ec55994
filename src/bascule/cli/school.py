"""School life commands: calendar and lifecycle, policy, passwords, delegations, ENT access,
audit. Thin, like every command: the operations and the policy decide."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from bascule.cli.common import (
    AtOption,
    ByOption,
    CliState,
    UaiOption,
    actor_name,
    apply_command,
    confirmed,
    moment,
    out,
    progress,
    say_written,
    school_settings,
    secret_prompt,
    secret_typed_twice,
    uai_option,
    write_json,
)
from bascule.domain import labels
from bascule.domain.access import CLOSED_PROFILES, UNKNOWN_LOGIN
from bascule.domain.calendar import allowed_at, phase_text, rentree_year_of
from bascule.domain.notices import AUDIENCES, notices_ahead
from bascule.domain.policy import DELEGATION_GIVES, matrix
from bascule.domain.school import describe_moment
from bascule.errors import UserError
from bascule.operations.calendars import (
    calendar_files,
    calendars_at,
    load_calendar,
    shipped_calendar,
)


def calendar(
    ctx: typer.Context,
    at: AtOption = None,
    year: Annotated[int | None, typer.Option(
        min=2000, max=2100,
        help="L'année de la rentrée (2026 pour la bascule vers 2026-2027).")] = None,
    uai: Annotated[str | None, uai_option(
        "Avec les dates propres à cet établissement.")] = None,
) -> None:
    """Montre le calendrier de la bascule, l'étape du moment et ce qui est permis."""
    from bascule.cli import render_admin

    state: CliState = ctx.obj
    when = moment(at)
    rentree = year if year is not None else rentree_year_of(when)
    shown = load_calendar(state.home, rentree, uai)
    derived = not calendar_files(state.home, rentree, uai) and not shipped_calendar(rentree)
    render_admin.calendar_table(out, shown, when, derived)
    following = load_calendar(state.home, rentree + 1, uai)
    render_admin.allowed_table(out, shown, allowed_at(shown, when), when,
                               phase_text(shown, following, when))


def lifecycle(
    ctx: typer.Context,
    uai: UaiOption = None,
    at: AtOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Le plan en JSON.")] = False,
) -> None:
    """Prépare la suppression des comptes désactivés avant la date du calendrier (septembre) ;
    « apply » l'exécute."""
    from bascule.cli import render_admin, render_plan
    from bascule.operations import campaign

    settings, school = school_settings(ctx, uai)
    outcome = campaign.lifecycle_plan(settings, school,
                                      now=moment(at))
    if as_json:
        write_json(render_plan.plan_json(outcome.plan))
    else:
        render_admin.lifecycle_text(out, outcome, apply_command(settings, school, at))


policy_app = typer.Typer(help="Qui peut faire quoi (rôles, délégations, permissions).",
                         no_args_is_help=True)


@policy_app.command("matrix")
def policy_matrix(
    as_json: Annotated[bool, typer.Option("--json", help="La matrice en JSON.")] = False,
) -> None:
    """Affiche, pour chaque permission, les rôles qui l'ont et sur qui."""
    from bascule.cli import render_admin

    rows = matrix()
    if as_json:
        write_json(json.dumps([{"permission": p.name.lower(), "role": r.name.lower(),
                                 "scope": scope} for p, r, scope in rows],
                               ensure_ascii=False, indent=2))
    else:
        render_admin.policy_table(out, rows)


password_app = typer.Typer(help="Mots de passe (l'outil KoXo Password du mémo).",
                           no_args_is_help=True)


@password_app.command("reset")
def password_reset(
    ctx: typer.Context,
    login_name: Annotated[str, typer.Argument(metavar="IDENTIFIANT",
                                              help="Le compte à réinitialiser.")],
    by: ByOption,
    uai: UaiOption = None,
    at: AtOption = None,
) -> None:
    """Donne un nouveau mot de passe à un compte, si votre rôle le permet ; affiché une fois."""
    from bascule.operations import school as school_ops

    settings, school = school_settings(ctx, uai)
    subject, password = school_ops.reset_password(
        settings, school, login_name, by=by, now=moment(at))
    out.print(f"Nouveau mot de passe de {subject.label} ({subject.login}) : {password}")
    out.print("Il n'est affiché qu'une fois ; il devra être changé à la prochaine connexion.")


@password_app.command("change")
def password_change(
    ctx: typer.Context,
    login_name: Annotated[str, typer.Argument(metavar="IDENTIFIANT", help="Votre identifiant.")],
    uai: UaiOption = None,
    at: AtOption = None,
) -> None:
    """Changer son propre mot de passe, avec l'actuel (élèves et responsables compris)."""
    from bascule.operations import school as school_ops

    settings, school = school_settings(ctx, uai)
    current = secret_prompt("Mot de passe actuel")
    new = secret_typed_twice("Nouveau mot de passe", which="du nouveau mot de passe")
    person = school_ops.change_own_password(settings, school,
                                          login_name, current=current, new=new, now=moment(at))
    out.print(f"Mot de passe de {person.label} ({person.login}) changé.")


@password_app.command("end-sessions")
def password_end_sessions(
    ctx: typer.Context,
    login_name: Annotated[str, typer.Argument(metavar="IDENTIFIANT",
                                              help="Le compte dont les sessions se ferment.")],
    by: ByOption,
    uai: UaiOption = None,
    at: AtOption = None,
) -> None:
    """Ferme toutes les sessions ouvertes d'un compte dans la console (téléphone perdu,
    poste partagé resté connecté), si votre rôle le permet ; journalisé."""
    from bascule.operations import school as school_ops

    settings, school = school_settings(ctx, uai)
    subject, ended = school_ops.end_sessions(settings, school, login_name, by=by, now=moment(at))
    out.print(f"{ended} session(s) de {subject.label} ({subject.login}) fermée(s).")


StructureArgument = Annotated[str, typer.Argument(metavar="DIVISION_OU_GROUPE",
                                                  help="Le code, tel que Siècle l'écrit.")]


@password_app.command("reset-group")
def password_reset_group(ctx: typer.Context, code: StructureArgument, by: ByOption,
                         uai: UaiOption = None, at: AtOption = None) -> None:
    """Réinitialise les mots de passe de tous les élèves d'une division ou d'un groupe, et écrit
    un PDF de fiches à distribuer."""
    _reset_structure(ctx, code, by, uai, at, initial_only=False)


@password_app.command("reprint")
def password_reprint(ctx: typer.Context, code: StructureArgument, by: ByOption,
                     uai: UaiOption = None, at: AtOption = None) -> None:
    """Réimprime les fiches des élèves d'une division ou d'un groupe encore au mot de passe
    initial (avec un nouveau mot de passe : l'ancien n'est conservé nulle part)."""
    _reset_structure(ctx, code, by, uai, at, initial_only=True)


def _reset_structure(ctx: typer.Context, code: str, by: str, uai: str | None, at: str | None,
                     *, initial_only: bool) -> None:
    from bascule.operations import passwords as password_ops

    settings, school = school_settings(ctx, uai)
    now = moment(at)
    expected = None
    if sys.stdin.isatty():  # at a terminal, as in the console: the count confirmed first
        asked = password_ops.preview(settings, school, code, by=by, reprint=initial_only)
        if not confirmed(f"Réinitialiser le mot de passe de {asked.count} élève(s) de "
                         f"« {asked.code} » ?"):
            raise UserError("Rien n'a été réinitialisé.")
        expected = asked.count
    done = password_ops.reset_structure(settings, school, code, by=by, now=now,
                                        reprint=initial_only, expected=expected)
    slips = password_ops.write_slips(settings, school, done, now)
    out.print(f"{done.count} mot(s) de passe réinitialisé(s) pour « {done.code} ». Fiches à "
              f"distribuer (lisibles par vous seul) : {slips}", soft_wrap=True)


delegation_app = typer.Typer(help="Délégations (Pilotage > Autorisations).",
                             no_args_is_help=True)
NameArgument = Annotated[str, typer.Argument(metavar="DÉLÉGATION",
                                             help="Par exemple « Affecter des ressources GAR ».")]
LoginArgument = Annotated[str, typer.Argument(metavar="IDENTIFIANT", help="Le personnel.")]


@delegation_app.command("grant")
def delegation_grant(ctx: typer.Context, login_name: LoginArgument, name: NameArgument,
                     by: ByOption, uai: UaiOption = None, at: AtOption = None) -> None:
    """Accorde une délégation à un personnel (principal et adjoint seulement)."""
    _change_delegation(ctx, login_name, name, by, uai, at, granted=True)


@delegation_app.command("revoke")
def delegation_revoke(ctx: typer.Context, login_name: LoginArgument, name: NameArgument,
                      by: ByOption, uai: UaiOption = None, at: AtOption = None) -> None:
    """Retire une délégation (principal et adjoint seulement)."""
    _change_delegation(ctx, login_name, name, by, uai, at, granted=False)


@delegation_app.command("list")
def delegation_list(ctx: typer.Context, uai: UaiOption = None) -> None:
    """Les délégations en cours, et celles à renouveler (leur titulaire est parti)."""
    from bascule.cli import render_admin
    from bascule.operations import school as school_ops

    settings, school = school_settings(ctx, uai)
    render_admin.delegations_table(out, school_ops.delegations(settings,
                                                              school))


def _change_delegation(ctx: typer.Context, login_name: str, name: str, by: str,
                       uai: str | None, at: str | None, *, granted: bool) -> None:
    from bascule.operations import school as school_ops

    settings, school = school_settings(ctx, uai)
    subject, changed = school_ops.change_delegation(
        settings, school, login_name, name, by=by, now=moment(at),
        granted=granted)
    verb = "accordée à" if granted else "retirée à"
    canonical = school_ops.delegation_name(name)
    out.print(f"Délégation « {canonical} » ({DELEGATION_GIVES[canonical]}) {verb} "
              f"{subject.label} ({subject.login})"
              + ("." if changed else " : rien n'a changé, c'était déjà le cas."))


access_app = typer.Typer(help="Accès à l'ENT et fermeture rentrée.", no_args_is_help=True)
ProfileOption = Annotated[str, typer.Option(help="élève ou responsable.")]
_CLOSED = {code: labels.PROFILES[code] for code in CLOSED_PROFILES}


@access_app.command("reopen")
def access_reopen(ctx: typer.Context, profile: ProfileOption, by: ByOption,
                  uai: UaiOption = None, at: AtOption = None) -> None:
    """Rouvre l'ENT avant la fin de la fermeture rentrée, pour un profil (principal, adjoint)."""
    _set_closure(ctx, profile, by, uai, at, reopen=True)


@access_app.command("close")
def access_close(ctx: typer.Context, profile: ProfileOption, by: ByOption,
                 uai: UaiOption = None, at: AtOption = None) -> None:
    """Referme l'ENT jusqu'à la fin de la fermeture rentrée, pour un profil."""
    _set_closure(ctx, profile, by, uai, at, reopen=False)


def _set_closure(ctx: typer.Context, profile: str, by: str, uai: str | None, at: str | None,
                 *, reopen: bool) -> None:
    from bascule.operations import school as school_ops

    profile = labels.parse_choice(profile, _CLOSED, "profil", "--profile")
    settings, school = school_settings(ctx, uai)
    closure = school_ops.set_closure(settings, school, profile,
                                   reopen=reopen, by=by, now=moment(at))
    assert closure.end is not None  # the closure is a period
    done = "rouvert" if reopen else "refermé"
    out.print(f"ENT {done} pour les {labels.PROFILES_PLURAL[profile]}, jusqu'à la fin de la "
              f"fermeture rentrée ({describe_moment(closure.end)}).")


@access_app.command("check")
def access_check(
    ctx: typer.Context,
    login_name: Annotated[str, typer.Argument(metavar="IDENTIFIANT")],
    uai: UaiOption = None,
    at: AtOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="La réponse en JSON.")] = False,
) -> None:
    """Dit si ce compte peut entrer dans l'ENT maintenant, et pourquoi."""
    from bascule.operations import school as school_ops

    settings, school = school_settings(ctx, uai)
    decision = school_ops.check_access(settings, school, login_name,
                                     now=moment(at))
    if as_json:
        write_json(json.dumps({"login": login_name, "allowed": decision.allowed,
                                "reason": decision.reason}, ensure_ascii=False))
    else:
        out.print(f"{login_name} : {'autorisé' if decision.allowed else 'refusé'} "
                  f"({decision.reason}).")
        if decision.reason == UNKNOWN_LOGIN:  # a typo, most often: where to find the right one
            out.print("  → Vérifiez l'identifiant : bascule accounts le donne pour chaque "
                      "compte de l'établissement.")


def audit(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(
        "--since", help="Seulement depuis cette date et heure (JJ/MM/AAAA HH:MM, ou "
        "AAAA-MM-JJTHH:MM ; heure de Paris).")] = None,
    actor: Annotated[str | None, typer.Option(help="Seulement ce qu'a fait cet acteur.")] = None,
    target: Annotated[str | None, typer.Option(
        help="Seulement ce qui concerne cet identifiant ou cette personne.")] = None,
    action: Annotated[str | None, typer.Option(
        help="Seulement cette action : « compte créé », « réinitialisation du mot de passe », "
        "« délégation accordée »… (bascule audit la montre dans sa colonne Action).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1_000_000,
                                       help="Nombre de lignes au plus.")] = 200,
    uai: UaiOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Le journal en JSON.")] = False,
) -> None:
    """Liste le journal : imports, applications, délégations, réinitialisations… (le plus
    récent d'abord). Aucun mot de passe n'y figure jamais."""
    from bascule.cli import render_admin
    from bascule.operations import school as school_ops
    from bascule.operations.school import AuditFilter

    code = (labels.parse_choice(action, labels.JOURNAL_ACTIONS, "action", "--action",
                                feminine=True, also=labels.JOURNAL_ACTION_SYNONYMS)
            if action is not None else None)
    settings, school = school_settings(ctx, uai)
    wanted = AuditFilter(since=moment(since, "--since") if since else None, actor=actor,
                         target=target, action=code, limit=limit)
    entries = school_ops.audit(settings, school, wanted)
    if as_json:
        write_json(json.dumps([{"at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                                 "subject": e.subject, "detail": e.detail} for e in entries],
                               ensure_ascii=False, indent=2))
    else:
        render_admin.audit_table(out, entries)
        if len(entries) == limit:  # there may be more: say how to see them
            out.print(f"Les {limit} lignes les plus récentes seulement : --limit N pour en voir "
                      "davantage, --since, --target ou --action pour choisir.", markup=False)




def verify(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="En JSON, pour les outils.")] = False,
    html: Annotated[Path | None, typer.Option(
        "--html", help="Écrit le rapport complet (par division, par enseignant, imprimable).")
    ] = None,
    at: AtOption = None,
    uai: UaiOption = None,
) -> None:
    """Vérifie que chaque enseignant atteint ce qu'il enseigne, chaque élève sa classe et ses
    groupes, et qu'il ne reste rien de l'an passé ; dit la cause probable. Ne modifie rien."""
    from bascule.cli import render_admin
    from bascule.operations import campaign
    from bascule.operations import verification as verify_ops
    from bascule.operations.verification import Severity, counts, write_report

    settings, school = school_settings(ctx, uai)
    when = moment(at)
    with progress("Vérification", None):
        result = verify_ops.run_verification(settings, school, now=when)
    if html is not None:
        write_report(html, result.findings, school_name=campaign.school_name(settings, school),
                     uai=school, generated_at=when)
        say_written("Rapport de vérification", html)
    if as_json:
        write_json(json.dumps({"counts": counts(result.findings),
                               "findings": [f.as_json() for f in result.findings]},
                              ensure_ascii=False, indent=1))
    else:
        render_admin.verification(out, result.findings, result.verification_starts)
    if any(f.severity is Severity.ERROR for f in result.findings):
        raise typer.Exit(1)


def notices(
    ctx: typer.Context,
    at: AtOption = None,
    html: Annotated[Path | None, typer.Option(
        "--html", help="Écrit aussi les avis en une page imprimable.")] = None,
    uai: Annotated[str | None, uai_option(
        "Avec les dates propres à cet établissement.")] = None,
) -> None:
    """Les avis à transmettre, d'après le calendrier : enseignants, familles, référents."""
    from bascule.cli import render_admin

    state: CliState = ctx.obj
    when = moment(at)
    found = notices_ahead(*calendars_at(state.home, when, uai), when)
    for audience, lines in found.items():
        out.print(f"\n[bold]{AUDIENCES[audience]}[/]")
        for line in lines:
            out.print(f"  · {line}")
    if html is not None:
        render_admin.notices_page(html, found, when)


token_app = typer.Typer(no_args_is_help=True,
                        help="Les jetons de l'API de la console (/api/v1), pour les outils.")


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(
        metavar="NOM", help="Un nom pour le jeton (l'outil qui l'utilise).")],
    for_login: Annotated[str, typer.Option(
        "--pour", help="Le compte au nom duquel l'outil agit (ses droits s'appliquent).")],
    scopes: Annotated[list[str], typer.Option(
        "--portee", help="lecture, mots-de-passe, pilotage, plan (répétable).")],
    uai: UaiOption = None,
) -> None:
    """Crée un jeton ; il n'est affiché qu'une fois."""
    from bascule.operations import campaign
    from bascule.operations import school as school_ops

    scopes = [labels.parse_choice(scope, {code: code for code in labels.API_SCOPES}, "portée",
                                  "--portee", feminine=True) for scope in scopes]
    settings, school = school_settings(ctx, uai)
    token = school_ops.create_api_token(settings, school, name, for_login, scopes,
                                        actor=actor_name(), now=campaign.utc_now())
    out.print(f"Jeton « {name} » (à garder secret, il ne sera plus affiché) :")
    out.print(token, markup=False, highlight=False)


@token_app.command("list")
def token_list(ctx: typer.Context, uai: UaiOption = None) -> None:
    """Les jetons (jamais leur valeur)."""
    from bascule.operations import school as school_ops

    settings, school = school_settings(ctx, uai)
    for row in school_ops.api_tokens(settings, school):
        state = "retiré" if row.revoked else "actif"
        out.print(f"{row.name} · {row.login_key} · {', '.join(row.scopes)} · créé par "
                  f"{row.created_by} · {state}")


@token_app.command("revoke")
def token_revoke(ctx: typer.Context,
                 name: Annotated[str, typer.Argument(metavar="NOM", help="Le jeton.")],
                 uai: UaiOption = None) -> None:
    """Retire un jeton : il ne permet plus rien."""
    from bascule.operations import campaign
    from bascule.operations import school as school_ops

    settings, school = school_settings(ctx, uai)
    done = school_ops.revoke_api_token(settings, school, name, actor=actor_name(),
                                       now=campaign.utc_now())
    out.print(f"Jeton « {name} » retiré." if done else f"Aucun jeton actif « {name} ».")
