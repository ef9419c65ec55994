"""bascule review: the people held until someone says who they are (correlation cases)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from bascule.cli.common import (
    AtOption,
    UaiOption,
    actor_name,
    by_option,
    moment,
    out,
    school_settings,
)
from bascule.cli.common import write_json as print_json

if TYPE_CHECKING:
    from bascule.operations.reviews import StoredCase

review_app = typer.Typer(help="Revue des identités : personnes laissées en attente d'une "
                              "décision (même personne, personne différente, pas encore).",
                         no_args_is_help=True)
CaseArgument = Annotated[str, typer.Argument(
    metavar="CAS", help="Le numéro du cas (bascule review list les donne).")]
JsonOption = Annotated[bool, typer.Option("--json", help="En JSON.")]
ByOption = Annotated[str | None, by_option(
    "L'identifiant de qui décide (direction) ; sans lui : l'opérateur.")]
_STATUS = {"open": "en attente", "resolved": "décidé", "closed": "plus en doute"}


@review_app.command("list")
def review_list(ctx: typer.Context, uai: UaiOption = None, as_json: JsonOption = False,
                all_cases: Annotated[bool, typer.Option(
                    "--tous", help="Aussi les cas qui ne sont plus en doute.")] = False) -> None:
    """Les cas de revue : qui est en attente, pourquoi, et ce qui a été décidé."""
    from bascule.operations import reviews as review_ops

    settings, school = school_settings(ctx, uai)
    cases = review_ops.list_reviews(settings, school, closed=all_cases)
    if as_json:
        print_json(json.dumps([_case_json(c) for c in cases], ensure_ascii=False, indent=2))
        return
    if not cases:
        out.print(f"Aucun cas de revue pour {school} : personne n'est en attente.")
        return
    for case in cases:
        decided = f" · {case.choice.label} ({case.decided_by})" if case.choice else ""
        out.print(f"{case.number} · {case.label} ({case.person}) · {_STATUS[case.status]} · "
                  f"{case.review.reason}{decided}", soft_wrap=True)
    out.print("Détail d'un cas : bascule review show CAS ; décision : bascule review resolve "
              "CAS meme|different|pas-encore")


@review_app.command("show")
def review_show(ctx: typer.Context, case: CaseArgument, uai: UaiOption = None,
                as_json: JsonOption = False) -> None:
    """Un cas : les comptes possibles, les indices attribut par attribut, ce que fait chaque
    décision."""
    from bascule.operations import reviews as review_ops

    settings, school = school_settings(ctx, uai)
    stored = review_ops.show_review(settings, school, case)
    if as_json:
        print_json(json.dumps(_case_json(stored), ensure_ascii=False, indent=2))
        return
    _show(stored)


@review_app.command("resolve")
def review_resolve(
    ctx: typer.Context, case: CaseArgument,
    decision: Annotated[str, typer.Argument(
        metavar="DÉCISION", help="meme (même personne), different (personne différente) ou "
                                 "pas-encore.")],
    account: Annotated[str | None, typer.Option(
        "--compte", help="Le compte choisi (identifiant ou clé), quand il y en a plusieurs.")
    ] = None,
    by: ByOption = None, uai: UaiOption = None, at: AtOption = None,
) -> None:
    """Tranche un cas ; le prochain plan en tient compte (décision journalisée, réversible)."""
    from bascule.operations import reviews as review_ops

    choice = review_ops.choice_named(decision)
    settings, school = school_settings(ctx, uai)
    stored, keys = review_ops.resolve_review(settings, school, case, choice, candidate=account,
                                             by=by, actor=actor_name(), now=moment(at))
    out.print(f"Cas {stored.number} ({stored.label}) : {choice.label} ({', '.join(keys)}). "
              "Recalculez le plan pour l'appliquer : bascule plan", soft_wrap=True)


@review_app.command("reverse")
def review_reverse(ctx: typer.Context, case: CaseArgument, by: ByOption = None,
                   uai: UaiOption = None, at: AtOption = None) -> None:
    """Annule une décision : un compte repris revient exactement comme il était, et la personne
    est de nouveau en attente."""
    from bascule.operations import reviews as review_ops

    settings, school = school_settings(ctx, uai)
    stored = review_ops.reverse_review(settings, school, case, by=by, actor=actor_name(),
                                       now=moment(at))
    out.print(f"Décision annulée pour le cas {stored.number} ({stored.label}) : il est de "
              "nouveau en attente. Recalculez le plan : bascule plan (bascule lifecycle pour les "
              "suppressions de septembre)", soft_wrap=True)


def _show(case: StoredCase) -> None:
    from bascule.operations.reviews import what_each_choice_does

    review = case.review
    out.print(f"[bold]Cas {case.number}[/] · {case.label} ({case.person})"
              + (f" · {review.division}" if review.division else "")
              + f" · {_STATUS[case.status]}", soft_wrap=True)
    out.print(f"Pourquoi : {review.reason}", soft_wrap=True)
    for candidate in review.candidates:
        where = f", {candidate.school}" if candidate.school else ""
        out.print(f"\nCompte possible : {candidate.label} ({candidate.login or candidate.key}"
                  f"{where}) · {candidate.decision.label} · règle « {candidate.rule} »",
                  soft_wrap=True)
        for item in candidate.evidence:
            out.print(f"  {item.attribute.label} : {item.newcomer or '—'} / {item.known or '—'}"
                      f" · {item.agreement.label}", soft_wrap=True)
    out.print("\nCe que fait chaque décision :")
    for choice, consequence in what_each_choice_does(review).items():
        out.print(f"  {choice.label} : {consequence}", soft_wrap=True)
    if case.choice:
        out.print(f"\nDécidé : {case.choice.label}, par {case.decided_by}, le "
                  f"{case.decided_at:%d/%m/%Y %H:%M} (annulable : bascule review reverse "
                  f"{case.number})", soft_wrap=True)


def _case_json(case: StoredCase) -> dict[str, object]:
    from bascule.operations.reviews import what_each_choice_does

    review = case.review
    return {
        "number": case.number, "person": case.person, "label": case.label,
        "status": case.status, "reason": review.reason, "division": review.division,
        "decision": case.choice.value if case.choice else None,
        "decided_accounts": list(case.candidates), "decided_by": case.decided_by,
        "decided_at": case.decided_at.isoformat() if case.decided_at else None,
        "candidates": [{
            "key": c.key, "label": c.label, "login": c.login, "school": c.school,
            "decision": c.decision.value, "rule": c.rule, "taken_by": c.taken_by,
            "evidence": [{"attribute": e.attribute.value, "agreement": e.agreement.value,
                          "newcomer": e.newcomer, "known": e.known} for e in c.evidence],
        } for c in review.candidates],
        "choices": {choice.value: text for choice, text in what_each_choice_does(review).items()},
    }
