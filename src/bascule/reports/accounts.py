"""The accounts as a CSV for the referents (";" separated, as French spreadsheets expect)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from bascule.directory.accounts import AccountRow

COLUMNS = ("login", "educonnect", "profile", "status", "last_name", "first_name",
           "birth_date", "division", "groups", "ine")


def accounts_csv(rows: Sequence[AccountRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.login or "", row.educonnect or "", row.profile, row.status,
                         row.last_name, row.first_name,
                         row.birth_date.isoformat() if row.birth_date else "",
                         row.division or "", ",".join(row.groups), row.ine or ""])
    return out.getvalue()
