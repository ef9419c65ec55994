"""Initial passwords on disk: what an interrupted apply left, settled, and every folder of
plaintext passwords announced.

`apply` writes `credentials/<UAI>/<stamp>.partial/` before its transaction and renames it once
the transaction is committed. A crash between the two leaves a `.partial` holding the only copy
of the new accounts' passwords; a crash before the commit leaves one matching no account. Which
is which, the store says: the passwords of the first accounts listed verify against their
hashes, or their logins do not exist. The first is completed, the second deleted; in doubt
(the accounts exist but none of the passwords verifies) the folder is kept and announced.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from bascule.domain.school import local_time
from bascule.errors import UserError
from bascule.operations.locks import school_lock
from bascule.reports.tables import original_cell
from bascule.store.hashing import verify_password
from bascule.store.history import applied_plans
from bascule.store.people import find_person, password_hash_of

PARTIAL = ".partial"
APPLY_STAMP = "%Y%m%d-%H%M%S"  # an apply's folder of passwords is named by its moment
_CHECKED_ROWS = 3  # one argon2 verification each: enough to tell a committed apply


def credentials_root(home: Path, uai: str) -> Path:
    return home / "credentials" / uai


def apply_folder_name(moment: datetime) -> str:
    """The name of an apply's folder of passwords: its moment, Paris time (20260910-100000)."""
    return local_time(moment).strftime(APPLY_STAMP)


def undone_applies(engine: Engine, uai: str) -> dict[str, int]:
    """An apply's folder name -> the undo that undid it: the accounts its slips are for were
    removed, their passwords sign in nowhere, the slips are not to be handed out."""
    return {apply_folder_name(applied.applied_at): applied.undone_by
            for applied in applied_plans(engine, uai) if applied.undone_by is not None}


def settle_partial_credentials(engine: Engine, home: Path, uai: str) -> list[str]:
    """Complete or delete each `.partial` folder of the school; the caller holds the school's
    lock (no apply is writing one). Returns what was done, in French, for the user."""
    return [_settle(engine, uai, partial)
            for partial in sorted(credentials_root(home, uai).glob(f"*{PARTIAL}"))]


def settle_if_idle(engine: Engine, home: Path, uai: str) -> list[str]:
    """The same, for `plan` and `status`: only when no apply of the school is running (its
    `.partial` is then legitimately being written)."""
    try:
        with school_lock(home, uai, "vérification des mots de passe initiaux",
                         wait_seconds=0, engine=engine):
            return settle_partial_credentials(engine, home, uai)
    except UserError:
        return []


def plaintext_folders(home: Path, uai: str) -> list[Path]:
    """The folders of initial passwords in clear, oldest first, to be distributed, then
    deleted."""
    root = credentials_root(home, uai)
    return sorted(folder for folder in root.iterdir()
                  if folder.is_dir()) if root.is_dir() else []


def _settle(engine: Engine, uai: str, partial: Path) -> str:
    final = partial.with_name(partial.name.removesuffix(PARTIAL))
    committed = _committed(engine, uai, _first_rows(partial / "comptes.csv"))
    if committed is True:
        partial.rename(final)
        return (f"Mots de passe initiaux récupérés dans {final} : une application interrompue "
                "après l'enregistrement des comptes les avait laissés inachevés. Distribuez-les, "
                "puis supprimez le dossier.")
    if committed is False:
        shutil.rmtree(partial)
        return (f"Dossier {partial} supprimé : ses mots de passe venaient d'une application "
                "interrompue avant l'enregistrement et ne correspondaient à aucun compte.")
    return (f"Dossier {partial} à vérifier : ses comptes existent mais aucun mot de passe ne "
            "correspond plus. Supprimez-le s'ils ont tous été changés depuis.")


def _first_rows(path: Path) -> list[tuple[str, str]]:
    """(login, password) of the first accounts of a comptes.csv: its first two columns are the
    logins (network, EduConnect), its last the password, whatever the headers say."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            rows = list(zip(csv.reader(file, delimiter=";"), range(_CHECKED_ROWS + 1),
                            strict=False))[1:]
    except (OSError, csv.Error):
        return []
    return [(original_cell(row[0] or row[1]), original_cell(row[-1]))
            for row, _ in rows if len(row) > 2]


def _committed(engine: Engine, uai: str, rows: Sequence[tuple[str, str]]) -> bool | None:
    """True when a password verifies, False when no account exists, None in doubt."""
    found = False
    with engine.connect() as connection:
        for login, password in rows:
            try:
                holder = find_person(connection, uai, login)
            except UserError:
                continue
            found = True
            if verify_password(password_hash_of(connection, holder), password):
                return True
    return None if found or not rows else False
