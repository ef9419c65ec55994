"""Bounded inputs: zip bombs, lying zip headers, and XML built to fill memory are refused in
French, and no export, however built, makes an import take more than 256 MB."""

from __future__ import annotations

import io
import random
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bascule.exports.read import read_export
from bascule.exports.source import ExportLimits, UnreadableSource
from tests.conftest import FIXTURES, Cli, Files

MIB = 1024 * 1024
LIMITS = ExportLimits()
# The peak resident memory of one command, run as the only child of a small Python.
_PEAK = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
         "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)")


def _zip_bytes(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def _lying_zip(name: str, inflated_mb: int, declared: int) -> bytes:
    """A zip of `inflated_mb` MB of zeros whose local header and central directory both say
    `declared` bytes."""
    buffer = io.BytesIO()
    with (zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
          archive.open(name, "w") as entry):
        for _ in range(inflated_mb):
            entry.write(bytes(MIB))
    packed = buffer.getvalue()
    real = struct.pack("<I", inflated_mb * MIB)
    assert packed.count(real) == 2  # the local header and the central directory
    return packed.replace(real, struct.pack("<I", declared)) if declared else packed


def _letters(size: int, seed: int) -> bytes:
    """Random letters: they deflate about 4 times, like nothing a zip bomb is made of."""
    return random.Random(seed).randbytes(size).translate(bytes(b"ACGT"[n % 4]
                                                               for n in range(256)))


def _problem(path: Path) -> str:
    with pytest.raises(UnreadableSource) as raised:
        read_export(path)
    return str(raised.value.problem) + " → " + raised.value.problem.hint


def _eleves_parts() -> tuple[bytes, bytes, bytes]:
    """The fixture's ElevesSansAdresses.xml cut into head, one ELEVE record, and tail."""
    text = (FIXTURES / "ElevesSansAdresses.xml").read_bytes()
    start = text.index(b"      <ELEVE ELEVE_ID")
    end = text.index(b"</ELEVE>", start) + len(b"</ELEVE>\n")
    return text[:start], text[start:end], text[text.index(b"</ELEVES>"):]


def _bomb_under_every_limit() -> bytes:
    """An élèves export just under every limit: records, markup, inflated size and ratio."""
    head, record, tail = _eleves_parts()
    records = LIMITS.max_records // 3 - 100  # three such files fit in one import
    body = b"".join(record.replace(b'ELEVE_ID="1000001"', b'ELEVE_ID="%d"' % (3000000 + n))
                    for n in range(records))
    elements = head + body + tail
    junk_tags = LIMITS.max_elements - 1000 - elements.count(b"<") + elements.count(b"</")
    room = LIMITS.max_bytes - MIB - len(head) - len(body) - len(tail) - 4 * junk_tags
    # Text nodes under libxml2's own 10 MB limit, random enough to stay under the ratio.
    filler = _letters(9 * MIB, 16)
    padding = b"".join(b"<X>" + filler[:min(9 * MIB, room - n)] + b"</X>"
                       for n in range(0, room, 9 * MIB))
    return head + body + b"<X/>" * junk_tags + padding + tail


def test_a_zip_bomb_is_refused_by_its_ratio(tmp_path: Path) -> None:
    path = tmp_path / "ExportXML_ElevesSansAdresses.zip"
    path.write_bytes(_zip_bytes("ElevesSansAdresses.xml", b"<a>" + b" " * (10 * MIB) + b"</a>"))
    message = _problem(path)
    assert message.startswith("ExportXML_ElevesSansAdresses.zip · ")
    assert "ElevesSansAdresses.xml se décompresse plus de 100 fois" in message
    assert "refaites l'export depuis Siècle-BEE" in message


def test_a_zip_inflating_past_the_size_limit_is_refused_while_inflating(tmp_path: Path) -> None:
    path = tmp_path / "ExportXML_ElevesSansAdresses.zip"
    path.write_bytes(_zip_bytes("ElevesSansAdresses.xml", _letters(3 * MIB, 1)))
    with pytest.raises(UnreadableSource) as raised:
        read_export(path, ExportLimits(max_bytes=2 * MIB))
    assert "ElevesSansAdresses.xml dépasse 2 Mo une fois décompressé" in str(raised.value)


def test_a_zip_header_understating_its_size_is_refused_as_damaged(tmp_path: Path) -> None:
    path = tmp_path / "ExportXML_ElevesSansAdresses.zip"
    path.write_bytes(_lying_zip("ElevesSansAdresses.xml", 200, declared=1000))
    assert "archive zip illisible ou tronquée" in _problem(path)


def test_a_bare_file_past_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "ElevesSansAdresses.xml"
    with path.open("wb") as file:
        file.truncate(LIMITS.max_bytes + 1)  # sparse: the reader must refuse it by its size
    assert "ElevesSansAdresses.xml dépasse 16 Mo" in _problem(path)


def test_markup_built_to_fill_the_parser_is_refused_before_parsing(tmp_path: Path) -> None:
    head, record, tail = _eleves_parts()
    path = tmp_path / "ElevesSansAdresses.xml"
    path.write_bytes(head + b"<X/>" * LIMITS.max_elements + record + tail)
    assert "plus de 400000 éléments XML" in _problem(path)


def test_too_many_records_are_refused_naming_the_setting(tmp_path: Path) -> None:
    head, _record, tail = _eleves_parts()
    path = tmp_path / "ElevesSansAdresses.xml"
    path.write_bytes(head + b"".join(b'<ELEVE ELEVE_ID="%d"/>' % n
                                     for n in range(LIMITS.max_records + 1)) + tail)
    message = _problem(path)
    assert "l'import dépasse 50000 enregistrements" in message
    assert "import.max_records" in message


def test_the_limits_are_settings_of_the_folder(home_cli: Cli, files: Files) -> None:
    with (home_cli.home / "bascule.toml").open("a", encoding="utf-8") as config:
        config.write("\n[import]\nmax_export_mo = 1\nmax_records = 3\n")
    result = home_cli("import", *files())
    assert result.exit_code == 1
    assert "ElevesSansAdresses.xml · l'import dépasse 3 enregistrements" in result.output
    assert "relevez import.max_records dans bascule.toml" in result.output


@pytest.mark.parametrize("xml", [
    b"<BEE_ELEVES><PARAMETRES>" + b"<A>" * 300 + b"</A>" * 300 + b"</PARAMETRES></BEE_ELEVES>",
    b"<BEE_ELEVES><PARAMETRES><UAJ>" + b"x" * (11 * MIB) + b"</UAJ></PARAMETRES></BEE_ELEVES>",
], ids=["deep-nesting", "huge-text-node"])
def test_the_xml_parser_keeps_its_own_limits(tmp_path: Path, xml: bytes) -> None:
    path = tmp_path / "ElevesSansAdresses.xml"
    path.write_bytes(b'<?xml version="1.0" encoding="UTF-8"?>\n' + xml)
    assert "XML mal formé ou tronqué" in _problem(path)


def _peak_import(home: Path, campaign: Path) -> tuple[int, int]:
    bascule = Path(sys.executable).with_name("bascule")
    subprocess.run([bascule, "--home", home, "init", "--uai", "0860999U", "--name", "Test"],
                   check=True, capture_output=True)
    measured = subprocess.run([sys.executable, "-c", _PEAK, bascule, "--home", home, "import",
                               campaign], capture_output=True, text=True, check=True)
    code, peak_mb = measured.stdout.split()[-2:]
    return int(code), int(peak_mb)


def _campaign_with(folder: Path, bombs: list[bytes]) -> Path:
    folder.mkdir()
    for name in ("ResponsablesAvecAdresses.xml", "Structures.xml", "Nomenclature.xml"):
        (folder / name).write_bytes((FIXTURES / name).read_bytes())
    for number, bomb in enumerate(bombs):
        (folder / f"ExportXML_ElevesSansAdresses_{number}.zip").write_bytes(bomb)
    return folder


def test_three_exports_just_under_every_limit_take_less_than_256_mb(tmp_path: Path) -> None:
    bomb = _zip_bytes("ElevesSansAdresses.xml", _bomb_under_every_limit())
    code, peak_mb = _peak_import(tmp_path / "home",
                                 _campaign_with(tmp_path / "exports", [bomb] * 3))
    assert code == 1  # refused with a message (its élèves lack divisions), never a crash
    assert peak_mb < 256, peak_mb


@pytest.mark.parametrize(("inflated_mb", "declared"), [
    (500, 500 * MIB),  # the bomb of issue 16, honest about its size
    (300, LIMITS.max_bytes - MIB),  # a header that lies: it says under the limit
], ids=["500-mb-bomb", "lying-header"])
def test_a_zip_bomb_takes_less_than_256_mb(tmp_path: Path, inflated_mb: int,
                                           declared: int) -> None:
    bomb = _lying_zip("ElevesSansAdresses.xml", inflated_mb, declared=declared)
    code, peak_mb = _peak_import(tmp_path / "home", _campaign_with(tmp_path / "exports", [bomb]))
    assert code == 1
    assert peak_mb < 256, peak_mb
