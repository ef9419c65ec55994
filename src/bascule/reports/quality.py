"""The data-quality report for the school office, as a standalone HTML page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from bascule.domain.school import describe_moment
from bascule.errors import Problem
from bascule.snapshot.model import Snapshot
from bascule.snapshot.quality import Finding, Summary

_environment = Environment(
    loader=PackageLoader("bascule", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def write_quality_report(
    path: Path,
    *,
    school_name: str,
    snapshot: Snapshot | None,
    summary: Summary | None,
    findings: Sequence[Finding],
    problems: Sequence[Problem],
    generated_at: datetime,
) -> None:
    """Write the report; with snapshot None it lists the errors that stopped the import."""
    html = _environment.get_template("quality.html.j2").render(
        school_name=school_name,
        snapshot=snapshot,
        summary=summary,
        findings=findings,
        errors=[p for p in problems if p.is_error],
        held=[p for p in problems if p.is_held],
        warnings=[p for p in problems if not p.is_error and not p.is_held],
        generated_at=describe_moment(generated_at, clock=True),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
