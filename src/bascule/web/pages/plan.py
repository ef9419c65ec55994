"""Plan: the plan waiting for approval (counts, per division, its field-level differences
grouped by division, searchable, page by page, and the people held), its approval (some people
left out, with a reason), and applying it in the background with its progress."""

from collections import Counter
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bascule.domain.policy import Permission
from bascule.errors import NotAllowed, UserError
from bascule.operations import holds as hold_ops
from bascule.operations import school as school_ops
from bascule.operations.campaign import REVIEW_HINT, Held, Plan
from bascule.operations.night.holds import current_hold
from bascule.operations.plan_review import PlanPurpose, difference_cells, difference_rows, plan_csv
from bascule.operations.recompute import recompute_waiting_plan
from bascule.web.forms import FormError
from bascule.web.listing import Column, Listed, ListQuery, paginate
from bascule.web.rendering import csv_download, page
from bascule.web.requests import Posted, Refused, SignedIn, Staff, refusal, require

router = APIRouter(include_in_schema=False)
Hash = Annotated[str, Form()]


@router.get("/plan", response_class=HTMLResponse)
def plan_page(request: Request, who: Staff, listed: Listed) -> HTMLResponse:
    return _plan_page(request, who, listed)


@dataclass(frozen=True, slots=True)
class _Typed:
    """A refused approval's form as it was sent: shown again, its refusal beside its field."""

    error: FormError
    ticked: frozenset[str]  # the people ticked « Exclure », by key
    reason: str


def _plan_page(request: Request, who: SignedIn, listed: ListQuery,
               typed: _Typed | None = None) -> HTMLResponse:
    waiting = school_ops.pending(who.settings, who.school)
    actions = waiting.plan.actions if waiting else ()
    people = [a for a in actions if a.person_kind is not None]
    may = who.may(Permission.APPROVE_PLAN)
    # An undo is approved whole (operations/holds.py refuses exclusions on it): no checkboxes.
    excluding = (may and waiting is not None and waiting.approval.approved_by is None
                 and waiting.plan.purpose is not PlanPurpose.UNDO)
    rows = paginate(_difference_rows(waiting.plan) if waiting else [], listed,
                    (*((EXCLUDE,) if excluding else ()), *COLUMNS),
                    text=lambda row: " ".join(row.cells), default_sort="division")
    shown = {row.key for row in rows.rows}
    ticked = typed.ticked if typed else frozenset()
    return page(request, "plan.html.j2", who, status=400 if typed else 200,
                person=who.person, waiting=waiting, ticked=ticked,
                ticked_elsewhere=[(a.person, a.label) for a in people
                                  if a.person in ticked - shown],
                error=typed.error if typed else None, reason=typed.reason if typed else "",
                held=current_hold(who.settings, who.school) if waiting else None,
                counts=sorted(Counter((a.kind.value, a.profile) for a in actions).items()),
                divisions=sorted(Counter((a.division or "—", a.kind.value)
                                         for a in people).items()),
                listing=rows, by_division=_by_division(rows.rows), excluding=excluding,
                may=may, may_apply=who.may(Permission.APPLY_APPROVED_PLAN),
                stale=waiting is not None and school_ops.is_stale(who.settings, waiting.plan),
                may_recompute=who.may(Permission.RECOMPUTE_PLAN),
                purpose=_purpose_text(waiting.plan) if waiting else "",
                may_hold=who.may(Permission.HOLD_PERSON), held_hint=held_hint,
                run=who.console.runs[who.school].progress)


def held_hint(held: Held) -> str:
    """What to do about a held person, in the console's words (the plan's hint, written for
    both, names the command line's `hold remove` and `review list`)."""
    if held.until is not None:  # a hold put by hand, or an exclusion at an approval
        return "Pour la lever avant : page Retenues."
    if held.hint == REVIEW_HINT:  # a review case (plan/matching.py)
        return "Décidez qui c'est : page Revue des identités."
    return held.hint  # what to correct in Siècle or STS-Web (an export's record, an INE)


def _purpose_text(plan: Plan) -> str:
    """What the waiting plan is, when it is not the campaign's: an undo or the deletions."""
    if plan.purpose is PlanPurpose.UNDO:
        return (f"Ce plan annule l'application n° {plan.undoes} : il remet chaque champ comme "
                "il était avant elle. Il s'approuve en entier, sans exclusion.")
    if plan.purpose is PlanPurpose.LIFECYCLE:
        return "Ce plan supprime les comptes que le calendrier permet de supprimer."
    return ""


@router.get("/plan/export")
def export(who: Staff) -> Response:
    """The waiting plan's differences as a CSV file, one line per changed field (the CLI's
    `plan --csv`): what the Plan page shows, for a spreadsheet."""
    waiting = school_ops.pending(who.settings, who.school)
    if waiting is None:
        raise Refused(404, "Aucun plan en attente : il n'y a rien à exporter.")
    return csv_download(plan_csv(waiting.plan, with_keys=False), f"plan-{who.school}.csv")


@dataclass(frozen=True, slots=True)
class _Row:
    """One changed field of one person, as the Plan page shows it."""

    division: str
    key: str
    cells: list[str]  # action, profil, nom, identifiant, EduConnect, division, champ, avant…


# The differences' columns (plan_review.difference_cells); sorted by division by default,
# then by name (the rows come so, and the sort keeps their order among equals).
COLUMNS: tuple[Column[_Row], ...] = (
    Column("division", "Division", lambda row: row.division),
    Column("action", "Action", lambda row: row.cells[0]),
    Column("profil", "Profil", lambda row: row.cells[1]),
    Column("nom", "Nom", lambda row: row.cells[2]),
    Column("identifiant", "Identifiant"),
    Column("champ", "Champ", lambda row: row.cells[6]),
    Column("avant", "Avant"),
    Column("apres", "Après"),
)
EXCLUDE: Column[_Row] = Column("exclure", "Exclure")


def _difference_rows(plan: Plan) -> list[_Row]:
    rows = [_Row(division=row.action.division or "", key=row.action.person,
                 cells=difference_cells(row)) for row in difference_rows(plan)]
    return sorted(rows, key=lambda row: (row.division == "", row.division, row.cells[2]))


def _by_division(rows: list[_Row]) -> list[tuple[str, list[tuple[_Row, bool]]]]:
    """The page's rows in runs of one division (any order keeps them readable), each person's
    first row marked: it holds their checkbox."""
    runs: list[tuple[str, list[tuple[_Row, bool]]]] = []
    seen: set[str] = set()
    for row in rows:
        if not runs or runs[-1][0] != row.division:
            runs.append((row.division, []))
        runs[-1][1].append((row, row.key not in seen))
        seen.add(row.key)
    return runs


@router.post("/plan/approuver")
def approve_plan(request: Request, who: Posted, listed: Listed, empreinte: Hash,
                 exclure: Annotated[list[str] | None, Form()] = None,
                 motif: Annotated[str, Form()] = "") -> Response:
    """The plan read, approved; the people ticked are left out as holds with the reason
    (refused without one), and the plan computed again is what gets approved. A plan the
    night held is approved with its reason, as through the API and `bascule approve`. A
    refusal that is a mistake (no reason, the plan changed meanwhile) shows the Plan page
    again, the ticks and the reason kept; the policy's refusals are the refusal page."""
    try:
        hold_ops.approve_excluding(who.settings, who.school, empreinte, exclure or [],
                                   reason=motif, until=None, by=who.person.login,
                                   actor=who.person.login, now=who.now(),
                                   reason_required=current_hold(who.settings, who.school)
                                   is not None)
    except NotAllowed as exc:
        raise Refused(403, exc.console_message, exc.console_hint) from exc
    except UserError as exc:
        return _plan_page(request, who, listed,
                          _Typed(FormError.of(exc), frozenset(exclure or ()), motif))
    return RedirectResponse("/plan", status_code=303)


@router.post("/plan/recalcul")
def recompute_plan(who: Posted) -> Response:
    """The waiting plan, out of date, computed again for now: it waits for approval again."""
    require(who, Permission.RECOMPUTE_PLAN,
            "Seuls le principal, son adjoint et l'opérateur recalculent le plan.")
    with refusal():
        recompute_waiting_plan(who.settings, who.school, by=who.person.login, now=who.now())
    return RedirectResponse("/plan", status_code=303)


@router.post("/plan/appliquer")
def apply_plan(who: Posted, empreinte: Hash, confirmer_departs: Annotated[str, Form()] = "",
               motif: Annotated[str, Form()] = "") -> Response:
    with refusal():
        who.console.runs[who.school].start(empreinte, by=who.person.login,
                                           allow_mass_leave=confirmer_departs == "oui",
                                           mass_leave_reason=motif)
    return RedirectResponse("/plan/application", status_code=303)


@router.get("/plan/application", response_class=HTMLResponse)
def apply_progress(request: Request, who: Staff) -> HTMLResponse:
    return page(request, "application.html.j2", who, person=who.person,
                run=who.console.runs[who.school].progress)
