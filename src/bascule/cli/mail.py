"""`bascule mail test|outbox|notices`: try the SMTP settings, read the outbox, send the staff
deletion notices due. Thin: operations/mailing.py decides."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from bascule.cli.common import AtOption, CliState, UaiOption, moment, out, write_json
from bascule.cli.tables import SchoolTable
from bascule.domain import labels
from bascule.domain.school import describe_moment
from bascule.errors import UserError

if TYPE_CHECKING:
    from bascule.operations import mailing

mail_app = typer.Typer(no_args_is_help=True,
                       help="Les courriels de bascule : essai des réglages [mail], boîte "
                            "d'envoi, avis aux anciens personnels.")


@mail_app.command("test")
def test(
    ctx: typer.Context,
    to: Annotated[str | None, typer.Option(
        "--to", help="Adresse à qui envoyer l'essai (par défaut : les opérateurs).")] = None,
) -> None:
    """Envoie un message d'essai avec les réglages [mail] de bascule.toml, et dit en français
    ce qui a échoué : connexion, chiffrement (TLS), authentification, refus."""
    from bascule.operations import campaign, mailing

    state: CliState = ctx.obj
    sent = mailing.send_test_mail(state.settings(), to=to, now=campaign.utc_now())
    login = f", identifiant « {sent.user} »" if sent.user else ""
    out.print(f"Message d'essai envoyé à {', '.join(sent.to)} par {sent.server} "
              f"({sent.security}{login}). Vérifiez qu'il est bien arrivé (et pas dans les "
              "indésirables).", markup=False)


@mail_app.command("outbox")
def outbox(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, max=1_000_000,
                                       help="Nombre de courriels montrés.")] = 30,
    failed: Annotated[bool, typer.Option("--failed", help="Seulement les non remis.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Liste JSON.")] = False,
) -> None:
    """Les derniers courriels (les plus récents d'abord) et ce qu'ils sont devenus."""
    from bascule.operations import mailing

    state: CliState = ctx.obj
    entries = mailing.outbox(state.settings(), limit=limit, failed_only=failed)
    if as_json:
        write_json(json.dumps([{
            "id": entry.id, "created_at": entry.created_at.isoformat(), "kind": entry.kind,
            "uai": entry.uai, "to": list(entry.recipients), "subject": entry.subject,
            "status": entry.status, "attempts": entry.attempts,
            "sent_at": entry.sent_at.isoformat() if entry.sent_at else None,
            "failure": entry.failure,
            "reported_at": entry.reported_at.isoformat() if entry.reported_at else None,
        } for entry in entries], ensure_ascii=False, indent=2))
        return
    if not entries:
        out.print("Aucun courriel dans la boîte d'envoi.")
        return
    table = SchoolTable("Date", "Type", "Établissement", "Destinataires", "Objet", "État", "Raison")
    for entry in entries:
        table.add_row(describe_moment(entry.created_at, clock=True),
                      labels.label(labels.MAIL_KINDS, entry.kind), entry.uai or "",
                      ", ".join(entry.recipients), entry.subject,
                      labels.label(labels.MAIL_STATUSES, entry.status), entry.failure or "")
    out.print(table)


@mail_app.command("notices")
def notices(
    ctx: typer.Context,
    at: AtOption = None,
    uai: UaiOption = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Montre les avis qui partiraient, sans rien envoyer.")] = False,
) -> None:
    """Envoie les avis de suppression de compte dus aux anciens personnels (une fois par
    personne et par date), à partir de notice_days jours avant la suppression de septembre.
    bascule run le fait chaque nuit."""
    from bascule.operations import campaign, mailing

    state: CliState = ctx.obj
    settings = state.settings()
    uais = (campaign.school_uai(settings, uai),) if uai else ()
    now = moment(at)
    outcome = mailing.send_staff_notices(settings, now=now, uais=uais, dry_run=dry_run)
    if not outcome.configured:
        raise UserError("Aucun serveur de messagerie n'est réglé : aucun avis envoyé.",
                        hint="Ajoutez une section [mail] à bascule.toml (voir « Courriels » "
                             "dans le README).")
    for line in outcome.would_send:
        out.print(f"Partirait : {line}", markup=False)
    out.print(_notices_summary(outcome), markup=False)
    for line in outcome.failures:
        out.print(f"Non remis : {line}", markup=False)
    if not (outcome.sent or outcome.failed or outcome.already_sent or outcome.would_send):
        _windows(mailing.notice_windows(settings, now=now, uais=uais))
    if outcome.failed:
        raise typer.Exit(1)


def _windows(windows: list[mailing.NoticeWindow]) -> None:
    for window in windows:
        out.print(f"{window.uai} : les avis partent du {describe_moment(window.opens)} "
                  f"jusqu'à la suppression, le {describe_moment(window.deletion)}.",
                  markup=False)


def _notices_summary(outcome: mailing.MailOutcome) -> str:
    if outcome.would_send:
        return f"Simulation : {len(outcome.would_send)} avis partiraient ; rien n'a été envoyé."
    parts = [labels.count_of(outcome.sent, "avis envoyé", "avis envoyés")]
    if outcome.already_sent:
        parts.append(labels.count_of(outcome.already_sent, "déjà envoyé", "déjà envoyés"))
    if outcome.failed:
        parts.append(labels.count_of(outcome.failed, "non remis", "non remis"))
    return "Avis de suppression de compte : " + ", ".join(parts) + "."
