"""The console's accounts export shows a name built as a formula as text."""

from __future__ import annotations

import csv
import io

from bascule.reports.tables import FORMULA_STARTS
from tests.conftest import Cli, Files, apply_campaign, edit
from tests.web.test_console import _client, _passwords, _sign_in


def test_the_consoles_accounts_export_neutralises_formulas(home_cli: Cli, files: Files) -> None:
    edit(files("ElevesSansAdresses.xml")[0], "<NOM_DE_FAMILLE>MARTIN</NOM_DE_FAMILLE>",
         "<NOM_DE_FAMILLE>=HYPERLINK(\"http://x.example\")</NOM_DE_FAMILLE>")
    apply_campaign(home_cli, files)
    client = _client(home_cli.home)
    _sign_in(client, "idasilva", _passwords(home_cli)["idasilva"])
    export = client.get("/comptes", params={"format": "csv"})
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert "'=HYPERLINK(\"http://x.example\")" in cells
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
