"""Opening exports: zip sniffing, encodings, malformed files, and a parser that fetches nothing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from bascule.exports.read import read_export, read_header
from bascule.exports.records import ExportKind
from bascule.exports.source import UnreadableSource, as_utf8, open_source
from tests.conftest import FIXTURES, edit, line_of


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def _problem(path: Path) -> str:
    with pytest.raises(UnreadableSource) as raised:
        read_export(path)
    return str(raised.value.problem) + " → " + raised.value.problem.hint


def test_a_zip_is_recognised_by_its_bytes_not_its_name(tmp_path: Path) -> None:
    disguised = tmp_path / "eleves.xml"
    disguised.write_bytes((FIXTURES / "ExportXML_ElevesSansAdresses.zip").read_bytes())
    export = read_export(disguised)
    assert export.kind is ExportKind.ELEVES
    assert export.name == "eleves.xml/ElevesSansAdresses.xml"
    assert len(export.eleves) == 7


def test_a_bare_xml_named_zip_is_read_as_xml(tmp_path: Path) -> None:
    disguised = tmp_path / "ExportXML_ElevesSansAdresses.zip"
    disguised.write_bytes((FIXTURES / "ElevesSansAdresses.xml").read_bytes())
    assert read_export(disguised).kind is ExportKind.ELEVES


def test_a_zip_with_two_entries_is_refused_naming_them(tmp_path: Path) -> None:
    data = (FIXTURES / "ElevesSansAdresses.xml").read_bytes()
    path = _zip(tmp_path / "ExportXML_ElevesSansAdresses.zip", {"a.xml": data, "b.xml": data})
    message = _problem(path)
    assert "ExportXML_ElevesSansAdresses.zip" in message
    assert "exactement un fichier XML, elle en contient 2 (a.xml, b.xml)" in message


def test_an_empty_zip_is_refused(tmp_path: Path) -> None:
    path = _zip(tmp_path / "vide.zip", {})
    assert "elle en contient 0 (aucun fichier)" in _problem(path)


def test_a_corrupt_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "abime.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    assert "archive zip illisible" in _problem(path)


def test_latin9_bytes_are_decoded_by_the_declaration(tmp_path: Path) -> None:
    raw = (FIXTURES / "ElevesSansAdresses.xml").read_bytes()
    assert b"\xbc" in raw and b"\xe6" in raw  # Œ and æ as ISO-8859-15 single bytes
    eleves = {e.eleve_id: e for e in read_export(FIXTURES / "ElevesSansAdresses.xml").eleves}
    assert eleves["1000002"].nom_usage == "CŒUR-LÉGER"
    assert eleves["1000002"].prenom == "Lætitia"


def test_utf8_bytes_behind_a_latin9_declaration_are_flagged_with_their_line(
    college: Path,
) -> None:
    path = college / "ElevesSansAdresses.xml"
    resaved = path.read_bytes().decode("iso-8859-15").encode("utf-8")
    path.write_bytes(resaved)
    message = _problem(path)
    assert f"ElevesSansAdresses.xml:{line_of(path, 'Léa', 'utf-8')}" in message
    assert "déclare ISO-8859-15 mais ses octets sont en UTF-8" in message
    assert "sans l'ouvrir" in message


def test_a_truncated_file_reports_the_parser_line_and_column(college: Path) -> None:
    path = college / "ElevesSansAdresses.xml"
    data = path.read_bytes()
    path.write_bytes(data[: data.index(b"<ELEVE ELEVE_ID=\"1000004\"")])
    message = _problem(path)
    assert "XML mal formé ou tronqué (ligne" in message
    assert "colonne" in message
    assert "ElevesSansAdresses.xml:" in message
    assert "le fichier s'arrête avant la fin de la balise" in message  # libxml2's, in French
    assert "Premature" not in message


@pytest.mark.parametrize(("parser_says", "said"), [
    ("Premature end of data in tag LIBELLE_LONG line 82, line 82, column 30",
     "le fichier s'arrête avant la fin de la balise LIBELLE_LONG ouverte ligne 82"),
    ("Opening and ending tag mismatch: NOM line 3 and ELEVE, line 9, column 12",
     "la balise NOM est fermée par ELEVE"),
    ("Document is empty, line 1, column 1", "le fichier est vide"),
    ("Unknown oddity, line 2, column 3",
     "le fichier n'est pas du XML bien formé (détail technique de l'analyseur : Unknown oddity)"),
    ("Couldn't find end of Start Tag a line 1, line 1, column 3",
     "la balise a n'est pas fermée par « > »"),
    ("AttValue: \" or ' expected, line 1, column 6",
     "un attribut de balise est mal écrit (guillemets ou nom)"),
    ("Entity 'x' not defined, line 1, column 7", "l'entité « &x; » n'est pas définie"),
    ("Invalid bytes in character encoding, line 1, column 4",
     "des octets ne sont pas dans l'encodage que le fichier déclare (réenregistré par un "
     "tableur ou un éditeur ?)"),
    ("PCDATA invalid Char value 1, line 1, column 4",
     "un caractère interdit en XML (caractère de contrôle)"),
    ("Maximum entity amplification factor exceeded, see xmlCtxtSetMaxAmplification., line 1, "
     "column 4", "des entités s'y démultiplient (« bombe XML ») : le fichier est refusé sans "
     "être lu"),
])
def test_the_parsers_usual_reasons_are_said_in_french(parser_says: str, said: str) -> None:
    from bascule.exports.source import syntax_reason

    assert syntax_reason(parser_says) == said


def test_a_malformed_file_names_the_line(college: Path) -> None:
    path = college / "sts_emp_0860999U_2026.xml"
    edit(path, "<FONCTION>DIR</FONCTION>", "<FONCTION>DIR</FONKTION>")
    message = _problem(path)
    assert f"sts_emp_0860999U_2026.xml:{line_of(path, 'FONKTION')}" in message


def test_an_unknown_root_says_which_file_to_give(tmp_path: Path) -> None:
    path = tmp_path / "emp_sts.xml"
    path.write_bytes(b'<?xml version="1.0" encoding="ISO-8859-15"?>\n'
                     b"<EDT_STS><PARAMETRES/></EDT_STS>")
    message = _problem(path)
    assert "élément racine <EDT_STS>" in message
    assert "sts_emp_<UAI>_<année>.xml" in message


def test_a_file_that_is_neither_xml_nor_the_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("bonjour", encoding="utf-8")
    assert "ni XML, ni CSV des personnes locales" in _problem(path)


def test_a_missing_file_is_a_user_error(tmp_path: Path) -> None:
    from bascule.errors import UserError

    with pytest.raises(UserError, match="Fichier introuvable"):
        open_source(tmp_path / "absent.xml")


def test_internal_entities_are_not_expanded(tmp_path: Path) -> None:
    path = tmp_path / "bombe.xml"
    path.write_bytes(
        b'<?xml version="1.0" encoding="ISO-8859-15"?>\n'
        b'<!DOCTYPE BEE_ELEVES [<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        b"<BEE_ELEVES><DONNEES><ELEVES><ELEVE ELEVE_ID=\"1\"><NOM>&b;</NOM></ELEVE></ELEVES>"
        b"</DONNEES></BEE_ELEVES>"
    )
    (eleve,) = read_export(path).eleves
    assert "AAAA" not in (eleve.nom or "")


def test_external_entities_are_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("CONFIDENTIEL", encoding="utf-8")
    path = tmp_path / "xxe.xml"
    path.write_bytes(
        b'<?xml version="1.0" encoding="ISO-8859-15"?>\n'
        b'<!DOCTYPE BEE_ELEVES [<!ENTITY x SYSTEM "file://' + str(secret).encode() + b'">]>\n'
        b"<BEE_ELEVES><DONNEES><ELEVES><ELEVE ELEVE_ID=\"1\"><NOM>&x;</NOM></ELEVE></ELEVES>"
        b"</DONNEES></BEE_ELEVES>"
    )
    (eleve,) = read_export(path).eleves
    assert "CONFIDENTIEL" not in (eleve.nom or "")


# Every character of Latin-9 but those XML forbids, and markup's own.
_LATIN9_TEXT = st.text(st.sampled_from(sorted(
    {bytes([byte]).decode("iso8859_15") for byte in range(256)}
    - {chr(code) for code in range(32)} - set("<&") | set("\t\n\r"))), max_size=40)


def _parsed(data: bytes) -> list[tuple[str | None, int | None]] | tuple[int, int] | None:
    """Each element's text and line, or where the parser stopped."""
    try:
        return [(element.text, element.sourceline) for _event, element in etree.iterparse(
            io.BytesIO(data), events=("end",), resolve_entities=False, no_network=True)]
    except etree.XMLSyntaxError as exc:
        return exc.position


@given(texts=st.lists(_LATIN9_TEXT, min_size=1, max_size=5),
       encoding=st.sampled_from(["ISO-8859-15", "iso-8859-1"]), broken=st.booleans(),
       newline=st.sampled_from(["", "\n"]))
def test_a_latin_file_converted_to_utf8_parses_to_the_same_texts_lines_and_faults(
        texts: list[str], encoding: str, broken: bool, newline: str) -> None:
    codec = "iso8859_15" if encoding.upper() == "ISO-8859-15" else "latin_1"
    texts = [text.encode(codec, "replace").decode(codec) for text in texts]
    body = "".join(f"<N>{text}</N>\n" for text in texts)
    body = f"<N>{texts[0]}</M>{body}" if broken else body  # the fault on the first line
    data = f'<?xml version="1.0" encoding="{encoding}"?>{newline}<R>{body}</R>'.encode(codec)
    converted = as_utf8(data)
    assert converted != data
    assert _parsed(converted) == _parsed(data)


def test_other_encodings_are_parsed_as_given() -> None:
    for data in (b'<?xml version="1.0" encoding="UTF-8"?><R/>', b"<R/>",
                 b'\xef\xbb\xbf<?xml version="1.0" encoding="ISO-8859-15"?><R/>',
                 b'<?xml version="1.0" encoding="ISO-8859-150"?><R/>'):
        assert as_utf8(data) is data


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_file_saved_again_as_utf16_is_said_so(tmp_path: Path, encoding: str) -> None:
    """Notepad's « Unicode » (UTF-16, with its byte order mark or not): the advice is to export
    again, not to leave the file out as if it were no export (newcomer 10)."""
    text = (FIXTURES / "ElevesSansAdresses.xml").read_bytes().decode("iso-8859-15")
    saved = tmp_path / "ElevesSansAdresses.xml"
    saved.write_bytes(text.encode(encoding))
    for read in (read_export, read_header):
        with pytest.raises(UnreadableSource) as refused:
            read(saved)
        problem = refused.value.problem
        assert problem.code == "encodage-utf16" and "UTF-16" in problem.message
        assert problem.hint.startswith("Refaites l'export")
