"""Directory sync into real servers, against the plain tools, in one run on the same entries.

    .venv/bin/python benchmarks/ldap_sync.py [--colleges 6] [--ad-colleges 1]

Prints (best of 3 on each side, on fresh servers each time):
  first sync   bascule's first sync of every generated collège into a fresh slapd (users,
               groups, containers, initial passwords by Password Modify), in entries per second,
               against `ldapadd` of the same entries as an LDIF into another fresh slapd;
  no change    the same sync again: its time, and its write count (must be 0);
  ad           bascule's first sync of a collège into Samba AD (LDAPS, unicodePwd), against a
               plain ldap3 add loop of equivalent entries on one connection.
Targets of the issue: first sync >= 0.8x ldapadd; no change: 0 writes.
"""

from __future__ import annotations

import argparse
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.servers import free_port, samba, slapd

from bascule.operations import campaign
from bascule.operations import targets as targets_ops
from bascule.settings import Settings, init_home, load_settings
from bascule.synthetic.generate import GeneratedCollege, generate_campaigns
from bascule.targets.config import TargetConfig, TargetKind
from rollover import use_hashers  # type: ignore[import-not-found]

NOW = datetime(2025, 9, 20, 8, tzinfo=UTC)
ROUNDS = 3


def prepared_home(root: Path, colleges: list[GeneratedCollege],
                  target: TargetConfig) -> Settings:
    """A home with every collège applied, each with its target registered first (so that the
    initial passwords wait for it)."""
    for college in colleges:
        init_home(root, college.uai, college.name)
        targets_ops.add_target(load_settings(root), TargetConfig(
            name=f"{target.name}-{college.uai}", kind=target.kind, uai=college.uai,
            url=target.url, base_dn=f"ou={college.uai},{target.base_dn}",
            bind_dn=target.bind_dn, password_file=target.password_file,
            ca_file=target.ca_file))
    settings = load_settings(root)
    for college in colleges:
        campaign.import_exports(settings, sorted(college.folders[0].iterdir()), now=NOW)
        campaign.plan_campaign(settings, college.uai, now=NOW)
        campaign.apply_saved_plan(settings, college.uai, now=NOW, actor="benchmark")
    return settings


def ldap_tool(*arguments: str, data: str | None = None) -> str:
    return subprocess.run(list(arguments), input=data, check=True, capture_output=True,
                          text=True).stdout


def school_ous(colleges: list[GeneratedCollege], base: str) -> str:
    return "".join(f"dn: ou={c.uai},{base}\nobjectClass: organizationalUnit\nou: {c.uai}\n\n"
                   for c in colleges)


def timed_sync(settings: Settings) -> tuple[float, int, int]:
    """Seconds, writes, and entries added."""
    start = time.perf_counter()
    reports = targets_ops.sync_targets(settings, list(settings.targets), now=NOW,
                                        actor="benchmark", dry_run=False)
    seconds = time.perf_counter() - start
    added = sum(n for r in reports for what, n in r.counts.items() if what.startswith("ajout"))
    assert not any(r.refusals for r in reports), [r.refusals[:3] for r in reports]
    return seconds, sum(r.writes for r in reports), added


def fresh_slapd(folder: Path, port: int, colleges: list[GeneratedCollege]) -> slapd.Slapd:
    """An empty slapd with one OU per collège (the targets' base DNs)."""
    server = slapd.Slapd(folder, port=port).create().start()
    ldap_tool("ldapadd", *bind_of(server), data=school_ous(colleges, slapd.SUFFIX))
    return server


def bind_of(server: slapd.Slapd) -> tuple[str, ...]:
    return ("-x", "-H", server.url, "-D", slapd.ADMIN_DN, "-w", slapd.ADMIN_PASSWORD)


def ldif_of(server: slapd.Slapd, colleges: list[GeneratedCollege]) -> list[str]:
    """The entries bascule wrote, as the server holds them (passwords hashed), for ldapadd."""
    ldif = "".join(ldap_tool("ldapsearch", *bind_of(server), "-LLL", "-o", "ldif-wrap=no",
                             "-b", f"ou={c.uai},{slapd.SUFFIX}", "(objectClass=*)", "*") + "\n"
                   for c in colleges)
    ous = {f"dn: ou={c.uai},{slapd.SUFFIX}" for c in colleges}
    blocks = [block.strip() for block in ldif.split("\n\n")]
    return [block for block in blocks if block and block.split("\n")[0] not in ous]


def openldap(root: Path, colleges: list[GeneratedCollege]) -> None:
    """Best of ROUNDS on both sides, each round on fresh servers (and, for bascule, the same
    home restored: its passwords waiting again)."""
    port = free_port()
    server = fresh_slapd(root / "slapd-0", port, colleges)
    home, pristine = root / "home", root / "home-pristine"
    secret = root / "slapd.secret"
    secret.write_text(slapd.ADMIN_PASSWORD)
    prepared_home(home, colleges, TargetConfig(
        name="peda", kind=TargetKind.OPENLDAP, uai="", url=server.url, base_dn=slapd.SUFFIX,
        bind_dn=slapd.ADMIN_DN, password_file=secret))
    shutil.copytree(home, pristine)
    firsts = []
    try:
        for round_number in range(ROUNDS):
            if round_number:
                server.stop()
                shutil.rmtree(home)
                shutil.copytree(pristine, home)
                server = fresh_slapd(root / f"slapd-{round_number}", port, colleges)
            firsts.append(timed_sync(load_settings(home)))
        again, writes, _ = timed_sync(load_settings(home))
        body = ldif_of(server, colleges)
    finally:
        server.stop()
    tools = []
    for round_number in range(ROUNDS):
        baseline = fresh_slapd(root / f"baseline-{round_number}", free_port(), colleges)
        try:
            start = time.perf_counter()
            ldap_tool("ldapadd", *bind_of(baseline), data="\n\n".join(body) + "\n")
            tools.append(time.perf_counter() - start)
        finally:
            baseline.stop()
    first, first_writes, added = min(firsts)
    tool = min(tools)
    ours, theirs = added / first, len(body) / tool
    print(f"  first sync  {added} entries in {first:.2f} s ({ours:.0f}/s, {first_writes} "
          f"writes with the passwords) vs ldapadd {len(body)} in {tool:.2f} s "
          f"({theirs:.0f}/s): {ours / theirs:.2f}x  target >= 0.8: "
          f"{'met' if ours / theirs >= 0.8 else 'NOT met'}")
    print(f"  no change   {again:.2f} s, {writes} writes  target 0 writes: "
          f"{'met' if writes == 0 else 'NOT met'}")


def active_directory(root: Path, colleges: list[GeneratedCollege]) -> None:
    import ldap3  # only the baseline uses it

    server = samba.SambaAD(root / "samba").provision().start()
    try:
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=str(server.ca_file))
        plain = ldap3.Connection(ldap3.Server("127.0.0.1", port=samba.LDAPS_PORT, use_ssl=True,
                                              tls=tls), samba.ADMIN_DN, samba.ADMIN_PASSWORD,
                                 auto_bind=True)
        for college in colleges:
            plain.add(f"OU={college.uai},{samba.BASE_DN}", "organizationalUnit")
        plain.add(f"OU=baseline,{samba.BASE_DN}", "organizationalUnit")
        secret = root / "samba.secret"
        secret.write_text(samba.ADMIN_PASSWORD)
        settings = prepared_home(root / "home-ad", colleges, TargetConfig(
            name="ad", kind=TargetKind.AD, uai="", url=server.url, base_dn=samba.BASE_DN,
            bind_dn=samba.ADMIN_DN, password_file=secret, ca_file=server.ca_file))
        first, _writes, added = timed_sync(settings)
        plain.search(samba.BASE_DN, "(&(objectClass=user)(adminDescription=bascule))",
                     attributes=["sAMAccountName", "givenName", "sn", "displayName"])
        users = [(str(e.sAMAccountName), str(e.givenName), str(e.sn), str(e.displayName))
                 for e in plain.entries]
        start = time.perf_counter()
        for number, (login, given, surname, display) in enumerate(users):
            name = f"b{number}"
            plain.add(f"CN={name},OU=baseline,{samba.BASE_DN}", "user", {
                "sAMAccountName": name, "userPrincipalName": f"{name}@college.test",
                "givenName": given, "sn": surname, "displayName": display,
                "unicodePwd": f'"Base-{login}-7x!"'.encode("utf-16-le"),
                "userAccountControl": 512, "pwdLastSet": 0})
            assert plain.result["result"] == 0, plain.result
        loop = time.perf_counter() - start
    finally:
        server.stop()
    ours, theirs = added / first, len(users) / loop
    print(f"  ad          {added} entries in {first:.2f} s ({ours:.1f}/s) vs a plain ldap3 "
          f"add loop of {len(users)} users with their password in {loop:.2f} s "
          f"({theirs:.1f}/s): {ours / theirs:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--colleges", type=int, default=6)
    parser.add_argument("--ad-colleges", type=int, default=1)
    options = parser.parse_args()
    # hashing is measured by rollover.py; here it would only add noise
    use_hashers(real=False)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        colleges = generate_campaigns(root / "exports", colleges=options.colleges, seed=1,
                                      year=2025)
        print(f"bascule directory sync benchmark: {len(colleges)} collèges into slapd, "
              f"{options.ad_colleges} into Samba AD")
        openldap(root, colleges)
        if options.ad_colleges:
            active_directory(root, colleges[: options.ad_colleges])


if __name__ == "__main__":
    main()
