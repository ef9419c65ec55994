"""The verification report: one self-contained page, by finding, by division and by teacher,
filtered by severity without any script (radio buttons and CSS), printable."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from bascule.domain.school import describe_moment
from bascule.verification.model import Finding, counts

_environment = Environment(loader=PackageLoader("bascule", "templates"),
                           autoescape=select_autoescape(default=True, default_for_string=True),
                           trim_blocks=True, lstrip_blocks=True)


def write_report(path: Path, findings: list[Finding], *, school_name: str, uai: str,
                 generated_at: datetime) -> None:
    by_division: dict[str, list[Finding]] = defaultdict(list)
    by_teacher: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        for division in finding.divisions:
            by_division[division].append(finding)
        for teacher in finding.teachers:
            by_teacher[teacher].append(finding)
    path.write_text(_environment.get_template("verification.html.j2").render(
        school_name=school_name, uai=uai, findings=findings, totals=counts(findings),
        by_division=dict(sorted(by_division.items())),
        by_teacher=dict(sorted(by_teacher.items())),
        generated_at=describe_moment(generated_at, clock=True)),
        encoding="utf-8")
