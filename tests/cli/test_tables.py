"""The console's tables on a narrow terminal: a long word folds, it is never cut with « … »
(a cut login names another person), and a title is never wrapped within a narrow table."""

from __future__ import annotations

from rich.console import Console

from bascule.cli.tables import SchoolTable


def _printed(table: SchoolTable, width: int) -> str:
    console = Console(width=width, record=True, file=None, force_terminal=False)
    with console.capture() as captured:
        console.print(table)
    return captured.get()


def test_a_long_login_folds_instead_of_being_cut() -> None:
    table = SchoolTable(title="Comptes (1)")
    for header in ("Identifiant", "Nom", "Prénom", "Division"):
        table.add_column(header)
    table.add_row("jeanbaptistedelacroix", "JEAN-BAPTISTE DE LA CROIX", "Marie-Ève", "4EME5")
    shown = _printed(table, 40)
    body = shown.split("─\n", 1)[1].splitlines()  # under the headers' rule, borders gone
    first_cells = "".join(line.split()[0] for line in body if line[:1].strip())
    assert "…" not in shown and first_cells == "jeanbaptistedelacroix"


def _accounts(*rows: tuple[str, ...]) -> SchoolTable:
    table = SchoolTable(title="Comptes")
    for header in ("Identifiant", "EduConnect", "Profil", "État", "Nom", "Prénom", "Division"):
        table.add_column(header)
    for row in rows:
        table.add_row(*row)
    return table


def _words(shown: str) -> set[str]:
    return set(shown.split())


def test_seven_columns_in_80_wrap_whole_words_not_folded_ones() -> None:
    table = _accounts(*[("aandre2", "a.andre5", "élève", "actif", "ANDRÉ", "Agathe", "6A"),
                        ("", "a.andre6", "responsable", "supprimé", "ANDRÉ", "Ambre", "")] * 5,
                      ("jmartin", "j.martin", "enseignant", "désactivé", "MARTIN", "Jean-Marc",
                       "4EME5"))
    shown = _printed(table, 80)
    assert max(map(len, shown.splitlines())) <= 80
    assert {"Identifiant", "EduConnect", "responsable", "supprimé", "Division",
            "Jean-Marc", "désactivé"} <= _words(shown)


def test_a_rare_long_name_folds_before_the_words_of_every_row() -> None:
    rows = [("l" + str(n), f"l.{n}", "responsable", "actif", "ANDRÉ", "Ambre", "")
            for n in range(12)]
    rows.append(("x", "x.y", "élève", "actif", "DE-LA-TOUR-DU-PIN-CHAMBLY-DE-LA-CHARCE",
                 "Marie-Antoinette-Joséphine", "6A"))
    shown = _printed(_accounts(*rows), 80)
    assert shown.count("responsable") == 12 and "Division" in _words(shown)
    assert "DE-LA-TOUR-DU-PIN-CHAMBLY-DE-LA-CHARCE" not in shown  # this one folds


def test_a_title_is_a_line_of_its_own_above_a_narrow_table() -> None:
    table = SchoolTable(title="Comptes, par profil et par action (« changer » : de division)")
    table.add_column("Profil")
    table.add_row("élève")
    lines = _printed(table, 100).splitlines()
    assert lines[0].rstrip() == table.heading and len(lines[1].rstrip()) < 20


def test_an_identifier_column_is_neither_cut_nor_folded() -> None:
    table = SchoolTable(title="Sauvegardes")
    table.add_identifier_column("Identifiant", ["20260915-080500-0861000V"])
    table.add_column("Pourquoi")
    table.add_row("20260915-080500-0861000V", "avant l'application d'un plan de campagne")
    assert "20260915-080500-0861000V" in _printed(table, 40)
