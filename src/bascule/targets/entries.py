"""How bascule's users and groups are written in each kind of directory: DNs (every value
escaped per RFC 4514, so a code like ",ou=x" stays a literal), object classes, attributes, the
marker of the entries bascule owns, how a disabled account is locked.

OpenLDAP: inetOrgPerson + posixAccount users, groupOfNames groups (with a gidNumber through
extensibleObject, as nslcd reads them); the lock is ppolicy's pwdAccountLockedTime. Active
Directory: user and group objects, sAMAccountName and userPrincipalName, the RFC 2307 attributes
when the domain's schema has them, the lock is userAccountControl's ACCOUNTDISABLE bit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ldap.dn import escape_dn_chars, explode_dn, str2dn

from bascule.targets.config import TargetConfig, TargetKind
from bascule.targets.diff import Attributes, Entry, Values
from bascule.targets.model import PROFILE_GROUPS, Container, DesiredGroup, NetworkUser

MARKER = b"bascule"
LOCKED_FOR_GOOD = b"000001010000Z"  # ppolicy: locked until an administrator unlocks
ACCOUNTDISABLE = 0x2
NORMAL_ACCOUNT = 0x200


def _values(*values: str | int | None) -> Values:
    return tuple(str(value).encode("utf-8") for value in values if value not in (None, ""))


@dataclass(frozen=True, slots=True)
class Numbers:
    """POSIX numbers from the store: uidNumber by person key, gidNumber by group name."""

    users: Mapping[str, int]
    groups: Mapping[str, int]


class Flavour:
    """What both kinds share: the containers and DNs under the target's base."""

    marker_attribute = ""
    user_rdn = ""
    user_attributes: frozenset[str] = frozenset()
    group_attributes: frozenset[str] = frozenset()
    # The attribute the server derives on users from the groups' members, when a crash can
    # leave it behind its groups (None: the server keeps it in step itself, as AD does).
    member_of: str | None = None

    def __init__(self, config: TargetConfig, *, posix: bool = True):
        self.config = config
        self.posix = posix
        self._user_dns: dict[NetworkUser, str] = {}  # each DN escaped once, used many times

    def container_dn(self, container: Container) -> str:
        return f"{self.config.ous[container.value]},{self.config.base_dn}"

    def containers(self) -> tuple[Entry, ...]:
        entries = []
        for container in Container:
            dn = self.container_dn(container)
            (attribute, value, _flags), *_rest = str2dn(dn)[0]
            entries.append(Entry(dn, {"objectclass": (b"organizationalUnit",),
                                      attribute.lower(): _values(value),
                                      self.marker_attribute: (MARKER,)}))
        return tuple(entries)

    def user_dn(self, user: NetworkUser) -> str:
        if (dn := self._user_dns.get(user)) is None:
            dn = self._user_dns[user] = self.dn_of(user.login, user.container)
        return dn

    def dn_of(self, login: str, container: Container) -> str:
        return (f"{self.user_rdn}={escape_dn_chars(login)},{self.config.ous[container.value]},"
                f"{self.config.base_dn}")

    def group_dn(self, name: str) -> str:
        return f"cn={escape_dn_chars(name)},{self.container_dn(Container.GROUPES)}"

    def primary_group(self, user: NetworkUser) -> str:
        return PROFILE_GROUPS[user.container]

    def home(self, user: NetworkUser) -> str:
        return f"{self.config.home_root.rstrip('/')}/{user.login}"

    def member_values(self, group: DesiredGroup, users: Mapping[str, NetworkUser]) -> Values:
        return tuple(sorted(self.user_dn(users[key]).encode() for key in group.members))

    def user(self, user: NetworkUser, numbers: Numbers,
             current: Attributes | None, has_password: bool) -> Entry:
        raise NotImplementedError

    def group(self, group: DesiredGroup, users: Mapping[str, NetworkUser],
              numbers: Numbers) -> Entry:
        raise NotImplementedError


class OpenLdap(Flavour):
    marker_attribute = "businesscategory"
    user_rdn = "uid"
    user_attributes = frozenset({
        "uid", "cn", "sn", "givenname", "displayname", "employeenumber", "employeetype", "mail",
        "uidnumber", "gidnumber", "homedirectory", "loginshell", "pwdaccountlockedtime"})
    group_attributes = frozenset({"description", "member", "gidnumber"})
    # slapo-memberof writes memberOf after the group's change, as operations of its own: a
    # server killed in between keeps the member and loses the memberOf.
    member_of = "memberof"

    def empty_group_member(self) -> bytes:
        """groupOfNames needs a member: an empty group holds this DN, which names no one."""
        return f"cn=aucun-membre,{self.container_dn(Container.GROUPES)}".encode()

    def user(self, user: NetworkUser, numbers: Numbers,
             current: Attributes | None, has_password: bool) -> Entry:
        attributes = {
            "objectclass": (b"inetOrgPerson", b"posixAccount"),
            "uid": _values(user.login), "cn": _values(user.display_name),
            "sn": _values(user.last_name), "givenname": _values(user.first_name),
            "displayname": _values(user.display_name), "employeenumber": _values(user.key),
            "employeetype": _values(user.profile), "mail": _values(user.email),
            "uidnumber": _values(numbers.users[user.key]),
            "gidnumber": _values(numbers.groups[self.primary_group(user)]),
            "homedirectory": _values(self.home(user)),
            "loginshell": _values(self.config.login_shell),
            self.marker_attribute: (MARKER,),
        }
        if not user.enabled:
            attributes["pwdaccountlockedtime"] = (LOCKED_FOR_GOOD,)
        return Entry(self.user_dn(user), attributes)

    def group(self, group: DesiredGroup, users: Mapping[str, NetworkUser],
              numbers: Numbers) -> Entry:
        return Entry(self.group_dn(group.name), {
            "objectclass": (b"groupOfNames", b"extensibleObject"),
            "cn": _values(group.name), "description": _values(group.description),
            "member": self.member_values(group, users) or (self.empty_group_member(),),
            "gidnumber": _values(numbers.groups[group.name]),
            self.marker_attribute: (MARKER,),
        })


class ActiveDirectory(Flavour):
    marker_attribute = "admindescription"
    user_rdn = "CN"
    group_attributes = frozenset({"description", "member", "gidnumber"})
    _always = frozenset({"samaccountname", "userprincipalname", "givenname", "sn", "displayname",
                         "employeenumber", "employeetype", "mail", "useraccountcontrol"})
    _rfc2307 = frozenset({"uidnumber", "gidnumber", "unixhomedirectory", "loginshell"})

    def __init__(self, config: TargetConfig, *, posix: bool = True):
        super().__init__(config, posix=posix)
        self.user_attributes = self._always | (self._rfc2307 if posix else frozenset())
        self.group_attributes = frozenset({"description", "member"}
                                          | ({"gidnumber"} if posix else set()))

    @property
    def upn_suffix(self) -> str:
        return ".".join(value for attribute, value in
                        (part.split("=", 1) for part in explode_dn(self.config.base_dn))
                        if attribute.lower() == "dc")

    def user(self, user: NetworkUser, numbers: Numbers,
             current: Attributes | None, has_password: bool) -> Entry:
        flags = int(current["useraccountcontrol"][0]) if current and current.get(
            "useraccountcontrol") else NORMAL_ACCOUNT
        # AD refuses to enable an account without a password: it waits, disabled, for one.
        disabled = not user.enabled or (current is None and not has_password)
        flags = flags | ACCOUNTDISABLE if disabled else flags & ~ACCOUNTDISABLE
        attributes = {
            "objectclass": (b"top", b"person", b"organizationalPerson", b"user"),
            "samaccountname": _values(user.login),
            "userprincipalname": _values(f"{user.login}@{self.upn_suffix}"),
            "givenname": _values(user.first_name), "sn": _values(user.last_name),
            "displayname": _values(user.display_name), "employeenumber": _values(user.key),
            "employeetype": _values(user.profile), "mail": _values(user.email),
            "useraccountcontrol": _values(flags), self.marker_attribute: (MARKER,),
        }
        if self.posix:
            attributes |= {"uidnumber": _values(numbers.users[user.key]),
                           "gidnumber": _values(numbers.groups[self.primary_group(user)]),
                           "unixhomedirectory": _values(self.home(user)),
                           "loginshell": _values(self.config.login_shell)}
        return Entry(self.user_dn(user), attributes)

    def group(self, group: DesiredGroup, users: Mapping[str, NetworkUser],
              numbers: Numbers) -> Entry:
        attributes = {
            "objectclass": (b"top", b"group"), "cn": _values(group.name),
            "samaccountname": _values(group.name), "description": _values(group.description),
            "member": self.member_values(group, users), self.marker_attribute: (MARKER,),
        }
        if self.posix:
            attributes["gidnumber"] = _values(numbers.groups[group.name])
        return Entry(self.group_dn(group.name), {k: v for k, v in attributes.items() if v})


def flavour_for(config: TargetConfig, *, posix: bool = True) -> Flavour:
    return (OpenLdap if config.kind is TargetKind.OPENLDAP else ActiveDirectory)(
        config, posix=posix)
