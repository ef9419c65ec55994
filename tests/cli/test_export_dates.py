"""The exports' dates (newcomer 8, fault 3): an export older than the school's newest campaign,
or dated in the future, is refused before anything is written."""

from __future__ import annotations

from tests.conftest import Cli, Files, edit

ELEVES = "ElevesSansAdresses.xml"


def _redate(files: Files, day: str) -> None:
    edit(files(ELEVES)[0], "<DATE_EXPORT>02/09/2026</DATE_EXPORT>",
         f"<DATE_EXPORT>{day}</DATE_EXPORT>")


def test_an_export_older_than_the_newest_campaign_is_refused(home_cli: Cli,
                                                              files: Files) -> None:
    _redate(files, "15/09/2026")
    assert home_cli("import", *files()).exit_code == 0
    before = home_cli.store_rows()
    edit(files(ELEVES)[0], "<DATE_EXPORT>15/09/2026</DATE_EXPORT>",
         "<DATE_EXPORT>01/09/2026</DATE_EXPORT>")
    result = home_cli("import", *files())
    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert (f"{ELEVES}:3 · paramètres de l'export · DATE_EXPORT export daté du 01/09/2026, plus "
            "ancien que la dernière campagne importée pour 0860999U (export du 15/09/2026)"
            ) in said
    assert ("Ce sont sans doute d'anciens fichiers : refaites les exports du jour dans "
            "Siècle-BEE et STS-Web, puis importez-les.") in said
    assert home_cli.store_rows() == before


def test_an_export_of_the_same_day_is_taken(home_cli: Cli, files: Files) -> None:
    assert home_cli("import", *files()).exit_code == 0
    edit(files(ELEVES)[0], "<NOM_DE_FAMILLE>", "<NOM_DE_FAMILLE>Z")
    assert home_cli("import", *files()).exit_code == 0


def test_an_export_dated_in_the_future_is_refused(home_cli: Cli, files: Files) -> None:
    _redate(files, "15/09/2031")
    result = home_cli("import", *files())
    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert (f"{ELEVES}:3 · paramètres de l'export · DATE_EXPORT export daté du 15/09/2031, plus "
            "tard qu'aujourd'hui (") in said
    assert ("La date est sans doute mal saisie, ou l'horloge de la machine qui a fait l'export "
            "est fausse : vérifiez-la, refaites l'export, puis importez-le.") in said
    assert "rien n'a été enregistré" in said
    assert home_cli.store_rows() == []


AT = "2026-11-30T10:00"


def _next_year(files: Files) -> None:
    for path in files():
        if path.suffix == ".xml":
            edit(path, "2026</ANNEE_SCOLAIRE>" if "sts" not in path.name else 'ANNEE="2026"',
                 "2027</ANNEE_SCOLAIRE>" if "sts" not in path.name else 'ANNEE="2027"')


def test_a_school_year_not_begun_is_said_by_the_plan_and_refused_by_the_apply(
        home_cli: Cli, files: Files) -> None:
    _next_year(files)
    assert home_cli("import", *files()).exit_code == 0
    planned = home_cli("plan", "--at", AT)
    assert planned.exit_code == 0
    said = " ".join(planned.stderr.split())
    assert ("Ce plan est celui de l'année scolaire 2027-2028, qui n'a pas encore commencé "
            "(le lundi 30/11/2026, l'année en cours est 2026-2027) : vérifiez l'année scolaire des "
            "exports importés. bascule apply refusera ce plan sans --allow-future-year.") in said
    before = home_cli.store_rows()
    refused = home_cli("apply", "--yes", "--at", AT)
    assert refused.exit_code == 1
    said = " ".join(refused.stderr.split())
    assert ("Ce plan est celui de l'année scolaire 2027-2028, qui n'a pas encore commencé "
            "(l'année en cours est 2026-2027). Rien n'a été appliqué.") in said
    assert ("Vérifiez l'année scolaire des exports importés (bascule status) : s'ils ne sont "
            "pas de l'année en cours, importez les bons, recalculez le plan et relisez-le ; si "
            "c'est bien voulu, confirmez avec bascule apply --yes --allow-future-year.") in said
    assert home_cli.store_rows() == before
    confirmed = home_cli("apply", "--yes", "--allow-future-year", "--at", AT)
    assert confirmed.exit_code == 0, confirmed.output
    assert "qui n'a pas encore commencé" in confirmed.stderr


def test_the_current_school_year_is_applied_without_confirmation(home_cli: Cli,
                                                                 files: Files) -> None:
    assert home_cli("import", *files()).exit_code == 0
    planned = home_cli("plan", "--at", AT)
    assert "pas encore commencé" not in planned.output
    assert home_cli("apply", "--yes", "--at", AT).exit_code == 0
