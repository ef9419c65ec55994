"""The latest result of a check that changes nothing (the verification, the quota scan), kept in
the home beside the store so that the console's dashboard can show it without running the check
again on every visit. Only counts and space names: nothing personal, nothing secret."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bascule.settings import Settings

VERIFICATION = "verification"
SPACES_USAGE = "espaces"


@dataclass(frozen=True, slots=True)
class Summary:
    at: datetime
    data: dict[str, object]


def _path(settings: Settings, uai: str, name: str) -> Path:
    return settings.home / "etat" / uai / f"{name}.json"


def keep_summary(settings: Settings, uai: str, name: str, data: dict[str, object],
                 now: datetime) -> None:
    """Replace the summary at once (written aside, then renamed): a reader never sees half."""
    path = _path(settings, uai, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps({"at": now.isoformat(), "data": data}, ensure_ascii=False),
                       encoding="utf-8")
    os.replace(partial, path)


def latest_summary(settings: Settings, uai: str, name: str) -> Summary | None:
    try:
        document = json.loads(_path(settings, uai, name).read_text(encoding="utf-8"))
    except (OSError, ValueError):  # never run, or a damaged file: the check is simply run again
        return None
    return Summary(at=datetime.fromisoformat(document["at"]), data=document["data"])
