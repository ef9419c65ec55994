"""Reading a plan before approving it: its field-level differences as rows, and as a CSV for
a spreadsheet (the CLI's `plan --csv`)."""

from __future__ import annotations

from bascule.domain.labels import CSV_HEADERS, FIELDS, label, profile_label, value_label
from bascule.domain.logins import LoginKind
from bascule.plan.differences import DifferenceRow as DifferenceRow
from bascule.plan.differences import difference_rows as difference_rows
from bascule.plan.differences import shown_changes as shown_changes
from bascule.plan.model import FieldChange as FieldChange
from bascule.plan.model import Plan
from bascule.plan.model import PlanPurpose as PlanPurpose
from bascule.reports.tables import csv_for_people

DIFFERENCE_COLUMNS = tuple(CSV_HEADERS[name] for name in (
    "action", "profile", "last_name", "login", "educonnect", "division", "field", "old", "new",
    "person"))


def difference_cells(row: DifferenceRow) -> list[str]:
    """One row in French words: action, profil, nom, identifiants, division, champ, avant,
    après, clé (the same columns as DIFFERENCE_COLUMNS)."""
    action, change = row.action, row.change
    return [action.kind.label, profile_label(action.profile), action.label,
            action.login(LoginKind.NETWORK) or "", action.login(LoginKind.EDUCONNECT) or "",
            action.division or "",
            label(FIELDS, change.field) if change else "",
            value_label(change.field, change.old) if change else "",
            value_label(change.field, change.new) if change else "", action.person]


def plan_csv(plan: Plan, *, with_keys: bool = True) -> str:
    """Every account action, one line per field it changes, for a spreadsheet (";"-separated,
    cells neutralised: a name typed as a formula stays text). Without `with_keys`, the store's
    keys (« eleve:1000751 », for programs) are left out: the console's file is for people."""
    width = len(DIFFERENCE_COLUMNS) - (0 if with_keys else 1)
    return csv_for_people(DIFFERENCE_COLUMNS[:width],
                          (difference_cells(row)[:width] for row in difference_rows(plan)))
