"""bascule verify on a generated campaign: a clean rollover verifies clean; each defect the memo
warns of is built for real and found with its probable cause."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import ldap
import pytest
from lxml import etree

from bascule.synthetic.generate import GeneratedCollege
from tests.conftest import Cli
from tests.servers import slapd
from tests.targets.conftest import add_openldap_target, admin

FIRST, SECOND = "2025-09-10T10:00", "2026-09-10T10:00"
VERIFY_AT = "2026-09-20T10:00"


def _verify(cli: Cli, at: str = VERIFY_AT) -> tuple[int, dict[str, dict[str, object]]]:
    result = cli("verify", "--json", "--at", at)
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    return result.exit_code, {f["code"]: f for f in report["findings"]}


def _rollover(cli: Cli, folder: Path, at: str, *, sync: bool = True) -> None:
    assert cli("import", folder).exit_code == 0
    assert cli("plan", "--at", at).exit_code == 0
    assert cli("apply", "--yes", "--at", at).exit_code == 0
    if sync:
        assert cli("sync", "ldap", "--at", at).exit_code == 0
        assert cli("spaces", "sync", "--at", at).exit_code == 0


@pytest.fixture
def school(cli: Cli, generated: GeneratedCollege, slapd_server: slapd.Slapd,
           tmp_path: Path) -> tuple[Cli, Path, Path]:
    """A home for the generated collège with its slapd, and private copies of both years."""
    cli("init", "--uai", generated.uai, "--name", "Collège généré")
    add_openldap_target(cli, slapd_server)
    first, second = (shutil.copytree(folder, tmp_path / folder.name)
                     for folder in generated.folders)
    return cli, first, second


def test_a_clean_rollover_verifies_clean(school: tuple[Cli, Path, Path], tmp_path: Path) -> None:
    cli, first, second = school
    _rollover(cli, first, FIRST)
    _rollover(cli, second, SECOND)
    code, findings = _verify(cli)
    assert code == 0
    assert not [f for f in findings.values() if f["severity"] == "erreur"]
    page = tmp_path / "verification.html"
    written = cli("verify", "--html", page, "--at", VERIFY_AT)
    assert written.exit_code == 0 and f"Rapport de vérification : {page}" in written.stderr
    assert "Vérification des attributions" in page.read_text()


def _edit_eleves(folder: Path, change: object) -> None:
    archive = folder / "ExportXML_ElevesSansAdresses.zip"
    with zipfile.ZipFile(archive) as source:
        (name,) = source.namelist()
        root = etree.fromstring(source.read(name))
    change(root)  # type: ignore[operator]
    with zipfile.ZipFile(archive, "w") as target:
        target.writestr(name, etree.tostring(root, encoding="ISO-8859-15",
                                             xml_declaration=True))


def test_a_level_without_groups_points_to_the_timetable_upload(
        school: tuple[Cli, Path, Path]) -> None:
    cli, first, second = school
    _rollover(cli, first, FIRST)

    def drop_groups_of_5e(root: etree._Element) -> None:
        fifth = {e.get("ELEVE_ID") for e in root.iter("ELEVE")
                 if (e.findtext("CODE_MEF") or "").startswith("101")}
        for links in root.iter("STRUCTURES_ELEVE"):
            if links.get("ELEVE_ID") in fifth:
                for link in links.findall("STRUCTURE"):
                    if link.findtext("TYPE_STRUCTURE") == "G":
                        links.remove(link)

    _edit_eleves(second, drop_groups_of_5e)
    _rollover(cli, second, SECOND)
    code, findings = _verify(cli)
    assert code == 1
    finding = findings["groupes-absents-niveau"]
    assert finding["examples"][0].startswith("niveau 5e")  # type: ignore[index]
    assert "liens élèves-groupes n'ont pas été remontés" in finding["cause"]  # type: ignore


def test_a_teacher_without_services_points_to_sts_web(school: tuple[Cli, Path, Path]) -> None:
    cli, first, second = school
    _rollover(cli, first, FIRST)
    sts = next(second.glob("sts_emp_*.xml"))
    root = etree.fromstring(sts.read_bytes())
    services = [e for e in root.iter("SERVICE")]
    teacher = services[0].find("ENSEIGNANTS/ENSEIGNANT").get("ID")  # type: ignore[union-attr]
    for service in services:
        if any(t.get("ID") == teacher for t in service.iter("ENSEIGNANT")):
            service.getparent().remove(service)  # type: ignore[union-attr]
    sts.write_bytes(etree.tostring(root, encoding="ISO-8859-15", xml_declaration=True))
    _rollover(cli, second, SECOND)
    _code, findings = _verify(cli)
    finding = findings["enseignant-sans-service"]
    assert any("(des services l’an passé)" in line
               for line in finding["items"])  # type: ignore[attr-defined]
    assert "STS-Web n'a pas été alimenté" in finding["cause"]  # type: ignore[operator]


def test_last_years_memberships_left_in_the_directory(school: tuple[Cli, Path, Path]) -> None:
    cli, first, second = school
    _rollover(cli, first, FIRST)
    _rollover(cli, second, SECOND, sync=False)  # applied, but the directory not synced
    code, findings = _verify(cli)
    assert code == 1
    finding = findings["annuaire-different"]
    assert "n'a pas été relancée depuis le" in finding["cause"]  # type: ignore[operator]
    assert any(" est encore dans classe-" in line
               for line in finding["items"])  # type: ignore[attr-defined]
    assert any(" manque dans equipe-" in line
               for line in finding["items"])  # type: ignore[attr-defined]
    assert finding["teachers"]  # the report's per-teacher view names them
    assert findings["espaces-different"]["count"] > 0  # last year's class spaces still there
    assert cli("sync", "ldap", "--at", SECOND).exit_code == 0
    assert cli("spaces", "sync", "--at", SECOND).exit_code == 0
    assert _verify(cli)[0] == 0


def test_a_directory_edited_by_hand(school: tuple[Cli, Path, Path],
                                   slapd_server: slapd.Slapd) -> None:
    cli, first, _second = school
    _rollover(cli, first, FIRST)
    server = admin(slapd_server)
    (group, _), *_ = server.search_s(slapd.SUFFIX, ldap.SCOPE_SUBTREE, "(cn=classe-*)", ["cn"])
    (stranger, _), *_ = server.search_s(f"ou=Profs,{slapd.SUFFIX}", ldap.SCOPE_ONELEVEL,
                                        "(uid=*)", ["uid"])
    server.modify_s(group, [(ldap.MOD_ADD, "member", [stranger.encode()])])
    code, findings = _verify(cli)
    assert code == 1
    finding = findings["annuaire-different"]
    assert "Modifié à la main" in finding["cause"]  # type: ignore[operator]
    login = stranger.split(",")[0].removeprefix("uid=")
    assert finding["items"] == [f"{login} est encore dans {group.split(',')[0][3:]}"]


def test_a_right_removed_from_a_class_space(school: tuple[Cli, Path, Path]) -> None:
    cli, first, _second = school
    _rollover(cli, first, FIRST)
    assert _verify(cli)[0] == 0
    space = next((cli.home / "espaces").glob("*/Classes/*"))
    named = [line.split(":")[1] for line in subprocess.run(
        ["getfacl", "-n", "-c", str(space)], capture_output=True, text=True, check=True
    ).stdout.splitlines() if line.startswith("group:") and line.split(":")[1]]
    subprocess.run(["setfacl", "-x", f"g:{named[0]}", str(space)], check=True)
    code, findings = _verify(cli)
    assert code == 1
    finding = findings["espaces-different"]
    (line,) = finding["items"]  # type: ignore[misc]
    assert re.fullmatch(rf"droit manquant sur Classes/{re.escape(space.name)} : "
                        r"groupe (classe|equipe)-\S+ \(écriture\)", line)
    assert "Modifié à la main" in finding["cause"]  # type: ignore[operator]


def test_without_the_acl_tools_verify_names_them(school: tuple[Cli, Path, Path],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    cli, first, _second = school
    _rollover(cli, first, FIRST)
    monkeypatch.setattr(shutil, "which", lambda tool: None if "facl" in tool else f"/bin/{tool}")
    code, findings = _verify(cli)
    assert code == 1
    finding = findings["espaces-different"]
    assert finding["items"] == ["droits des espaces ni posés ni vérifiés"]
    assert "setfacl et getfacl manque(nt) sur cette machine (paquet Debian acl)" in (
        finding["cause"])  # type: ignore[operator]
    assert "apt-get install acl" in finding["action"]  # type: ignore[operator]


def test_eleves_disabled_when_their_exit_date_passed_are_no_error(
        school: tuple[Cli, Path, Path]) -> None:
    """DATE_SORTIE announced in the export (still to come on its date) that have passed since:
    the plan disables those élèves; verify, on the same day, judges presence the same way, also
    once another apply (the September deletions) left the directory apart from the campaign."""
    cli, first, second = school
    _rollover(cli, first, FIRST)
    _rollover(cli, second, SECOND)
    later = "2026-12-15T10:00"  # after every announced exit date (export + 60 days at most)
    planned = cli("plan", "--json", "--at", later)
    disabled = [row for row in json.loads(planned.stdout)["actions"]
                if row["kind"] == "disable" and row["profile"] == "eleve"]
    assert disabled, "the generated campaign announces exit dates after its export"
    code, findings = _verify(cli, later)  # before that plan is applied: said, not an error
    assert code == 0 and "compte-actif-eleve-parti" not in findings
    pending = findings["compte-actif-eleve-sorti"]
    assert pending["severity"] == "avertissement" and pending["count"] == len(disabled)
    assert "le prochain plan désactive" in pending["cause"]  # type: ignore[operator]
    held = str(disabled[0]["person"])  # kept as they are on purpose: no plan disables them
    assert cli("hold", "add", held, "--until", "31/12/2027", "--reason", "litige",
               "--at", later).exit_code == 0
    _code, findings = _verify(cli, later)
    still = findings.get("compte-actif-eleve-sorti", {"count": 0})
    assert still["count"] == len(disabled) - 1, findings
    (hold,) = json.loads(cli("hold", "list", "--json").stdout)
    assert cli("hold", "remove", str(hold["number"]), "--at", later).exit_code == 0
    assert cli("plan", "--at", later).exit_code == 0  # a hold changes the plan: read again
    assert cli("apply", "--yes", "--at", later).exit_code == 0
    assert cli("lifecycle", "--at", later).exit_code == 0
    assert cli("apply", "--yes", "--at", later).exit_code == 0
    assert cli("sync", "ldap", "--at", later).exit_code == 0
    assert cli("spaces", "sync", "--at", later).exit_code == 0
    assert "Rien à faire" in cli("plan", "--at", later).output
    code, findings = _verify(cli, later)
    assert "compte-desactive-eleve-present" not in findings
    assert "compte-actif-eleve-parti" not in findings
    assert code == 0, findings
