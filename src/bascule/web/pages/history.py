"""Historique: the plans applied to the school, newest first, what each one changed field by
field, and the preparation of an apply's undo (its inverse plan, then approved and applied on
the Plan page like any other). The same operations as `bascule history` and `bascule undo`."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bascule.domain import labels
from bascule.domain.policy import Permission
from bascule.operations import history as history_ops
from bascule.operations import undo as undo_ops
from bascule.operations.history import FieldChanged
from bascule.web.listing import Column, Listed, paginate
from bascule.web.rendering import page
from bascule.web.requests import Posted, Staff, refusal, require

router = APIRouter(include_in_schema=False)
REFUSED = "L'historique des applications est réservé à la direction et aux opérateurs."


COLUMNS: tuple[Column[FieldChanged], ...] = (
    Column("personne", "Personne", lambda c: c.person_label or c.person or ""),
    Column("table", "Table", lambda c: labels.label(labels.STORE_TABLES, c.table)),
    Column("ligne", "Ligne", lambda c: c.row_text),
    Column("champ", "Champ", lambda c: labels.label(labels.STORE_COLUMNS, c.field)),
    Column("avant", "Avant"),
    Column("apres", "Après"),
)


def _searched(change: FieldChanged) -> str:
    return " ".join((change.person_label, change.person or "",
                     labels.label(labels.STORE_TABLES, change.table), change.row_text,
                     labels.label(labels.STORE_COLUMNS, change.field),
                     labels.stored_value_text(change.field, change.old),
                     labels.stored_value_text(change.field, change.new)))


@router.get("/historique", response_class=HTMLResponse)
def history_page(request: Request, who: Staff) -> HTMLResponse:
    require(who, Permission.READ_PLAN, REFUSED)
    applied = history_ops.history(who.settings, who.school)
    may_undo = who.may(Permission.UNDO_APPLY)
    return page(request, "historique.html.j2", who, person=who.person, applied=applied,
                may_undo=may_undo, now=who.now(),
                deadlines=({one.id: undo_ops.undo_deadline(who.settings, one) for one in applied}
                           if may_undo else {}))


@router.get("/historique/{numero}", response_class=HTMLResponse)
def changes_page(request: Request, who: Staff, numero: int, listed: Listed) -> HTMLResponse:
    require(who, Permission.READ_PLAN, REFUSED)
    with refusal(404):
        changes = history_ops.changes_of_apply(who.settings, who.school, numero)
    listing = paginate(changes, listed, COLUMNS, text=_searched, default_sort="personne")
    return page(request, "historique-application.html.j2", who, person=who.person,
                numero=numero, listing=listing)


@router.post("/historique/{numero}/annuler")
def prepare_undo(who: Posted, numero: int) -> Response:
    """The inverse plan computed and saved as the plan waiting (refused, said why, when the
    apply cannot be undone); nothing changes before it is approved and applied."""
    require(who, Permission.UNDO_APPLY, REFUSED)
    with refusal():
        undo_ops.plan_undo(who.settings, who.school, numero, now=who.now())
    return RedirectResponse("/plan", status_code=303)
