"""The campaign rules, from the hand-written exports to a Snapshot (pure: no store, no CLI)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bascule.domain.people import GuardianLevel
from bascule.domain.school import SchoolYear
from bascule.errors import Problem
from bascule.exports.read import read_export
from bascule.snapshot.campaign import ImportContext, build_snapshot
from bascule.snapshot.model import InactiveReason, Snapshot, StaffKey
from bascule.snapshot.quality import assess_quality
from tests.conftest import UAI, Files, edit, line_of

CONTEXT = ImportContext(school_uais=frozenset({UAI}), newest_staged_year={},
                        today=date(2026, 9, 3))


def build(paths: list[Path], context: ImportContext = CONTEXT) -> tuple[Snapshot | None,
                                                                        list[Problem]]:
    return build_snapshot([read_export(path) for path in paths], context)


def accepted(paths: list[Path]) -> Snapshot:
    snapshot, problems = build(paths)
    assert snapshot is not None, [str(p) for p in problems if p.is_error]
    return snapshot


STRICT = ImportContext(school_uais=frozenset({UAI}), newest_staged_year={},
                       today=date(2026, 9, 3), hold_records=False)


def errors(paths: list[Path], context: ImportContext = CONTEXT) -> list[str]:
    snapshot, problems = build(paths, context)
    assert snapshot is None
    return [f"{p} → {p.hint}" for p in problems if p.is_error]


def held(paths: list[Path]) -> list[str]:
    """A fault confined to one record: the import goes on, the record held; and with
    `refuse_on_any_error` the same fault refuses the import, with the same message."""
    snapshot, problems = build(paths)
    assert snapshot is not None, [str(p) for p in problems if p.is_error]
    messages = [f"{p} → {p.hint}" for p in problems if p.is_held]
    assert len(snapshot.held) == len(messages)
    strict = errors(paths, STRICT)
    assert [m.split(" → ")[0] for m in strict] == [m.split(" → ")[0] for m in messages]
    return messages


def test_the_hand_written_college_is_accepted_whole(files: Files) -> None:
    snapshot = accepted(files())
    assert (snapshot.uai, snapshot.school_year, snapshot.export_date) == (
        UAI, SchoolYear(2026), date(2026, 9, 2))
    assert len(snapshot.eleves) == 7
    assert len(snapshot.responsables) == 4
    assert {str(member.key) for member in snapshot.staff} == {
        "epp:8949", "epp:8950", "epp:8951", "local:1234", "csv:L001", "csv:L002"}


def test_usage_name_wins_then_family_name_then_legacy_nom(files: Files) -> None:
    eleves = {e.eleve_id: e for e in accepted(files()).eleves}
    assert (eleves["1000002"].last_name, eleves["1000002"].birth_name) == ("CŒUR-LÉGER", "BŒUF")
    assert eleves["1000001"].last_name == "MARTIN"  # empty NOM_USAGE
    assert eleves["1000003"].last_name == "D'ALMEIDA"  # legacy NOM only


def test_inactive_eleves_are_kept_and_reported_not_dropped(files: Files) -> None:
    snapshot, problems = build(files())
    assert snapshot is not None
    reasons = {e.eleve_id: e.inactive_reason for e in snapshot.eleves}
    assert reasons["1000003"] is InactiveReason.LEFT  # DATE_SORTIE the day before the export
    assert reasons["1000004"] is InactiveReason.NO_DIVISION
    assert reasons["1000005"] is InactiveReason.INACTIFS
    assert reasons["1000006"] is None  # leaves in December: still active
    reported = {p.location.record for p in problems if p.code == "eleve-inactif"}
    assert reported == {"élève 1000003", "élève 1000004", "élève 1000005"}


def test_an_exit_date_equal_to_the_export_date_means_left(files: Files) -> None:
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_SORTIE>20/12/2026", "<DATE_SORTIE>02/09/2026")
    eleves = {e.eleve_id: e for e in accepted(files()).eleves}
    assert eleves["1000006"].inactive_reason is InactiveReason.LEFT


def test_structure_codes_are_kept_verbatim(files: Files) -> None:
    snapshot = accepted(files())
    lea = next(e for e in snapshot.eleves if e.eleve_id == "1000002")
    assert (lea.division, lea.groups) == ("5 B/1", ("5 Théâtre",))
    theatre = next(g for g in snapshot.groups if g.code == "5 Théâtre")
    assert theatre.parent_divisions == ("5 B/1",)


def test_legal_representatives_by_level_or_legacy_flag(files: Files) -> None:
    levels = {(g.eleve_id, g.personne_id): g.level for g in accepted(files()).guardianships}
    assert levels[("1000001", "2000001")] is GuardianLevel.LEGAL
    assert levels[("1000001", "2000003")] is GuardianLevel.CONTACT
    assert levels[("1000002", "2000004")] is GuardianLevel.LEGAL  # RESP_LEGAL=2, no level


def test_siblings_share_one_responsable(files: Files) -> None:
    snapshot = accepted(files())
    children = {g.eleve_id for g in snapshot.guardianships if g.personne_id == "2000001"}
    assert children == {"1000001", "1000007"}


def test_services_pp_and_local_substitute(files: Files) -> None:
    snapshot = accepted(files())
    taught = {(str(s.teacher), s.structure_code, s.subject_code) for s in snapshot.services}
    assert ("local:1234", "5 B/1", "020700") in taught
    assert [(str(pp.teacher), pp.division) for pp in snapshot.profs_principaux] == [
        ("epp:8949", "6A")]
    durand = next(m for m in snapshot.staff if m.key == StaffKey(source="epp", staff_id="8949"))
    assert (durand.first_name, durand.birth_name) == ("Claire", "LÉGER")


def test_invalid_email_is_dropped_not_kept(files: Files) -> None:
    emails = {r.personne_id: r.email for r in accepted(files()).responsables}
    assert emails == {"2000001": "paul.martin@example.fr", "2000002": None, "2000003": None,
                      "2000004": None}


def test_the_quality_findings_name_what_to_fix(files: Files) -> None:
    findings = {f.code: f.items for f in assess_quality(accepted(files()))}
    assert findings["ine-absent"] == ()  # 1000002 has only INE_BEA: an INE all the same
    assert len(findings["homonymes"]) == 1 and "MARTIN Léa" in findings["homonymes"][0]
    assert findings["division-sans-pp"] == ("5 B/1",)
    assert findings["groupe-sans-enseignant"] == ("5 Théâtre",)
    assert len(findings["sans-division"]) == 2
    assert any("ÉMERY" in item for item in findings["sans-representant-legal"])


def test_a_finding_names_an_eleve_whose_birth_date_is_missing(files: Files) -> None:
    """ÉMERY has no legal representative; without a birth date either (a fault of the record,
    reported apart), the finding still names her instead of failing the whole import."""
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_NAISS>11/11/2014</DATE_NAISS>",
         "<DATE_NAISS></DATE_NAISS>")
    snapshot, _problems = build(files())
    assert snapshot is not None
    findings = {f.code: f.items for f in assess_quality(snapshot)}
    (item,) = [item for item in findings["sans-representant-legal"] if "ÉMERY" in item]
    assert "date de naissance absente" in item and "ELEVE_ID 1000006" in item


def test_missing_ine_is_a_finding(files: Files) -> None:
    edit(files("ElevesSansAdresses.xml")[0], "<ID_NATIONAL>3333333333E</ID_NATIONAL>",
         "<ID_NATIONAL></ID_NATIONAL>")
    findings = {f.code: f.items for f in assess_quality(accepted(files()))}
    assert len(findings["ine-absent"]) == 1 and "ÉMERY" in findings["ine-absent"][0]


# Every rejection or held record: the message names the file, the line, the record, and says
# what to do.

def test_invalid_birth_date(files: Files) -> None:
    path = files("ElevesSansAdresses.xml")[0]
    edit(path, "<DATE_NAISS>02/11/2013", "<DATE_NAISS>31/02/2013")
    line = line_of(path, 'ELEVE_ID="1000002"')
    (message,) = held(files())
    assert message.startswith(f"ElevesSansAdresses.xml:{line} · élève 1000002 · DATE_NAISS "
                              "« 31/02/2013 » n'est pas une date")
    assert "Corrigez la fiche dans Siècle-BEE" in message


def test_invalid_sts_date(files: Files) -> None:
    edit(files(f"sts_emp_{UAI}_2026.xml")[0], "1975-12-01", "1975-13-01")
    (message,) = held(files())
    assert "personnel 8950 · DATE_NAISSANCE « 1975-13-01 » n'est pas une date" in message


def test_empty_name(files: Files) -> None:
    edit(files("ElevesSansAdresses.xml")[0], "<PRENOM>Noël</PRENOM>", "<PRENOM> </PRENOM>")
    (message,) = held(files())
    assert "élève 1000003 · PRENOM est vide" in message


def test_control_character_in_a_name(files: Files) -> None:
    edit(files("ResponsablesAvecAdresses.xml")[0], "<PRENOM>Paul", "<PRENOM>Pa&#x1;ul")
    # XML 1.0 forbids &#x1;: the parser refuses the file, with its line.
    assert any("XML mal formé" in m for m in _reading_errors(files()))


def test_c1_control_character_in_a_name(files: Files) -> None:
    edit(files("ResponsablesAvecAdresses.xml")[0], "<PRENOM>Paul", "<PRENOM>Pa&#x85;ul")
    (message,) = held(files())
    assert "responsable 2000001 · PRENOM" in message and "caractère de contrôle" in message


def test_mojibake_in_a_name(files: Files) -> None:
    edit(files("ElevesSansAdresses.xml")[0], "<PRENOM>Timothée", "<PRENOM>TimothÃ©e")
    (message,) = errors(files())
    assert "élève 1000006 · PRENOM « TimothÃ©e » est mal encodé" in message


def test_duplicate_eleve_id(files: Files) -> None:
    edit(files("ElevesSansAdresses.xml")[0], 'ELEVE ELEVE_ID="1000007"', 'ELEVE ELEVE_ID="1000006"')
    messages = held(files())
    assert any("ELEVE_ID 1000006 figure deux fois (déjà ligne" in m for m in messages)


def test_duplicate_personne_id(files: Files) -> None:
    edit(files("ResponsablesAvecAdresses.xml")[0], 'PERSONNE_ID="2000003"', 'PERSONNE_ID="2000002"')
    assert any("PERSONNE_ID 2000002 figure deux fois" in m for m in held(files()))


def test_duplicate_individu_id(files: Files) -> None:
    edit(files(f"sts_emp_{UAI}_2026.xml")[0], '<INDIVIDU ID="8951"', '<INDIVIDU ID="8950"')
    assert any("l'identifiant 8950 figure deux fois" in m for m in held(files()))


def test_an_option_of_an_unknown_eleve_names_its_field_once(files: Files) -> None:
    edit(files("ElevesSansAdresses.xml")[0], '<OPTION ELEVE_ID="1000002"',
         '<OPTION ELEVE_ID="9999998"')
    (message,) = held(files())
    assert "· ELEVE_ID « 9999998 » ne correspond à aucun élève" in message, message


def test_link_to_an_unknown_eleve(files: Files) -> None:
    path = files("ResponsablesAvecAdresses.xml")[0]
    edit(path, "<ELEVE_ID>1000007</ELEVE_ID>", "<ELEVE_ID>9999999</ELEVE_ID>")
    (message,) = held(files())
    assert message.startswith(f"ResponsablesAvecAdresses.xml:{line_of(path, '9999999') - 1}")
    assert "ELEVE_ID « 9999999 » ne correspond à aucun élève" in message
    assert "refaites tous les exports le même jour" in message


def test_service_of_an_unknown_teacher(files: Files) -> None:
    edit(files(f"sts_emp_{UAI}_2026.xml")[0], '<ENSEIGNANT TYPE="epp" ID="8950"/>',
         '<ENSEIGNANT TYPE="epp" ID="7777"/>')
    (message,) = held(files())
    assert "service 020700 de 6A · ENSEIGNANT enseignant « 7777 » (epp) absent" in message


def test_group_of_an_unknown_division(files: Files) -> None:
    edit(files(f"sts_emp_{UAI}_2026.xml")[0], '<DIVISION_APPARTENANCE CODE="6A"/>',
         '<DIVISION_APPARTENANCE CODE="6Z"/>')
    assert any("dépend d'une division « 6Z » non déclarée" in m for m in errors(files()))


def test_pp_of_an_unknown_division(files: Files) -> None:
    edit(files(f"sts_emp_{UAI}_2026.xml")[0], "<CODE_STRUCTURE>6A</CODE_STRUCTURE><DATE_DEBUT>",
         "<CODE_STRUCTURE>6Z</CODE_STRUCTURE><DATE_DEBUT>")
    assert any("professeur principal d'une division « 6Z »" in m for m in held(files()))


def test_eleve_division_unknown_to_structures_xml(files: Files) -> None:
    edit(files("ElevesSansAdresses.xml")[0], "<CODE_STRUCTURE>6A</CODE_STRUCTURE><TYPE_STRUCTURE>D"
         "</TYPE_STRUCTURE></STRUCTURE>\n      </STRUCTURES_ELEVE>\n      <STRUCTURES_ELEVE "
         'ELEVE_ID="1000007"', "<CODE_STRUCTURE>6Z</CODE_STRUCTURE><TYPE_STRUCTURE>D"
         "</TYPE_STRUCTURE></STRUCTURE>\n      </STRUCTURES_ELEVE>\n      <STRUCTURES_ELEVE "
         'ELEVE_ID="1000007"')
    line = line_of(files("ElevesSansAdresses.xml")[0], "<CODE_STRUCTURE>6Z")
    assert any(m.startswith(f"ElevesSansAdresses.xml:{line} · division 6Z") and
               "division « 6Z » utilisée par des élèves mais absente de Structures.xml" in m
               for m in errors(files()))


def test_eleve_division_unknown_to_sts_only_warns(files: Files) -> None:
    names = [n for n in ("ElevesSansAdresses.xml", f"sts_emp_{UAI}_2026.xml")]
    edit(files(names[1])[0], '<DIVISION CODE="5 B/1">', '<DIVISION CODE="5 B/2">')
    edit(files(names[1])[0], '<DIVISION_APPARTENANCE CODE="5 B/1"/>',
         '<DIVISION_APPARTENANCE CODE="5 B/2"/>')
    snapshot, problems = build(files(*names))
    assert snapshot is not None
    assert any(p.code == "structure-hors-sts" and "« 5 B/1 »" in p.message for p in problems)


def test_an_export_of_another_school(files: Files) -> None:
    path = files(f"sts_emp_{UAI}_2026.xml")[0]
    edit(path, 'UAJ CODE="0860999U"', 'UAJ CODE="0750654D"')
    (message,) = errors(files())
    assert f"sts_emp_0860999U_2026.xml:{line_of(path, '<UAJ')} · paramètres de l'export · UAJ " \
           "« 0750654D » : ce fichier vient d'un autre établissement que celui de ce dossier " \
           "bascule (0860999U)" in message


def test_files_of_two_school_years(files: Files) -> None:
    path = files("ResponsablesAvecAdresses.xml")[0]
    edit(path, "<ANNEE_SCOLAIRE>2026", "<ANNEE_SCOLAIRE>2025")
    (message,) = errors(files())
    assert message.startswith(f"ResponsablesAvecAdresses.xml:{line_of(path, '<ANNEE_SCOLAIRE>')}")
    assert "année scolaire 2025-2026, alors que ElevesSansAdresses.xml est de 2026-2027" in message


def test_a_year_older_than_the_store(files: Files) -> None:
    context = ImportContext(school_uais=frozenset({UAI}),
                            newest_staged_year={UAI: SchoolYear(2027)}, today=date(2027, 9, 3))
    (message,) = errors(files(), context)
    assert "année scolaire 2026-2027, plus ancienne que la dernière importée (2027-2028)" in message


def test_two_eleves_files_in_one_import(files: Files) -> None:
    paths = files("ElevesSansAdresses.xml", "ExportXML_ElevesSansAdresses.zip")
    (message,) = errors(paths)
    assert "deuxième fichier « Siècle-BEE élèves »" in message


def test_an_import_without_eleves(files: Files) -> None:
    (message,) = errors(files(f"sts_emp_{UAI}_2026.xml"))
    assert "aucun export des élèves parmi les fichiers" in message


def test_an_eleve_in_two_divisions(files: Files) -> None:
    edit(files("ElevesSansAdresses.xml")[0],
         "<CODE_STRUCTURE>6LV1 ANG</CODE_STRUCTURE><TYPE_STRUCTURE>G",
         "<CODE_STRUCTURE>5 B/1</CODE_STRUCTURE><TYPE_STRUCTURE>D")
    assert any("l'élève est dans plusieurs divisions (6A, 5 B/1)" in m for m in held(files()))


def _reading_errors(paths: list[Path]) -> list[str]:
    from bascule.exports.source import UnreadableSource

    messages = []
    for path in paths:
        try:
            read_export(path)
        except UnreadableSource as unreadable:
            messages.append(str(unreadable.problem))
    return messages


@pytest.mark.parametrize("name", ["ElevesSansAdresses.xml", "ResponsablesAvecAdresses.xml"])
def test_missing_uai(files: Files, name: str) -> None:
    edit(files(name)[0], "<UAJ>0860999U</UAJ>", "<UAJ></UAJ>")
    assert any("l'export ne dit pas de quel établissement il vient" in m for m in errors(files()))


def test_a_repeated_staff_id_is_reported_even_when_the_first_record_is_dropped(
    files: Files,
) -> None:
    path = files(f"sts_emp_{UAI}_2026.xml")[0]
    edit(path, "<NOM_USAGE>LE GOFF</NOM_USAGE><NOM_PATRONYMIQUE>LE GOFF</NOM_PATRONYMIQUE>",
         "<NOM_USAGE></NOM_USAGE><NOM_PATRONYMIQUE></NOM_PATRONYMIQUE>")  # 8950 has no name
    edit(path, '<INDIVIDU ID="8951"', '<INDIVIDU ID="8950"')
    messages = held(files())
    assert any("personnel 8950 · NOM_USAGE est vide" in m for m in messages)
    assert any("l'identifiant 8950 figure deux fois" in m for m in messages)


def test_a_name_with_invisible_characters_is_cleaned_with_a_warning(files: Files) -> None:
    path = files("ElevesSansAdresses.xml")[0]
    edit(path, "<PRENOM>Timothée", "<PRENOM>Timo&#x200B;th&#xAD;ée")
    snapshot, problems = build(files())
    assert snapshot is not None
    timothee = next(e for e in snapshot.eleves if e.eleve_id == "1000006")
    assert timothee.first_name == "Timothée"
    (warned,) = [p for p in problems if p.code == "nom-nettoye"]
    assert (warned.location.line, warned.location.field) == (
        line_of(path, 'ELEVE_ID="1000006"'), "PRENOM")
    assert "U+200B" in warned.message and "U+00AD" in warned.message


def test_a_multi_word_sts_first_name_is_kept_whole(files: Files) -> None:
    edit(files(f"sts_emp_{UAI}_2026.xml")[0], "<PRENOM>Claire</PRENOM>",
         "<PRENOM>Claire  Marie</PRENOM>")
    durand = next(m for m in accepted(files()).staff if m.key.staff_id == "8949")
    assert durand.first_name == "Claire Marie"


def test_whoever_holds_a_service_teaches_whatever_the_fonction_says(files: Files) -> None:
    path = files(f"sts_emp_{UAI}_2026.xml")[0]
    edit(path, "<PRENOM>Jean-Baptiste</PRENOM><DATE_NAISSANCE>1975-12-01</DATE_NAISSANCE>"
               "<FONCTION>ENS", "<PRENOM>Jean-Baptiste</PRENOM><DATE_NAISSANCE>1975-12-01"
               "</DATE_NAISSANCE><FONCTION>DOC")
    edit(path, "<PRENOM>Loïc</PRENOM><FONCTION>ENS</FONCTION>", "<PRENOM>Loïc</PRENOM>")
    snapshot, problems = build(files())
    assert snapshot is not None
    staff = {m.key.staff_id: m for m in snapshot.staff}
    assert (staff["8950"].function, staff["8950"].category_label) == ("DOC", "enseignant")
    assert (staff["1234"].function, staff["1234"].category_label) == ("", "enseignant")
    assert staff["8951"].category_label == "direction"  # no service: the function decides
    (said,) = [p for p in problems if p.code == "fonction-services"]
    assert said.location.record == "personnel 8950" and "(documentation)" in said.message


@pytest.mark.parametrize(("code", "category"), [
    ("ENS", "enseignant"), ("DOC", "documentation"), ("EDU", "vie scolaire"),
    ("AED", "vie scolaire"), ("SUR", "vie scolaire"), ("DIR", "direction"),
    ("ADM", "administratif et technique"), ("ADF", "administratif et technique"),
    ("ASE", "administratif et technique"), ("LAB", "administratif et technique"),
    ("OUV", "administratif et technique"), ("MDS", "administratif et technique"),
    ("INF", "administratif et technique"), ("ORI", "administratif et technique"),
    ("-", "administratif et technique"),
])
def test_the_national_function_codes_give_a_category(files: Files, code: str,
                                                     category: str) -> None:
    edit(files(f"sts_emp_{UAI}_2026.xml")[0], "<FONCTION>DIR", f"<FONCTION>{code}")
    snapshot, problems = build(files())
    assert snapshot is not None
    assert next(m for m in snapshot.staff if m.key.staff_id == "8951").category_label == category
    assert not [p for p in problems if p.code == "fonction-inconnue"]


def test_an_unknown_function_code_is_the_departement_s_to_add(files: Files) -> None:
    edit(files(f"sts_emp_{UAI}_2026.xml")[0], "<FONCTION>DIR", "<FONCTION>ZZZ")
    snapshot, problems = build(files())
    assert snapshot is not None
    (unknown,) = [p for p in problems if p.code == "fonction-inconnue"]
    assert "signalez-le à l'équipe du département" in unknown.hint
    assert "rien à corriger dans STS-Web" in unknown.hint
