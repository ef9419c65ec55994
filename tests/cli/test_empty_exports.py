"""An élèves file without a single élève (an export cut short, or made on an empty selection)
is refused at the import, by the CLI as by the night (newcomer 9, finding 8): taken, it had
every élève leave, and its responsables' links were blamed for it line by line."""

from __future__ import annotations

import re

from tests.conftest import Cli, Files

ELEVES = "ElevesSansAdresses.xml"


def _without_eleves(files: Files) -> None:
    path = files(ELEVES)[0]
    text = path.read_text(encoding="iso-8859-15")
    text = re.sub(r"<ELEVES>.*</ELEVES>", "<ELEVES>\n    </ELEVES>", text, flags=re.S)
    text = re.sub(r"<STRUCTURES>.*</STRUCTURES>", "<STRUCTURES>\n    </STRUCTURES>", text,
                  flags=re.S)
    path.write_text(text, encoding="iso-8859-15")


def test_an_eleves_file_without_eleves_is_refused(home_cli: Cli, files: Files) -> None:
    assert home_cli("import", *files()).exit_code == 0
    before = home_cli.store_rows()
    _without_eleves(files)
    for command in (("import", "--check"), ("import",)):
        result = home_cli(*command, *files())
        assert result.exit_code == 1, result.output
        said = " ".join(result.output.split())
        assert f"{ELEVES} · le fichier ne contient aucun élève (aucune ELEVE)" in said
        assert "refaites l'export des élèves dans Siècle-BEE" in said
        assert "pas du même export" not in said  # the links are not blamed for it
        assert "Traceback" not in result.output
    assert home_cli.store_rows() == before


def test_a_local_list_s_problems_name_its_own_columns(home_cli: Cli, files: Files) -> None:
    """A line of the local people's CSV with no first name, no function and an unreadable
    birth date: the problems name its columns (prenom, fonction, date_naissance), not STS-Web's
    fields (newcomer 9, finding 10)."""
    (csv_file,) = files("personnes_locales.csv")
    with csv_file.open("a", encoding="utf-8") as lines:
        lines.write("L003;DURAND;;;31/02/1985;\n")
    result = home_cli("import", "--check", *files())
    said = " ".join(result.output.split())
    assert "personnes_locales.csv:5 · personne locale L003 · prenom est vide" in said, said
    assert "L003 · fonction fonction absente" in said
    assert "L003 · date_naissance « 31/02/1985 » n'est pas une date" in said
    assert "PRENOM" not in said and "FONCTION" not in said
