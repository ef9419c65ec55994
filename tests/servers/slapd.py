"""A throwaway OpenLDAP server (slapd 2.5) with the overlays a school directory uses: memberof,
refint and ppolicy (its default policy makes an account change a password an admin set).

Written as a cn=config LDIF, loaded with slapadd, run in the foreground on a free loopback port;
ready in about 0.1 s, stopped with SIGTERM."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.servers import free_port, stop, wait_for_port

SUFFIX = "dc=college,dc=test"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "Admin-slapd-tests-1"
POLICY_DN = f"cn=default,ou=policies,{SUFFIX}"
MODULES = "/usr/lib/ldap"


def _config(folder: Path) -> str:
    root_pw = subprocess.run(["slappasswd", "-s", ADMIN_PASSWORD], check=True,
                             capture_output=True, text=True).stdout.strip()
    schemas = "".join(f"include: file:///etc/ldap/schema/{name}.ldif\n"
                      for name in ("core", "cosine", "inetorgperson", "nis"))
    database = "olcDatabase={1}mdb,cn=config"
    return f"""dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: {folder}/slapd.pid

dn: cn=module{{0}},cn=config
objectClass: olcModuleList
cn: module{{0}}
olcModulePath: {MODULES}
olcModuleLoad: back_mdb
olcModuleLoad: memberof
olcModuleLoad: refint
olcModuleLoad: ppolicy

dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema

{schemas}
dn: olcDatabase={{-1}}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {{-1}}frontend
olcSizeLimit: 500

dn: olcDatabase={{0}}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {{0}}config

dn: {database}
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {{1}}mdb
olcDbDirectory: {folder}/data
olcSuffix: {SUFFIX}
olcRootDN: {ADMIN_DN}
olcRootPW: {root_pw}
olcDbNoSync: TRUE
olcDbMaxSize: 1073741824
olcDbIndex: objectClass eq
olcDbIndex: uid,cn,employeeNumber eq
olcDbIndex: member,memberOf eq
olcAccess: to attrs=userPassword by self write by anonymous auth by * none
olcAccess: to * by self read by users read by * none

dn: olcOverlay={{0}}memberof,{database}
objectClass: olcOverlayConfig
objectClass: olcMemberOf
olcOverlay: {{0}}memberof
olcMemberOfRefInt: TRUE

dn: olcOverlay={{1}}refint,{database}
objectClass: olcOverlayConfig
objectClass: olcRefintConfig
olcOverlay: {{1}}refint
olcRefintAttribute: member

dn: olcOverlay={{2}}ppolicy,{database}
objectClass: olcOverlayConfig
objectClass: olcPPolicyConfig
olcOverlay: {{2}}ppolicy
olcPPolicyDefault: {POLICY_DN}
olcPPolicyHashCleartext: TRUE
olcPPolicyUseLockout: TRUE
"""


BASE_ENTRIES = f"""dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
dc: college
o: College de test

dn: ou=policies,{SUFFIX}
objectClass: organizationalUnit
ou: policies

dn: {POLICY_DN}
objectClass: device
objectClass: pwdPolicy
cn: default
pwdAttribute: userPassword
pwdMustChange: TRUE
pwdAllowUserChange: TRUE
pwdLockout: TRUE
pwdMaxFailure: 0
"""


@dataclass
class Slapd:
    folder: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    def create(self) -> Slapd:
        """Writes the configuration and the base entries (once per folder)."""
        shutil.rmtree(self.folder, ignore_errors=True)
        (self.folder / "slapd.d").mkdir(parents=True)
        (self.folder / "data").mkdir()
        config = self.folder / "config.ldif"
        config.write_text(_config(self.folder))
        base = self.folder / "base.ldif"
        base.write_text(BASE_ENTRIES)
        for number, ldif in (("0", config), ("1", base)):
            subprocess.run(["slapadd", "-n", number, "-F", str(self.folder / "slapd.d"),
                            "-l", str(ldif)], check=True, capture_output=True)
        return self

    def start(self) -> Slapd:
        self.port = self.port or free_port()
        self.process = subprocess.Popen(
            ["slapd", "-d", "0", "-F", str(self.folder / "slapd.d"), "-h", self.url],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, self.process)
        return self

    def stop(self) -> None:
        stop(self.process, seconds=10)
        self.process = None

    def crash(self) -> None:
        """SIGKILL, as a power cut or the OOM killer would: no clean shutdown."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def modify_offline(self, ldif: str) -> None:
        """Change the stopped server's database behind its overlays (slapmodify), as a crash
        between two of its writes leaves it."""
        source = self.folder / "offline.ldif"
        source.write_text(ldif)
        subprocess.run(["slapmodify", "-n", "1", "-F", str(self.folder / "slapd.d"),
                        "-l", str(source)], check=True, capture_output=True)
