"""Every `bascule …` the README and the guide show, inline or in a code block (the demo's
transcript included), names commands and options that exist, and each such command answers
--help."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from typer.main import get_command
from typer.testing import CliRunner

from bascule.cli.app import app

ROOT = Path(__file__).parents[2]
DOCUMENTS = (ROOT / "README.md", ROOT / "docs" / "guide-de-la-bascule.md")
GLOBAL_OPTIONS = {"--home", "--debug", "--help"}
_SPAN = re.compile(r"`(bascule [^`]+)`")
_BLOCK = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
# A command in a block: at the start of a line (after a prompt or a path to the program), or
# after « … : » in the demo's transcript (« Pour continuer : .venv/bin/bascule … »).
_LINE = re.compile(r"(?:^\s*(?:\$\s+)?|\s:\s)(?:[\w./-]*/)?(bascule\s[^#]*)")
# Commands the documents already describe while their helper is still building them: checked
# like any other once they exist. Issue 18's nightly run (`bascule run`, in the service's units),
# issue 21's workers (`bascule worker`, in the académie deployment).
PENDING = {"run", "worker"}
_OUTPUT = re.compile(r"benchmark|^bascule\s+\S+\s+\d")  # benchmarks' own lines
_INDENTED = re.compile(r"^ {4,}(?:[\w./-]*/)?(bascule\s[^#\n]*)", re.M)  # the guide's blocks


def _shown(text: str) -> Iterator[str]:
    yield from _SPAN.findall(text)
    for block in _BLOCK.findall(text):
        for line in block.splitlines():
            found = _LINE.search(line)
            if found and not _OUTPUT.search(found[1]):
                yield found[1].strip()
    yield from (line.strip() for line in _INDENTED.findall(text))


def _options(command: object) -> set[str]:
    return {name for param in getattr(command, "params", ())
            for name in (*param.opts, *param.secondary_opts)}


def _words(shown: str) -> tuple[list[str], set[str]]:
    """The command's words (options and --home's value left out) and the options it names."""
    words = [w.rstrip(",") for w in re.split(r"[\s\[\]()]+", shown.replace("\\|", "|")) if w]
    options = {w.split("=")[0] for w in words if w.startswith("--")}
    kept = [w for before, w in zip(["", *words], words, strict=False)
            if not w.startswith("-") and before != "--home" and w != "…"]
    return kept[1:], options


def _resolved(root: object, shown: str) -> tuple[tuple[str, ...], object]:
    """The command `shown` names, walking the tree: a group's next word must be one of its
    commands (« grant|revoke »: each of them); a command's further words are its arguments."""
    words, options = _words(shown)
    command, path = root, ()
    for word in words:
        children = getattr(command, "commands", None)
        if not children:
            break
        names = word.split("|")
        if command is root and word in PENDING and word not in children:
            return path, command
        assert all(name in children for name in names), f"« {shown} » : {word} n'existe pas"
        command, path = children[names[0]], (*path, names[0])
    unknown = options - _options(command) - GLOBAL_OPTIONS
    assert not unknown, f"« {shown} » : {sorted(unknown)} n'existent pas"
    return path, command


def test_every_command_and_option_the_documents_show_exists() -> None:
    root = get_command(app)
    shown = [line for document in DOCUMENTS for line in _shown(document.read_text("utf-8"))]
    assert len(shown) > 60
    paths = {_resolved(root, line)[0] for line in shown}
    assert {("review", "resolve"), ("apply",), ("accounts",), ("audit",)} <= paths
    runner = CliRunner()
    for path in sorted(paths):
        answered = runner.invoke(app, [*path, "--help"])
        assert answered.exit_code == 0 and "Utilisation :" in answered.stdout, path


def test_a_wrong_command_or_option_is_caught() -> None:
    root = get_command(app)
    for wrong in ("bascule review decide CAS", "bascule frobnicate", "bascule audit --depuis T",
                  "bascule delegation grant|donner LOGIN"):
        try:
            _resolved(root, wrong)
        except AssertionError:
            continue
        raise AssertionError(f"« {wrong} » passed")
