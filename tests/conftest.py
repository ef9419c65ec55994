"""Shared fixtures: the hand-written college exports, a home, the CLI, a generated campaign."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type
from hypothesis import settings
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from bascule.cli.app import app
from bascule.errors import DEBUG_VARIABLE
from bascule.store import hashing, plans
from bascule.store.engine import release_connections
from bascule.synthetic.generate import GeneratedCollege, generate_campaigns

# CI replays the same examples every time (a red build must mean a regression); a developer's
# runs keep exploring new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

# The real servers (slapd, Samba AD) as fixtures, for every test folder.
pytest_plugins = ["tests.servers.fixtures"]

FIXTURES = Path(__file__).parent / "fixtures" / "college"
UAI = "0860999U"
ALL_FILES = ("ElevesSansAdresses.xml", "ResponsablesAvecAdresses.xml", "Nomenclature.xml",
             "Structures.xml", f"sts_emp_{UAI}_2026.xml", "personnes_locales.csv")


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """OWASP argon2id costs ~25 ms a hash: tests that create thousands of accounts use the same
    algorithm at its cheapest, whatever the password's origin. tests/store/test_hashing.py
    checks the real parameters."""
    cheapest = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID)
    monkeypatch.setattr(hashing, "HASHER", cheapest)
    monkeypatch.setattr(hashing, "GENERATED_HASHER", cheapest)


@pytest.fixture(autouse=True)
def plans_of_unknown_day(request: pytest.FixtureRequest,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests play days in a row with --at (the night of the 11th, an approval, the night of
    the 12th): against the machine's clock each of their plans would be a rehearsal, applied
    on its own day only. Their plans keep no real day (as plans saved before the store kept
    it), but for the tests of that rule (marker `machine_clock`)."""
    if request.node.get_closest_marker("machine_clock") is None:
        monkeypatch.setattr(plans, "machine_now", lambda: None)


@pytest.fixture(autouse=True)
def no_debug_left(monkeypatch: pytest.MonkeyPatch) -> None:
    """`bascule --debug`, run in this process by a test, leaves BASCULE_DEBUG for the night's
    processes: each test starts without it (monkeypatch puts back what was there)."""
    monkeypatch.delenv(DEBUG_VARIABLE, raising=False)


@pytest.fixture(autouse=True)
def released_connections() -> Iterator[None]:
    """A test's store is a file of its own: the connections the process kept to it are closed
    after the test (hundreds of stores in one run, and PostgreSQL databases dropped)."""
    yield
    release_connections()


@pytest.fixture
def college(tmp_path: Path) -> Path:
    """A private copy of the hand-written exports, free to be edited by a test."""
    folder = tmp_path / "exports"
    shutil.copytree(FIXTURES, folder)
    return folder


def line_of(path: Path, needle: str, encoding: str = "iso-8859-15") -> int:
    """The 1-based line where `needle` first stands in a file."""
    data = path.read_bytes()
    return data[: data.index(needle.encode(encoding))].count(b"\n") + 1


def edit(path: Path, old: str, new: str, encoding: str = "iso-8859-15") -> None:
    """Replace text in a fixture, keeping its encoding (and, with one-line edits, its lines)."""
    data = path.read_bytes()
    assert old.encode(encoding) in data, old
    path.write_bytes(data.replace(old.encode(encoding), new.encode(encoding), 1))


def add_eleve(xml: Path, eleve_id: str, ine: str, names: tuple[str, str], born: str,
              division: str, entered: str) -> None:
    """One more élève (a boy, `names` his last and first), in `division`, at the end of a
    Siècle-BEE élèves file."""
    last, first = names
    edit(xml, "</ELEVES>", f'<ELEVE ELEVE_ID="{eleve_id}"><ID_NATIONAL>{ine}</ID_NATIONAL>'
         f"<NOM_DE_FAMILLE>{last}</NOM_DE_FAMILLE><NOM_USAGE></NOM_USAGE><PRENOM>{first}"
         f"</PRENOM><DATE_NAISS>{born}</DATE_NAISS><CODE_SEXE>1</CODE_SEXE><CODE_MEF>"
         f"10010012110</CODE_MEF><DATE_ENTREE>{entered}</DATE_ENTREE></ELEVE></ELEVES>")
    edit(xml, "</STRUCTURES></DONNEES>", f'<STRUCTURES_ELEVE ELEVE_ID="{eleve_id}"><STRUCTURE>'
         f"<CODE_STRUCTURE>{division}</CODE_STRUCTURE><TYPE_STRUCTURE>D</TYPE_STRUCTURE>"
         "</STRUCTURE></STRUCTURES_ELEVE></STRUCTURES></DONNEES>")


@dataclass
class Cli:
    home: Path
    runner: CliRunner

    def __call__(self, *args: str | Path) -> Result:
        result = self.runner.invoke(app, ["--home", str(self.home), *map(str, args)])
        return Result(result.exit_code, result.stdout, result.stderr, result.exception)

    def plan_computed_on_its_own_day(self) -> None:
        """The newest plan as if the machine's clock had been its --at when it was computed
        (the night's plan of an earlier evening), not a rehearsal's: tests run in 2026's
        November, their plans dated by --at."""
        engine = create_engine(f"sqlite:///{self.home / 'bascule.sqlite'}")
        with engine.begin() as connection:
            connection.execute(text("UPDATE saved_plan SET saved_at = computed_at "
                                    "WHERE id = (SELECT max(id) FROM saved_plan)"))
        engine.dispose()

    def store_rows(self) -> list[tuple[object, ...]]:
        """Everything the store holds, to prove a rejected import wrote nothing."""
        database = self.home / "bascule.sqlite"
        if not database.exists():
            return []
        engine = create_engine(f"sqlite:///{database}")
        with engine.connect() as connection:
            rows = list(connection.execute(text("SELECT * FROM staged_snapshot ORDER BY id")))
        engine.dispose()
        return [tuple(row) for row in rows]


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("COLUMNS", "200")  # one problem per line, whatever the terminal
    return Cli(home=tmp_path / "home", runner=CliRunner())


# A rollover day after the rentrée and the pedagogical server's resumption: syncs are allowed.
ROLLOVER_AT = "2026-09-10T10:00"


def apply_campaign(cli: Cli, files: Files, *paths: Path, at: str = ROLLOVER_AT) -> None:
    """The hand-written college (or these exports) imported, planned and applied."""
    assert cli("import", *(paths or files())).exit_code == 0
    assert cli("plan", "--at", at).exit_code == 0
    result = cli("apply", "--yes", "--at", at)
    assert result.exit_code == 0, result.output


@pytest.fixture
def home_cli(cli: Cli) -> Cli:
    """A CLI on a home initialised for the hand-written college."""
    assert cli("init", "--uai", UAI, "--name", "Collège Jean Moulin").exit_code == 0
    return cli


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> GeneratedCollege:
    """One realistic collège over two years, generated once for the whole run."""
    out = tmp_path_factory.mktemp("generated")
    return generate_campaigns(out, colleges=1, seed=7, year=2025)[0]


Files = Callable[..., list[Path]]


@pytest.fixture
def files(college: Path) -> Files:
    def pick(*names: str) -> list[Path]:
        return [college / name for name in (names or ALL_FILES)]

    return pick
