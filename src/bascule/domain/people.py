"""Profiles, staff functions and the few rules on names and dates that the exports need."""

from __future__ import annotations

import re
import unicodedata
from enum import Enum
from functools import lru_cache

from bascule.domain.dates import parse_french_date as parse_french_date
from bascule.domain.dates import parse_iso_date as parse_iso_date
from bascule.domain.dates import parse_shown_date as parse_shown_date
from bascule.domain.logins import LoginKind


class Profile(Enum):
    ELEVE = "élève"
    RESPONSABLE = "responsable"
    ENSEIGNANT = "enseignant"
    PERSONNEL = "personnel"


def on_pedagogical_network(profile: str) -> bool:
    """Élèves and staff have an account on the school's network; responsables only reach the
    ENT and EduConnect."""
    return profile != "responsable"


class StaffCategory(Enum):
    """What a staff member does, from the national function code (STS FONCTION)."""

    ENSEIGNANT = "enseignant"
    DIRECTION = "direction"
    DOCUMENTATION = "documentation"
    VIE_SCOLAIRE = "vie scolaire"
    ADMINISTRATIF = "administratif et technique"


# The national nomenclature's function codes (STS-Web FONCTION, AAF ENTPersonFonctions): the one
# table that gives each its category, hence its profile. Codes seen in real staff data
# (../shared/formats/README.md, section 9) and in the GAR and AAF mapping tables. Whoever holds
# a service in STS-Web teaches, whatever this table says (snapshot/staff.py).
FUNCTIONS: dict[str, tuple[StaffCategory, str]] = {
    "ENS": (StaffCategory.ENSEIGNANT, "enseignement"),
    "DIR": (StaffCategory.DIRECTION, "direction"),
    "DOC": (StaffCategory.DOCUMENTATION, "documentation"),
    "EDU": (StaffCategory.VIE_SCOLAIRE, "éducation (CPE)"),
    "AED": (StaffCategory.VIE_SCOLAIRE, "assistant d'éducation"),
    "SUR": (StaffCategory.VIE_SCOLAIRE, "surveillance"),
    "AVS": (StaffCategory.VIE_SCOLAIRE, "accompagnement des élèves en situation de handicap"),
    "AES": (StaffCategory.VIE_SCOLAIRE, "accompagnement des élèves en situation de handicap"),
    "ADF": (StaffCategory.ADMINISTRATIF, "administration et finances"),
    "ADM": (StaffCategory.ADMINISTRATIF, "administration"),
    "ADA": (StaffCategory.ADMINISTRATIF, "administration"),
    "CTR": (StaffCategory.ADMINISTRATIF, "contrôle"),
    "INS": (StaffCategory.ADMINISTRATIF, "inspection"),
    "CFC": (StaffCategory.ADMINISTRATIF, "conseil en formation continue"),
    "FIJ": (StaffCategory.ADMINISTRATIF, "formation et insertion des jeunes"),
    "ORI": (StaffCategory.ADMINISTRATIF, "orientation (psychologue de l'Éducation nationale)"),
    "PSY": (StaffCategory.ADMINISTRATIF, "psychologue de l'Éducation nationale"),
    "LAB": (StaffCategory.ADMINISTRATIF, "laboratoire"),
    "TEC": (StaffCategory.ADMINISTRATIF, "technique"),
    "OUV": (StaffCategory.ADMINISTRATIF, "ouvrier et de service"),
    "ALB": (StaffCategory.ADMINISTRATIF, "accueil, logistique"),
    "MDS": (StaffCategory.ADMINISTRATIF, "médico-social"),
    "INF": (StaffCategory.ADMINISTRATIF, "infirmerie"),
    "ASE": (StaffCategory.ADMINISTRATIF, "service social"),
}
# "-": the nomenclature's "sans objet", which says no more than an empty FONCTION.
NO_FUNCTION = frozenset({"", "-"})
KNOWN_FUNCTIONS = frozenset(FUNCTIONS)


def staff_category(function: str) -> StaffCategory:
    """The category of a function code; an unknown or absent one is administrative staff (the
    least rights), unless services say the person teaches."""
    return FUNCTIONS.get(function, (StaffCategory.ADMINISTRATIF, ""))[0]


class Sex(Enum):
    MALE = "1"
    FEMALE = "2"


def parse_sex(value: str | None) -> Sex | None:
    """CODE_SEXE (Siècle) or SEXE (STS): 1 or 2; anything else is unknown."""
    try:
        return Sex((value or "").strip())
    except ValueError:
        return None


class GuardianLevel(Enum):
    """NIVEAU_RESPONSABILITE of Siècle since 2018."""

    LEGAL = 1
    EN_CHARGE = 2
    CONTACT = 3


# Mojibake left by a file re-saved as UTF-8 but still declaring ISO-8859-15: "Ã©" for "é".
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u20ac]")
# C0 and C1 control characters, which no name or code may hold (tab and newline included).
_CONTROL = re.compile("[\u0000-\u001f\u007f-\u009f]")


# Any run of spaces (Unicode Zs: the no-break ones included) is one plain space inside a name;
# tabs, newlines and other controls are left for the control-character check to refuse.
_SPACES = re.compile("[ \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")


@lru_cache(maxsize=1 << 16)  # an import cleans every name of a school; many repeat
def clean_name(text: str) -> str:
    """A name as every target should get it: Unicode NFC (é one character, not e and an
    accent), format characters removed (category Cf: zero-width space and joiner, soft hyphen,
    bidi marks, BOM), each run of spaces one space, trimmed. Words are kept: "Lena Marie"
    stays whole."""
    if text.isascii():  # no format character, already NFC: only the spaces to fold
        return _SPACES.sub(" ", text).strip()
    # Format characters go first: one between a letter and its accent would block composing.
    visible = "".join(char for char in text if unicodedata.category(char) != "Cf")
    return _SPACES.sub(" ", unicodedata.normalize("NFC", visible)).strip()


def invisible_characters(text: str) -> list[str]:
    """The format characters of a text, as U+XXXX, for a message that can show them."""
    return [f"U+{ord(char):04X}" for char in text if unicodedata.category(char) == "Cf"]


def has_mojibake(text: str) -> bool:
    return bool(_MOJIBAKE.search(text))


def has_control_character(text: str) -> bool:
    return bool(_CONTROL.search(text))


def preferred_last_name(usage: str | None, family: str | None, legacy: str | None) -> str:
    """Usage name wins over family name; the pre-2016 NOM field is the fallback."""
    for candidate in (usage, family, legacy):
        if candidate and candidate.strip():
            return candidate.strip()
    return ""


class PersonKind(Enum):
    """Who a person is to bascule: an élève, a responsable or a staff member (any category),
    for the plan, the held records and the logins each may have."""

    ELEVE = "eleve"
    RESPONSABLE = "responsable"
    STAFF = "staff"

    @property
    def login_kinds(self) -> tuple[LoginKind, ...]:
        """Élèves and staff share the network namespace; élèves and responsables EduConnect."""
        if self is PersonKind.ELEVE:  # compared, not looked up: no Enum hashed, no dict made
            return (LoginKind.NETWORK, LoginKind.EDUCONNECT)
        return (LoginKind.EDUCONNECT,) if self is PersonKind.RESPONSABLE else (LoginKind.NETWORK,)
