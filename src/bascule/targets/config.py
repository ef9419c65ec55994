"""A registered directory target, as bascule.toml holds it. Its password is never stored here:
only the file that holds it (or an environment variable) is named."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from bascule.errors import UserError


class TargetKind(Enum):
    OPENLDAP = "openldap"
    AD = "ad"


# uidNumber and gidNumber are given from here on, once per school (targets and spaces share them).
FIRST_POSIX_NUMBER = 10000

# The containers bascule creates under the base DN, one per kind of entry.
DEFAULT_OUS = {"eleves": "ou=Eleves", "profs": "ou=Profs", "personnels": "ou=Personnels",
               "groupes": "ou=Groupes"}


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetConfig:
    name: str
    kind: TargetKind
    uai: str
    url: str
    base_dn: str
    bind_dn: str
    password_file: Path | None = None
    ca_file: Path | None = None
    ous: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_OUS))
    home_root: str = "/home"
    login_shell: str = "/bin/bash"
    first_posix_number: int = FIRST_POSIX_NUMBER

    @property
    def password_variable(self) -> str:
        """The environment variable that may hold the bind password instead of the file."""
        cleaned = "".join(c if c.isalnum() else "_" for c in self.name.upper())
        return f"BASCULE_{cleaned}_PASSWORD"

    def bind_password(self) -> str:
        """Read at run time, from the environment or the file; never kept or shown."""
        if value := os.environ.get(self.password_variable):
            return value
        if self.password_file is None:
            raise UserError(f"La cible « {self.name} » n'a pas de mot de passe de connexion.",
                            hint=f"Donnez --password-file à bascule target add, ou la variable "
                            f"d'environnement {self.password_variable}.")
        try:
            return self.password_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UserError(f"Le fichier du mot de passe de la cible « {self.name} » est "
                            f"illisible : {self.password_file} ({exc.strerror}).",
                            hint="Vérifiez le chemin et les droits du fichier (lisible par "
                            "bascule, par personne d'autre).") from exc
