"""The pure side of the targets: the desired directory, the difference; and the
escaping of every value that goes into a DN."""

from __future__ import annotations

import dataclasses

from ldap.dn import str2dn

from bascule.targets.config import TargetConfig, TargetKind
from bascule.targets.diff import Desired, Entry, Found, Kind, changes_between, plan_sync
from bascule.targets.entries import Numbers, flavour_for
from bascule.targets.model import NetworkUser, SchoolView, desired_directory


def _user(key: str, login: str, profile: str = "eleve", enabled: bool = True) -> NetworkUser:
    return NetworkUser(key=key, login=login, first_name="Léa", last_name="Martin",
                       profile=profile, email=None, enabled=enabled)


VIEW = SchoolView(
    uai="0860999U",
    users=(_user("eleve:1", "lmartin"), _user("eleve:2", "temery"),
           _user("staff:epp:9", "cdurand", "enseignant"),
           _user("staff:epp:8", "jlegoff", "enseignant")),
    divisions={"6A": "6E A"}, groups={"6LV1 ANG": ("6A",)},
    members={"D:6A": frozenset({"eleve:1", "eleve:2"}), "G:6LV1 ANG": frozenset({"eleve:1"})},
    services=frozenset({("staff:epp:9", "D:6A", "030201"),
                        ("staff:epp:8", "G:6LV1 ANG", "030201")}),
    profs_principaux=frozenset({"staff:epp:9"}), subjects={"030201": "ANGLAIS LV1"},
    referents=frozenset({"staff:epp:8", "staff:epp:gone"}))


def test_the_desired_directory_has_every_kind_of_group() -> None:
    groups = {name: group.members for name, group in desired_directory(VIEW).groups.items()}
    assert groups["classe-6a"] == {"eleve:1", "eleve:2"}
    assert groups["groupe-6lv1-ang"] == {"eleve:1"}
    assert groups["equipe-6a"] == {"staff:epp:9", "staff:epp:8"}  # a group's teacher too
    assert groups["matiere-anglais-lv1"] == {"staff:epp:9", "staff:epp:8"}
    assert groups["profs-principaux"] == {"staff:epp:9"}
    assert groups["referents-informatique"] == {"staff:epp:8"}  # only people on the network
    assert groups["eleves"] == {"eleve:1", "eleve:2"} and groups["personnels"] == set()


CONFIG = TargetConfig(name="t", kind=TargetKind.OPENLDAP, uai="0860999U", url="ldap://x",
                      base_dn="dc=college,dc=test", bind_dn="cn=admin,dc=college,dc=test")


def test_every_value_in_a_dn_stays_a_literal() -> None:
    flavour = flavour_for(CONFIG)
    for hostile in (",ou=x", "*)(uid=*", "a+b", "#x", " x", 'x"y', "x\\y"):
        dn = flavour.user_dn(_user("eleve:1", hostile))
        (attribute, value, _flags), = str2dn(dn)[0]
        assert (attribute, value) == ("uid", hostile)
        assert str2dn(dn)[1:] == str2dn("ou=Eleves,dc=college,dc=test")
        (_attribute, group_value, _), = str2dn(flavour.group_dn(hostile))[0]
        assert group_value == hostile


def test_a_disabled_openldap_account_is_locked_for_good() -> None:
    flavour = flavour_for(CONFIG)
    numbers = Numbers(users={"eleve:1": 10001}, groups={"eleves": 10000})
    entry = flavour.user(_user("eleve:1", "lmartin", enabled=False), numbers, None, True)
    assert entry.attributes["pwdaccountlockedtime"] == (b"000001010000Z",)
    assert entry.attributes["gidnumber"] == (b"10000",)


def test_an_ad_account_keeps_its_other_flags_and_waits_disabled_without_password() -> None:
    ad = flavour_for(TargetConfig(name="ad", kind=TargetKind.AD, uai="0860999U",
                                  url="ldaps://x", base_dn="DC=college,DC=test",
                                  bind_dn="CN=a"), posix=False)
    numbers = Numbers(users={}, groups={})
    user = _user("eleve:1", "lmartin")
    assert ad.user(user, numbers, None, False).attributes["useraccountcontrol"] == (b"514",)
    assert ad.user(user, numbers, None, True).attributes["useraccountcontrol"] == (b"512",)
    never_expires = {"useraccountcontrol": (b"66050",)}  # 0x10000 | disabled | normal
    assert ad.user(user, numbers, never_expires, False).attributes[
        "useraccountcontrol"] == (b"66048",)
    assert ad.user(user, numbers, None, True).attributes["userprincipalname"] == (
        b"lmartin@college.test",)
    assert "uidnumber" not in ad.user(user, numbers, None, True).attributes


def _desired(users: dict[str, Entry], groups: tuple[Entry, ...] = ()) -> Desired:
    return Desired(containers=(Entry("ou=Eleves,dc=t", {"objectclass": (b"organizationalUnit",)}),),
                   users=users, groups=groups, user_attributes=frozenset({"cn", "employeenumber"}),
                   group_attributes=frozenset({"member"}))


def test_only_the_members_that_change_are_written() -> None:
    changes = changes_between({"member": (b"uid=a,ou=E", b"uid=c,ou=E")},
                              {"member": (b"UID=A,ou=E", b"uid=b,ou=E")}, {"member"})
    assert [(c.action, c.values) for c in changes] == [("add", (b"uid=c,ou=E",)),
                                                       ("delete", (b"uid=b,ou=E",))]


def test_a_login_change_is_a_rename_and_groups_follow() -> None:
    new_dn = "uid=lmartin2,ou=Eleves,dc=t"
    users = {"eleve:1": Entry(new_dn, {"cn": (b"L",), "employeenumber": (b"eleve:1",)})}
    group = Entry("cn=c,ou=G,dc=t", {"member": (new_dn.encode(),)})
    found = [Found("ou=Eleves,dc=t", {}, True),
             Found("uid=lmartin,ou=Eleves,dc=t", {"cn": (b"L",), "employeenumber": (b"eleve:1",)},
                   True),
             Found("cn=c,ou=G,dc=t", {"member": (b"uid=lmartin,ou=Eleves,dc=t",)}, True)]
    plan = plan_sync(_desired(users, (group,)), found)
    assert [(o.kind, o.dn, o.new_dn) for o in plan.operations] == [
        (Kind.RENAME, "uid=lmartin,ou=Eleves,dc=t", new_dn)]  # the group needs no write


def test_a_member_whose_memberof_was_lost_is_written_again() -> None:
    a, b = "uid=a,ou=Eleves,dc=t", "uid=b,ou=Eleves,dc=t"
    users = {key: Entry(dn, {"cn": (b"L",), "employeenumber": (key.encode(),)})
             for key, dn in (("eleve:a", a), ("eleve:b", b))}
    group = Entry("cn=c,ou=G,dc=t", {"member": (a.encode(), b.encode())})

    def found(memberof_of_b: tuple[bytes, ...]) -> list[Found]:
        return [Found("ou=Eleves,dc=t", {}, True),
                Found(a, {"cn": (b"L",), "employeenumber": (b"eleve:a",),
                          "memberof": (b"CN=c,ou=G,dc=t",)}, True),
                Found(b, {"cn": (b"L",), "employeenumber": (b"eleve:b",),
                          "memberof": memberof_of_b}, True),
                Found("cn=c,ou=G,dc=t", {"member": (a.encode(), b.encode())}, True)]

    desired = dataclasses.replace(_desired(users, (group,)), member_of="memberof")
    (repair,) = plan_sync(desired, found(())).operations
    assert (repair.kind, repair.dn) == (Kind.MODIFY, "cn=c,ou=G,dc=t")
    assert [(c.action, c.values) for c in repair.changes] == [
        ("delete", (b.encode(),)), ("add", (b.encode(),))]
    assert not plan_sync(desired, found((b"cn=c,ou=G,dc=t",))).operations
    # A directory without the overlay shows no memberOf at all: nothing to repair there.
    bare = [Found(f.dn, {k: v for k, v in f.attributes.items() if k != "memberof"}, f.managed)
            for f in found(())]
    assert not plan_sync(desired, bare).operations


def test_unmanaged_entries_are_reported_never_written_and_leavers_deleted() -> None:
    users = {"eleve:1": Entry("uid=a,ou=Eleves,dc=t", {"employeenumber": (b"eleve:1",)})}
    found = [Found("ou=Eleves,dc=t", {}, True),
             Found("uid=a,ou=Eleves,dc=t", {"cn": (b"hand made",)}, False),
             Found("uid=old,ou=Eleves,dc=t", {"employeenumber": (b"eleve:9",)}, True),
             Found("uid=x,ou=Eleves,dc=t", {"employeenumber": (b"eleve:8",)}, False)]
    plan = plan_sync(_desired(users), found)
    assert plan.conflicts == ("uid=a,ou=Eleves,dc=t",)
    assert [(o.kind, o.dn) for o in plan.operations] == [(Kind.DELETE, "uid=old,ou=Eleves,dc=t")]


def test_in_sync_means_no_operation() -> None:
    users = {"eleve:1": Entry("uid=a,ou=Eleves,dc=t", {"cn": (b"A",),
                                                       "employeenumber": (b"eleve:1",)})}
    found = [Found("ou=Eleves,dc=t", {}, True),
             Found("UID=a,ou=Eleves,dc=t", {"cn": (b"A",), "employeenumber": (b"eleve:1",)},
                   True)]
    assert plan_sync(_desired(users), found).operations == ()
