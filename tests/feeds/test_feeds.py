"""The feeds read back with real parsers: GAR files valid against the official XSD (one
collège, a département), ids stable across years, responsables d'affectation; the ENT's AAF
export with its links; the calendar's refusal before the ENT resumes."""

from __future__ import annotations

import csv
import hashlib
import json
import tarfile
from collections import Counter
from pathlib import Path

from lxml import etree

from bascule.feeds.gar import NS, schema
from bascule.synthetic.generate import GeneratedCollege, generate_campaigns
from tests.conftest import Cli, Files

AT = "2026-09-20T10:00"
M = f"{{{NS}}}"


def _apply(cli: Cli, folder: Path | list[Path], at: str, *school: str) -> None:
    assert cli("import", *(folder if isinstance(folder, list) else [folder])).exit_code == 0
    assert cli("plan", "--at", at, *school).exit_code == 0
    assert cli("apply", "--yes", "--at", at, *school).exit_code == 0


def _gar(cli: Cli, out: Path, *args: str) -> dict[str, list[etree._Element]]:
    result = cli("feed", "gar", "--out", out, "--at", AT, *args)
    assert result.exit_code == 0, result.output
    xsd = schema()
    roots: dict[str, list[etree._Element]] = {}
    for path in sorted(out.glob("*.xml")):
        root = etree.parse(str(path)).getroot()
        xsd.assertValid(root)
        roots.setdefault(path.stem.split("_")[-2], []).append(root)
    return roots


def test_gar_files_of_a_college_validate_and_link_up(cli: Cli, generated: GeneratedCollege,
                                                     tmp_path: Path) -> None:
    cli("init", "--uai", generated.uai, "--name", "Collège généré")
    _apply(cli, generated.folders[0], "2025-09-10T10:00")
    said = " ".join(cli("feed", "gar", "--out", tmp_path / "gar", "--at", AT).stdout.split())
    roots = _gar(cli, tmp_path / "gar")
    assert set(roots) == {"Eleve", "Enseignant", "Etab", "Groupe", "RespAff"}
    eleves = {e.findtext(f"{M}GARPersonIdentifiant") for e in roots["Eleve"][0].iter(
        f"{M}GAREleve")}
    _the_summary_counts_people_not_records(cli, roots, said, len(eleves))
    groupe = roots["Groupe"][0]
    divisions = {g.findtext(f"{M}GARGroupeCode") for g in groupe.iter(f"{M}GARGroupe")
                 if g.findtext(f"{M}GARGroupeStatut") == "DIVISION"}
    links = [(p.findtext(f"{M}GARPersonIdentifiant"), p.findtext(f"{M}GARGroupeCode"))
             for p in groupe.iter(f"{M}GARPersonGroupe")]
    assert len(eleves) > 500 and all(len(i) == 32 for i in eleves)  # opaque, never the INE
    linked = {person for person, code in links if code in divisions and person in eleves}
    assert linked == eleves  # every élève in a division
    assert any(True for _ in groupe.iter(f"{M}GAREnsClasseMatiere"))
    (archive,) = (tmp_path / "gar").glob("*.tar.gz")
    md5 = (archive.with_name(archive.name + ".md5")).read_text().split()[0]
    assert md5 == hashlib.md5(archive.read_bytes()).hexdigest()
    with tarfile.open(archive) as tar:
        assert len(tar.getnames()) == len(list((tmp_path / "gar").glob("*.xml")))
    assert all("_GAR-ENT_Complet_20260920_100000_2D_" in p.name
               for p in (tmp_path / "gar").glob("*.xml"))


def _the_summary_counts_people_not_records(cli: Cli, roots: dict[str, list[etree._Element]],
                                          said: str, eleves: int) -> None:
    """feed gar's summary against the campaign: as many élèves as the store holds active, not
    their GARPersonMEF records too; every staff member in the Enseignant file, the enseignants
    among them counted apart."""
    accounts = json.loads(cli("accounts", "--status", "actif", "--json").stdout)
    by_profile = Counter(account["profile"] for account in accounts)
    mefs = sum(1 for _ in roots["Eleve"][0].iter(f"{M}GARPersonMEF"))
    assert eleves == by_profile["eleve"] > 500 and mefs > 500
    staff = sum(n for profile, n in by_profile.items() if profile not in ("eleve", "responsable"))
    assert (f"Flux GAR de 1 établissement(s) : {eleves} élèves, {staff} personnels dont "
            f"{by_profile['enseignant']} enseignants, 1 établissement, ") in said, said


def test_gar_ids_stay_the_same_across_the_rollover(cli: Cli, generated: GeneratedCollege,
                                                  tmp_path: Path) -> None:
    cli("init", "--uai", generated.uai, "--name", "Collège généré")
    _apply(cli, generated.folders[0], "2025-09-10T10:00")
    before = _ids(_gar(cli, tmp_path / "2025"))
    _apply(cli, generated.folders[1], "2026-09-10T10:00")
    after = _ids(_gar(cli, tmp_path / "2026"))
    stayed = before.keys() & after.keys()
    assert len(stayed) > 300
    assert all(before[name] == after[name] for name in stayed)


def _ids(roots: dict[str, list[etree._Element]]) -> dict[tuple[str, str, str], str]:
    """(name, first name, birth date) -> GARPersonIdentifiant, for the élèves that triple
    names alone (the generator makes homonyms born the same day on purpose)."""
    found: dict[tuple[str, str, str], list[str]] = {}
    for e in roots["Eleve"][0].iter(f"{M}GAREleve"):
        who = (e.findtext(f"{M}GARPersonNom"), e.findtext(f"{M}GARPersonPrenom"),
               e.findtext(f"{M}GARPersonDateNaissance"))
        found.setdefault(who, []).append(e.findtext(f"{M}GARPersonIdentifiant"))  # type: ignore
    return {who: ids[0] for who, ids in found.items() if len(ids) == 1}


def test_a_departement_splits_its_files_and_still_validates(cli: Cli, tmp_path: Path) -> None:
    colleges = generate_campaigns(tmp_path / "exports", colleges=3, seed=5, year=2026,
                                  size=150)
    for college in colleges:
        cli("init", "--uai", college.uai, "--name", college.name)
        _apply(cli, college.folders[0], AT, "--uai", college.uai)
    roots = _gar(cli, tmp_path / "gar", "--max-nodes", "200")
    assert len(roots["Eleve"]) >= 3  # split past 200 records
    etabs = {e.findtext(f"{M}GARStructureUAI") for r in roots["Etab"] for e in r.iter(
        f"{M}GAREtab")}
    assert etabs == {c.uai for c in colleges}


def test_feed_gar_counts_in_words_and_warns_without_a_responsable_d_affectation(
        home_cli: Cli, files: Files, tmp_path: Path) -> None:
    _apply(home_cli, files(), AT)
    alone = home_cli("feed", "gar", "--out", tmp_path / "sans", "--at", AT)
    assert alone.exit_code == 0
    said = " ".join(alone.stdout.split())
    assert ("Flux GAR de 1 établissement(s) : 4 élèves, 6 personnels dont 3 enseignants, "
            "1 établissement, 4 groupes, 0 responsable d'affectation.") in said, said
    assert "personne ne détient « Affecter des ressources GAR »" in said
    assert home_cli("delegation", "grant", "sgarnier", "Affecter des ressources GAR",
                    "--by", "idasilva").exit_code == 0
    held = home_cli("feed", "gar", "--out", tmp_path / "avec", "--at", AT)
    assert "1 responsable d'affectation." in " ".join(held.stdout.split())
    assert "personne ne détient" not in held.stdout


def test_responsables_d_affectation_need_an_email(home_cli: Cli, files: Files,
                                                  tmp_path: Path) -> None:
    _apply(home_cli, files(), AT)
    assert home_cli("delegation", "grant", "sgarnier", "Affecter des ressources GAR",
                    "--by", "idasilva").exit_code == 0
    roots = _gar(home_cli, tmp_path / "ok")
    (resp,) = roots["RespAff"][0].iter(f"{M}GARRespAff")
    assert resp.findtext(f"{M}GARPersonMail") == "s.garnier@example.fr"
    assert home_cli("delegation", "grant", "zoeillet", "Affecter des ressources GAR",
                    "--by", "idasilva").exit_code == 0
    refused = home_cli("feed", "gar", "--out", tmp_path / "ko", "--at", AT)
    assert refused.exit_code == 1
    assert "ŒILLET Zoé est responsable d'affectation GAR mais n'a pas d'adresse e-mail" in (
        " ".join(refused.stderr.split()))
    assert not (tmp_path / "ko").exists()  # nothing written


def test_the_ent_export_waits_for_the_ent_to_resume(home_cli: Cli, files: Files,
                                                    tmp_path: Path) -> None:
    _apply(home_cli, files(), AT)
    summer = home_cli("feed", "ent", "--out", tmp_path / "ete", "--at", "2026-08-10T10:00")
    assert summer.exit_code == 1 and "reprennent le lundi 24/08/2026" in summer.stderr
    forced = home_cli("feed", "ent", "--out", tmp_path / "ete", "--at", "2026-08-10T10:00",
                      "--force")
    assert forced.exit_code == 0, forced.output
    assert home_cli("audit", "--action", "forçage").stdout.count("ENT") >= 1
    closure = home_cli("feed", "ent", "--out", tmp_path / "ent", "--at", "2026-08-26T10:00")
    assert closure.exit_code == 0
    access = next((tmp_path / "ent").glob("*_acces_*.json")).read_text()
    assert '"eleve"' in access and "fermeture rentrée" in access


def test_the_ent_export_links_eleves_classes_teachers_and_parents(
        home_cli: Cli, files: Files, tmp_path: Path) -> None:
    _apply(home_cli, files(), AT)
    assert home_cli("feed", "ent", "--out", tmp_path, "--at", AT).exit_code == 0
    read = {path.stem.split("_")[-2]: etree.parse(str(path)).getroot()
            for path in tmp_path.glob("ENT_*.xml")}
    assert set(read) == {"Eleve", "PersEducNat", "PersRelEleve", "EtabEducNat", "MatiereEducNat",
                         "MefEducNat"}

    def attrs(record: etree._Element) -> dict[str, list[str]]:
        return {a.get("name"): [v.text for v in a] for a in record.find("attributes")}  # type: ignore

    eleves = {r.findtext("identifier/id"): attrs(r) for r in read["Eleve"].iter("addRequest")}
    parents = {r.findtext("identifier/id"): attrs(r)
               for r in read["PersRelEleve"].iter("addRequest")}
    lea = next(a for a in eleves.values() if a["sn"] == ["MARTIN"] and "6A" in " ".join(
        a.get("ENTEleveClasses", [])))
    parent_ids = {v.split("$")[0] for v in lea["ENTElevePersRelEleve"]}
    assert parent_ids <= set(parents)
    assert all(lea["ENTPersonJointure"][0] in parents[p]["ENTAuxPersRelEleveEleve"]
               for p in parent_ids)
    teachers = [attrs(r) for r in read["PersEducNat"].iter("addRequest")]
    assert any(v.endswith("$6A$020700") or "$6A$" in v
               for t in teachers for v in t.get("ENTAuxEnsClassesMatieres", []))
    assert read["Eleve"].getroottree().docinfo.doctype.startswith("<!DOCTYPE ficAlimMENESR")




def test_moodle_users_and_cohorts_keep_their_ids(cli: Cli, generated: GeneratedCollege,
                                                 tmp_path: Path) -> None:
    cli("init", "--uai", generated.uai, "--name", "Collège généré")
    years = []
    for folder, at in zip(generated.folders, ("2025-09-10T10:00", "2026-09-10T10:00"),
                          strict=True):
        _apply(cli, folder, at)
        out = tmp_path / folder.name
        assert cli("feed", "moodle", "--out", out).exit_code == 0
        with (out / f"moodle-utilisateurs-{generated.uai}.csv").open(newline="") as handle:
            users = list(csv.DictReader(handle))
        with (out / f"moodle-cohortes-{generated.uai}.csv").open(newline="") as handle:
            cohort_ids = {row["idnumber"] for row in csv.DictReader(handle)}
        years.append(({u["username"]: u for u in users}, cohort_ids))
    (before, cohorts_before), (after, cohorts_after) = years
    for user in after.values():
        assert {v for k, v in user.items() if k.startswith("cohort") and v} <= cohorts_after
    staying = before.keys() & after.keys()
    assert len(staying) > 300
    assert all(before[u]["idnumber"] == after[u]["idnumber"] for u in staying)
    assert len(cohorts_before & cohorts_after) > 10  # a 6A is the same cohort every year
    lea = next(iter(after.values()))
    assert lea["auth"] == "cas" and any(lea[k] for k in lea if k.startswith("cohort"))


def test_educonnect_ids_of_eleves_and_their_legal_representatives(
        home_cli: Cli, files: Files, tmp_path: Path) -> None:
    _apply(home_cli, files(), AT)
    assert home_cli("feed", "educonnect", "--out", tmp_path, "--at", AT).exit_code == 0
    with (tmp_path / "educonnect-0860999U.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    lea = [r for r in rows if r["identifiant_eleve"] == "l.martin"]
    assert {r["identifiant_representant"] for r in lea} >= {"p.martin"}
    assert all(r["division"] == "6A" for r in lea)
    pdfs = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert "educonnect-6A.pdf" in pdfs
    assert (tmp_path / "educonnect-6A.pdf").read_bytes().startswith(b"%PDF")
    assert oct((tmp_path / "educonnect-6A.pdf").stat().st_mode)[-3:] == "600"


def test_notices_follow_the_calendar(cli: Cli, tmp_path: Path) -> None:
    june = cli("notices", "--at", "2026-06-20T10:00", "--html", tmp_path / "avis.html")
    assert june.exit_code == 0
    text = " ".join(june.stdout.split())
    assert "Moodlecol passe en lecture seule le mercredi 01/07/2026" in text
    assert "L'ENT est fermé aux élèves et aux parents du lundi 24/08/2026" in text
    october = " ".join(cli("notices", "--at", "2026-10-05T10:00").stdout.split())
    assert "Moodlecol passe en lecture seule" not in october  # past
    assert "Rentrée" not in october
    assert "Aux élèves et à leurs parents" in (tmp_path / "avis.html").read_text()
