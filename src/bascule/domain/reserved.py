"""The names a login may never take: ONE table, whatever the targets of a school.

An Active Directory refuses a user whose sAMAccountName is already a group's or another
account's (the name is unique across users, groups and computers, compared without case), and
a Linux client of an OpenLDAP directory mixes the directory's users with its own system
accounts (`root`, `daemon`, …). So a login is never the name of a group bascule writes, of an
account or group a directory has when it is installed, of a POSIX system account, or a
device name Windows reserves. The table holds every such name, with the reason, for every
kind of target at once: a school may add an Active Directory later, and its logins must
already fit. The plan checks it (domain/logins.py) when it gives a login, and renames an
account whose login became reserved (README, « Identifiants réservés »).

Logins are lower-case letters and digits (and the dot of p.nom): multi-word names ("Domain
Admins") and prefixed group names ("classe-6a", bascule's families equipe-/classe-/groupe-/
matiere-) can never be logins, which tests/domain/test_reserved.py checks.
Sources: Microsoft, "Active Directory default security groups" and "Default local user
accounts"; Samba's provision (source4/setup/provision_users.ldif); Debian base-passwd
(/usr/share/base-passwd/passwd.master and group.master); Microsoft, "Naming Files, Paths,
and Namespaces" for the device names.
"""

from __future__ import annotations

import hashlib
from enum import Enum


class ReservedReason(Enum):
    """Why a name is reserved, in French for the plan and the reports."""

    BASCULE_GROUP = "groupe créé par bascule"
    ACTIVE_DIRECTORY = "compte ou groupe intégré d'Active Directory"
    POSIX = "compte ou groupe système (OpenLDAP, postes Linux)"
    ADMINISTRATION = "nom d'administration"
    WINDOWS_DEVICE = "nom de périphérique réservé par Windows"


# The groups bascule writes on every directory target, by profile (targets/model.py uses these).
ELEVES_GROUP = "eleves"
PROFS_GROUP = "profs"
PERSONNELS_GROUP = "personnels"
REFERENTS_GROUP = "referents-informatique"
PP_GROUP = "profs-principaux"

_BASCULE_GROUPS = (ELEVES_GROUP, PROFS_GROUP, PERSONNELS_GROUP, REFERENTS_GROUP, PP_GROUP)
# Single-word sAMAccountNames of a new domain (Windows Server and Samba provision), and the
# well-known principals a share's rights name ("Everyone", "SYSTEM"); the names with spaces
# cannot be logins. "computers" and "users" are also containers' names.
_ACTIVE_DIRECTORY = (
    "administrator", "administrators", "guest", "guests", "users", "krbtgt", "replicator",
    "computers", "dnsadmins", "dnsupdateproxy", "iusr", "everyone", "system", "network",
    "interactive", "batch", "service", "dialup",
)
# Debian's base-passwd users and groups, and common names of system accounts on Linux clients.
_POSIX = (
    "root", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp",
    "proxy", "backup", "list", "irc", "gnats", "nobody", "nogroup", "adm", "tty", "disk",
    "kmem", "dialout", "fax", "voice", "cdrom", "floppy", "tape", "sudo", "audio", "dip",
    "operator", "src", "shadow", "utmp", "video", "sasl", "plugdev", "staff", "wheel",
    "input", "render", "netdev", "openldap", "slapd", "sshd", "messagebus", "postfix",
    "samba", "ftp", "www", "http", "nfsnobody", "halt", "shutdown", "polkitd", "avahi",
)
_ADMINISTRATION = ("administrateur", "admin", "invite", "systeme", "support", "test",
                   "webmaster", "postmaster", "hostmaster", "abuse", "security", "bascule")
_WINDOWS_DEVICES = ("con", "prn", "aux", "nul", "clock", *(f"com{n}" for n in range(10)),
                    *(f"lpt{n}" for n in range(10)))

RESERVED_NAMES: dict[str, ReservedReason] = {
    name: reason
    for reason, names in ((ReservedReason.WINDOWS_DEVICE, _WINDOWS_DEVICES),
                          (ReservedReason.ADMINISTRATION, _ADMINISTRATION),
                          (ReservedReason.POSIX, _POSIX),
                          (ReservedReason.ACTIVE_DIRECTORY, _ACTIVE_DIRECTORY),
                          (ReservedReason.BASCULE_GROUP, _BASCULE_GROUPS))
    for name in names
}


# Changes whenever the table does: the store's "nothing to plan" shortcut is then void, so that
# the next plan renames the accounts a new version of the table reserves (store/state.py).
TABLE_VERSION = hashlib.sha256(" ".join(sorted(RESERVED_NAMES)).encode()).hexdigest()[:12]


def reserved_reason(name: str) -> ReservedReason | None:
    """Why `name` may not be a login (compared without case, as AD does), or None."""
    return RESERVED_NAMES.get(name.casefold())
