"""Storage spaces on a real temporary tree: names, the tree and its ACLs (getfacl), the
rentrée's year-end archive, quotas with files of real sizes, manifests, and the cleanups of the
calendar with their archives, a crash in the middle, and the September leavers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from bascule.spaces import cleanup
from tests.conftest import Cli, Files, apply_campaign, edit

AT = "2026-09-10T10:00"
JULY_CLEANUP = "2026-07-15T10:00"  # inside the mid-July window of 2026
SCHOOL = "0860999U"


@pytest.fixture
def spaces_home(home_cli: Cli, files: Files) -> Cli:
    apply_campaign(home_cli, files, at=AT)
    result = home_cli("spaces", "sync", "--at", AT)
    assert result.exit_code == 0, result.output
    return home_cli


def _root(cli: Cli) -> Path:
    return cli.home / "espaces" / SCHOOL


def test_the_tree_has_every_space_and_bascule_marks_it(spaces_home: Cli) -> None:
    root = _root(spaces_home)
    for relative in ("Eleves/lmartin", "Eleves/lmartin2", "Profs/cdurand", "Personnels/idasilva",
                     "Classes/6A", "Classes/5_B_1", "Matieres/ANGLAIS_LV1", "Salle_des_profs",
                     "Mediaprof", "Commun", "Groupes/ReferentsInformatique"):
        assert (root / relative / ".bascule-espace.json").is_file(), relative
    assert not (root / "Eleves" / "p.martin").exists()  # responsables have no space
    again = spaces_home("spaces", "sync", "--at", AT)
    assert "0 créés" in again.stdout


def test_acls_give_each_space_to_the_right_people(spaces_home: Cli) -> None:
    assert shutil.which("getfacl"), "make test installs the acl package"
    manifest = json.loads(spaces_home("spaces", "sync", "--manifest", "json").stdout)
    by_path = {space["path"]: space for space in manifest}
    assert {(a["name"], a["rights"]) for a in by_path["Classes/6A"]["access"]} == {
        ("classe-6a", "rw"), ("equipe-6a", "rw")}
    assert by_path["Eleves/lmartin"]["access"] == [
        {"principal": "user", "name": "lmartin", "rights": "rw"}]
    assert by_path["Eleves/lmartin"]["quota_bytes"] == 1024**3
    assert by_path["Groupes/ReferentsInformatique"]["access"][0]["name"] == (
        "referents-informatique")
    acl = subprocess.run(["getfacl", "-n", str(_root(spaces_home) / "Classes" / "6A")],
                         capture_output=True, text=True, check=True).stdout
    assert "other::---" in acl and "default:group::---" in acl
    groups = [line for line in acl.splitlines() if line.startswith("group:") and line[6] != ":"]
    assert len(groups) == 2 and all(line.endswith("rwx") for line in groups)
    perso = subprocess.run(["getfacl", "-n", str(_root(spaces_home) / "Eleves" / "lmartin")],
                           capture_output=True, text=True, check=True).stdout
    assert any(line.startswith("user:1") and line.endswith("rwx") for line in perso.splitlines())


def test_last_years_class_spaces_go_to_the_year_end_archive(spaces_home: Cli,
                                                            files: Files) -> None:
    work = _root(spaces_home) / "Classes" / "6A" / "devoir.odt"
    work.write_text("travail de 2026")
    for path in files():
        if path.suffix == ".xml" and b"2026" in path.read_bytes():
            edit(path, "2026", "2027")  # the export's school year: the same school, a year on
    imported = spaces_home("import", *files())
    assert imported.exit_code == 0, imported.output
    spaces_home("plan", "--at", "2027-09-10T10:00")
    spaces_home("apply", "--yes", "--allow-mass-leave", "--reason", "test", "--at",
                "2027-09-10T10:00")
    result = spaces_home("spaces", "sync", "--at", "2027-09-10T10:00")
    assert "Classes/6A → Fin_d_annee/2026/Classes/6A" in result.stdout
    assert (_root(spaces_home) / "Fin_d_annee" / "2026" / "Classes" / "6A" / "devoir.odt"
            ).read_text() == "travail de 2026"
    assert not (_root(spaces_home) / "Classes" / "6A" / "devoir.odt").exists()


def test_a_personal_space_follows_its_login_with_its_content_and_rights(
        spaces_home: Cli, files: Files) -> None:
    root = _root(spaces_home)
    (root / "Eleves" / "lmartin" / "expose.odt").write_text("mon exposé")
    before = _named_acl(root / "Eleves" / "lmartin")
    with (spaces_home.home / "bascule.toml").open("a") as config:
        config.write("\n[accounts]\nlogin_follows_name_change = true\n")
    edit(files("ElevesSansAdresses.xml")[0], "<NOM_USAGE/>", "<NOM_USAGE>MOREL</NOM_USAGE>")
    apply_campaign(spaces_home, files, at=AT)
    result = spaces_home("spaces", "sync", "--at", AT)
    assert "Eleves/lmartin → Eleves/lmorel" in result.stdout
    assert (root / "Eleves" / "lmorel" / "expose.odt").read_text() == "mon exposé"
    assert not (root / "Eleves" / "lmartin").exists()  # nothing left behind
    assert _named_acl(root / "Eleves" / "lmorel") == before  # her uidNumber, unchanged
    usage = json.loads(spaces_home("spaces", "usage", "--json", "--at", AT).stdout)
    assert {u["path"]: u["files"] for u in usage}["Eleves/lmorel"] >= 1


def _named_acl(folder: Path) -> list[str]:
    listing = subprocess.run(["getfacl", "-n", "-p", str(folder)], capture_output=True,
                             text=True, check=True).stdout
    return [line for line in listing.splitlines() if line.startswith("user:") and line[5] != ":"]


def test_a_folder_bascule_did_not_make_is_left_alone(home_cli: Cli, files: Files) -> None:
    home_cli("import", *files())
    home_cli("plan", "--at", AT)
    home_cli("apply", "--yes", "--at", AT)
    hand_made = home_cli.home / "espaces" / SCHOOL / "Commun"
    hand_made.mkdir(parents=True)
    (hand_made / "a-garder.txt").write_text("x")
    result = home_cli("spaces", "sync", "--at", AT)
    assert "Commun existe et n'a pas été créé par bascule" in result.stdout
    assert (hand_made / "a-garder.txt").read_text() == "x"


def test_usage_reports_over_and_near_quota_with_real_sizes(spaces_home: Cli,
                                                           tmp_path: Path) -> None:
    root = _root(spaces_home)
    with (root / "Eleves" / "lmartin" / "video.mp4").open("wb") as big:
        big.truncate(1024**3 + 1)  # sparse: over the 1 GB quota, without the disk space
    with (root / "Eleves" / "temery" / "photos.zip").open("wb") as near:
        near.truncate(int(0.95 * 1024**3))
    (root / "Classes" / "6A" / "cours").mkdir()
    (root / "Classes" / "6A" / "cours" / "a.txt").write_bytes(b"x" * 1000)
    usages = {u["path"]: u for u in json.loads(spaces_home("spaces", "usage", "--json").stdout)}
    assert usages["Eleves/lmartin"]["state"] == "dépassé"
    assert usages["Eleves/temery"]["state"] == "presque plein"
    assert usages["Classes/6A"] == {**usages["Classes/6A"], "bytes": 1000, "files": 1,
                                    "state": "ok"}
    page = tmp_path / "espaces.html"
    shown = spaces_home("spaces", "usage", "--html", page)
    assert shown.exit_code == 0 and "dépassé" in shown.stdout
    assert f"Page de l'occupation des espaces : {page}" in shown.stderr  # where to open it
    html = page.read_text()
    assert "Eleves/lmartin" in html and "dépassé" in html
    assert html.index("Eleves/lmartin") < html.index("Classes/6A")  # fullest first


def test_quota_scripts_for_linux_and_windows(spaces_home: Cli) -> None:
    linux = spaces_home("spaces", "quotas").stdout
    assert "setquota -u" in linux and "1048576 1048576" in linux  # 1 GiB in KiB
    assert "xfs_quota -x -c 'limit -p bhard=21474836480" in linux
    windows = spaces_home("spaces", "quotas", "--format", "windows").stdout
    assert "New-FsrmQuota" in windows
    script = spaces_home("spaces", "sync", "--manifest", "powershell").stdout
    assert "icacls $p /grant ($Domaine + '\\classe-6a:(OI)(CI)M')" in script


def _fill_class_spaces(cli: Cli) -> dict[str, bytes]:
    root = _root(cli)
    files = {"Classes/6A/cours/chapitre1.odt": os.urandom(200_000),
             "Classes/6A/photo.jpg": os.urandom(50_000),
             "Classes/5_B_1/devoir.txt": b"devoir",
             "Commun/planning.ods": os.urandom(10_000)}
    for relative, data in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)
    return files


def _archived(cli: Cli) -> dict[str, bytes]:
    """Every file in the cleanup archives, checked against its .sha256 first."""
    found = {}
    for archive in (cli.home / "espaces" / "_archives" / SCHOOL).rglob("*.tar.gz"):
        assert cleanup._verified(archive), archive
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                if member.isfile():
                    source = archive.name.removesuffix(".tar.gz").replace("__", "/")
                    found[f"{source}/{member.name}"] = tar.extractfile(member).read()  # type: ignore[union-attr]
    return found


def test_class_cleanup_archives_then_empties_on_its_calendar(spaces_home: Cli) -> None:
    files = _fill_class_spaces(spaces_home)
    refused = spaces_home("cleanup", "plan", "classes", "--at", "2026-10-05T10:00")
    said = " ".join(refused.stderr.split())
    assert refused.exit_code == 1 and "n'est permis que du" in said
    assert "/2027" in said and "/2026" not in said.split("permis que")[1]  # the next summer
    teacher = spaces_home("cleanup", "plan", "classes", "--at", JULY_CLEANUP, "--by", "cdurand")
    assert teacher.exit_code == 1 and "Refusé" in teacher.stderr
    plan = spaces_home("cleanup", "plan", "classes", "--at", JULY_CLEANUP)
    assert plan.exit_code == 0, plan.output
    assert "Classes/6A (son contenu, 2 fichier(s)" in plan.stdout
    assert (_root(spaces_home) / "Classes/6A/photo.jpg").exists()  # a plan touches nothing
    applied = spaces_home("cleanup", "apply", "--yes", "--at", JULY_CLEANUP)
    assert applied.exit_code == 0, applied.output
    assert _archived(spaces_home) == files
    assert [p.name for p in (_root(spaces_home) / "Classes" / "6A").iterdir()] == [
        ".bascule-espace.json"]  # emptied, the space itself kept
    again = spaces_home("cleanup", "plan", "classes", "--at", JULY_CLEANUP)
    assert "rien à nettoyer" in again.stdout and "cleanup apply" not in again.stdout
    forced = spaces_home("cleanup", "plan", "classes", "--at", "2026-10-05T10:00", "--force")
    assert forced.exit_code == 0
    assert any(e["action"] == "forçage" for e in json.loads(
        spaces_home("audit", "--json").stdout))


def test_a_crash_in_the_middle_of_a_cleanup_loses_nothing(spaces_home: Cli,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    files = _fill_class_spaces(spaces_home)
    assert spaces_home("cleanup", "plan", "classes", "--at", JULY_CLEANUP).exit_code == 0
    real_remove, calls = cleanup._remove, []

    def crash_on_the_second(source: Path, *, whole: bool) -> None:
        calls.append(source)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_remove(source, whole=whole)

    monkeypatch.setattr(cleanup, "_remove", crash_on_the_second)
    crashed = spaces_home("cleanup", "apply", "--yes", "--at", JULY_CLEANUP)
    assert crashed.exit_code == 1
    present = {r for r in files if (_root(spaces_home) / r).exists()}
    assert present | set(_archived(spaces_home)) >= set(files)  # each file somewhere
    monkeypatch.setattr(cleanup, "_remove", real_remove)
    resumed = spaces_home("cleanup", "apply", "--yes", "--at", JULY_CLEANUP)
    assert resumed.exit_code == 0, resumed.output
    assert _archived(spaces_home) == files
    assert not any((_root(spaces_home) / r).exists() for r in files)


def test_september_removes_the_folders_of_deleted_accounts_only(spaces_home: Cli,
                                                                files: Files) -> None:
    (_root(spaces_home) / "Eleves" / "temery" / "cahier.txt").write_text("à garder")
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_SORTIE>20/12/2026", "<DATE_SORTIE>31/08/2026")
    spaces_home("import", *files())
    spaces_home("plan", "--at", "2026-09-11T08:00")
    spaces_home("apply", "--yes", "--at", "2026-09-11T08:00")
    early = spaces_home("cleanup", "plan", "departs", "--at", "2026-09-12T08:00")
    assert early.exit_code == 1 and "à partir du lundi 14/09/2026" in early.stderr
    spaces_home("lifecycle", "--at", "2026-09-15T08:00")
    assert spaces_home("apply", "--yes", "--at", "2026-09-15T08:00").exit_code == 0
    plan = spaces_home("cleanup", "plan", "departs", "--at", "2026-09-15T08:00")
    assert "Eleves/temery (dossier entier" in plan.stdout
    assert "lmartin" not in plan.stdout
    assert spaces_home("cleanup", "apply", "--yes", "--at", "2026-09-15T08:00").exit_code == 0
    assert not (_root(spaces_home) / "Eleves" / "temery").exists()
    assert (_root(spaces_home) / "Eleves" / "lmartin").exists()
    assert _archived(spaces_home)["Eleves/temery/temery/cahier.txt"] == "à garder".encode()


def test_old_imports_are_archived_then_dropped_and_archives_purged(spaces_home: Cli,
                                                                   files: Files) -> None:
    for n in range(4):  # four more campaigns, each a little different
        edit(files("personnes_locales.csv")[0], "GARNIER" if n == 0 else f"GARNIER{n - 1}",
             f"GARNIER{n}", encoding="utf-8")
        assert spaces_home("import", *files()).exit_code == 0
    plan = spaces_home("cleanup", "plan", "imports", "--at", AT)
    assert "2 élément(s)" in plan.stdout  # 5 campaigns, the newest 3 kept
    assert spaces_home("cleanup", "apply", "--yes", "--at", AT).exit_code == 0
    status = spaces_home("status").stdout
    assert status.count("2026-2027") >= 1
    archives = list((spaces_home.home / "espaces" / "_archives" / SCHOOL).rglob("*.json.gz"))
    assert len(archives) == 2
    assert spaces_home("cleanup", "purge", "--at", "2027-06-01T00:00").stdout.startswith(
        "0 archive")
    purged = spaces_home("cleanup", "purge", "--at", "2027-10-01T00:00")
    assert purged.stdout.startswith("1 archive(s) purgée(s)")
    assert not list((spaces_home.home / "espaces" / "_archives" / SCHOOL).rglob("*.json.gz"))


def test_the_school_cleans_its_staff_room_at_the_end_of_the_year(spaces_home: Cli) -> None:
    root = _root(spaces_home)
    (root / "Salle_des_profs" / "conseil.odt").write_bytes(os.urandom(5000))
    (root / "Mediaprof" / "film.mp4").write_bytes(os.urandom(5000))
    end_of_year = "2026-06-30T10:00"
    eleve = spaces_home("cleanup", "plan", "personnels", "--at", end_of_year, "--by", "lmartin")
    assert eleve.exit_code == 1 and "Refusé" in eleve.stderr
    plan = spaces_home("cleanup", "plan", "personnels", "--at", end_of_year, "--by", "idasilva")
    assert plan.exit_code == 0, plan.output
    assert "2 élément(s)" in plan.stdout
    done = spaces_home("cleanup", "apply", "--yes", "--at", end_of_year, "--by", "idasilva")
    assert done.exit_code == 0, done.output
    assert set(_archived(spaces_home)) == {"Salle_des_profs/conseil.odt", "Mediaprof/film.mp4"}
    journal = json.loads(spaces_home("audit", "--json").stdout)
    assert any(e["action"] == "nettoyage" and e["actor"] == "idasilva" for e in journal)


def test_the_root_given_once_is_remembered_and_capacity_is_checked(
        home_cli: Cli, files: Files, tmp_path: Path) -> None:
    home_cli("import", *files())
    home_cli("plan", "--at", AT)
    home_cli("apply", "--yes", "--at", AT)
    share = tmp_path / "partage"
    with (home_cli.home / "bascule.toml").open("a") as config:
        config.write("\n[spaces]\nquota_classe_go = 100000000\n")
    first = home_cli("spaces", "sync", "--root", share, "--at", AT)
    assert first.exit_code == 0, first.output
    assert "dépassent la place libre" in first.stdout
    assert (share / SCHOOL / "Classes" / "6A").is_dir()
    again = home_cli("spaces", "sync", "--at", AT)
    assert f"sous {share / SCHOOL}" in " ".join(again.stdout.split())


def _manifest(cli: Cli) -> dict[str, dict[str, object]]:
    listing = json.loads(cli("spaces", "sync", "--manifest", "json").stdout)
    return {space["path"]: space for space in listing}


def _spaces_findings(cli: Cli, at: str) -> list[str]:
    done = cli("verify", "--json", "--at", at)
    found = {f["code"]: f for f in json.loads(done.stdout)["findings"]}
    return list(found.get("espaces-different", {}).get("items", []))


def test_a_leaver_loses_the_rights_on_their_folder_at_the_next_sync(spaces_home: Cli,
                                                                   files: Files) -> None:
    """Disabled (DATE_SORTIE passed), then deleted before the departs cleanup: each time the
    next spaces sync takes the owner's rights off their folder, which stays with its files;
    the manifest shows it, and verify finds the rights left until then."""
    folder = _root(spaces_home) / "Eleves" / "temery"
    (folder / "cahier.txt").write_text("à garder")
    (owner,) = _named_acl(folder)  # user:<uidNumber>:rwx, given while she was there
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_SORTIE>20/12/2026", "<DATE_SORTIE>31/08/2026")
    spaces_home("import", *files())
    spaces_home("plan", "--at", "2026-09-11T08:00")
    assert spaces_home("apply", "--yes", "--at", "2026-09-11T08:00").exit_code == 0
    assert ("droit en trop sur Eleves/temery : utilisateur temery (écriture) — compte "
            "désactivé ou supprimé") in _spaces_findings(spaces_home, "2026-09-11T08:00")
    synced = spaces_home("spaces", "sync", "--at", "2026-09-11T08:00")
    assert "dont 1 dossier(s) de comptes désactivés ou supprimés" in synced.stdout
    assert _named_acl(folder) == [] and (folder / "cahier.txt").read_text() == "à garder"
    assert _named_acl(_root(spaces_home) / "Eleves" / "lmartin")  # the others keep theirs
    shown = _manifest(spaces_home)["Eleves/temery"]
    assert shown["access"] == [] and shown["withdrawn"] == ["temery"]
    assert _spaces_findings(spaces_home, "2026-09-11T08:00") == []
    subprocess.run(["setfacl", "-m", owner.split("#")[0].strip(), str(folder)], check=True)
    spaces_home("lifecycle", "--at", "2026-09-15T08:00")
    assert spaces_home("apply", "--yes", "--at", "2026-09-15T08:00").exit_code == 0
    assert any(line.startswith("droit en trop sur Eleves/temery : utilisateur ")
               for line in _spaces_findings(spaces_home, "2026-09-15T08:00"))
    spaces_home("spaces", "sync", "--at", "2026-09-15T08:00")
    assert _named_acl(folder) == [] and (folder / "cahier.txt").read_text() == "à garder"
    assert _manifest(spaces_home)["Eleves/temery"]["withdrawn"] == ["temery"]
    script = spaces_home("spaces", "sync", "--manifest", "powershell").stdout
    assert "icacls $p /remove:g ($Domaine + '\\temery') | Out-Null" in script


def test_a_leaver_who_keeps_reading_cannot_write(spaces_home: Cli, files: Files) -> None:
    config = spaces_home.home / "bascule.toml"
    config.write_text(config.read_text(encoding="utf-8")
                      + "\n[lifecycle]\nleavers_keep_files_until_deletion = true\n",
                      encoding="utf-8")
    folder = _root(spaces_home) / "Eleves" / "temery"
    (owner,) = _named_acl(folder)
    edit(files("ElevesSansAdresses.xml")[0], "<DATE_SORTIE>20/12/2026", "<DATE_SORTIE>31/08/2026")
    spaces_home("import", *files())
    spaces_home("plan", "--at", "2026-09-11T08:00")
    assert spaces_home("apply", "--yes", "--at", "2026-09-11T08:00").exit_code == 0
    spaces_home("spaces", "sync", "--at", "2026-09-11T08:00")
    assert [line.split("#")[0].strip() for line in _named_acl(folder)] == [
        owner.split("#")[0].strip().removesuffix("rwx") + "r-x"]
    shown = _manifest(spaces_home)["Eleves/temery"]
    assert shown["access"] == [{"principal": "user", "name": "temery", "rights": "r"}]
    assert shown["withdrawn"] == ["temery"]
    assert _spaces_findings(spaces_home, "2026-09-11T08:00") == []
