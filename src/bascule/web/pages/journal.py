"""Journal: the school's audit trail, filtered by action and actor, searched, sorted and
paginated (direction and operators); the newest JOURNAL_WINDOW entries, `bascule audit` gives
them all."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bascule.domain import labels
from bascule.domain.policy import Permission
from bascule.domain.school import describe_moment
from bascule.operations import school as school_ops
from bascule.operations.school import AuditFilter, JournalEntry
from bascule.web.forms import parsed_fields
from bascule.web.listing import Column, Listed, paginate
from bascule.web.rendering import page
from bascule.web.requests import Staff, require

router = APIRouter(include_in_schema=False)
JOURNAL_WINDOW = 2000  # the newest entries read for the page (a rentrée journals thousands)


def _action_word(entry: JournalEntry) -> str:
    return labels.label(labels.JOURNAL_ACTIONS, entry.action)


COLUMNS: tuple[Column[JournalEntry], ...] = (
    Column("quand", "Quand", lambda e: e.at),
    Column("par", "Par", lambda e: e.actor_label),
    Column("action", "Action", _action_word),
    Column("sur", "Sur", lambda e: e.subject_label or e.subject),
    Column("detail", "Détail"),
)


def _searched(entry: JournalEntry) -> str:
    return " ".join((describe_moment(entry.at), entry.actor_label, _action_word(entry),
                     entry.subject_label or entry.subject, entry.detail_label))


def _action(value: str) -> str:
    return labels.parse_choice(value, labels.JOURNAL_ACTIONS, "type d'action", "Action",
                               also=labels.JOURNAL_ACTION_SYNONYMS)


@router.get("/journal", response_class=HTMLResponse)
def journal(request: Request, who: Staff, listed: Listed, action: str = "",
            acteur: str = "") -> HTMLResponse:
    require(who, Permission.READ_AUDIT, "Le journal est réservé à la direction et aux opérateurs.")
    codes, errors = parsed_fields({"action": action}, {"action": _action})
    entries = [] if errors else school_ops.audit(who.settings, who.school, AuditFilter(
        action=codes.get("action"), actor=acteur.strip() or None, limit=JOURNAL_WINDOW))
    listing = paginate(entries, listed, COLUMNS, text=_searched, default_sort="-quand")
    return page(request, "journal.html.j2", who, status=400 if errors else 200,
                person=who.person, listing=listing, action=action, acteur=acteur,
                errors=errors, window=JOURNAL_WINDOW, windowed=len(entries) >= JOURNAL_WINDOW,
                actions=labels.JOURNAL_ACTIONS.values())
