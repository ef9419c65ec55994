"""A throwaway Active Directory: a Samba AD domain controller provisioned in a folder, listening on
loopback only. Its LDAP ports are fixed (389/636), so one runs per machine (or network namespace):
the tests provision it once per run (about 7 s) and start it (about 1.2 s).

Simple binds need TLS; the CA Samba generates at provisioning validates the LDAPS certificate."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.servers import stop, wait_for_port

REALM = "COLLEGE.TEST"
DOMAIN = "COLLEGE"
BASE_DN = "DC=college,DC=test"
ADMIN_DN = f"CN=Administrator,CN=Users,{BASE_DN}"
ADMIN_PASSWORD = "Admin-samba-tests-1"
LDAPS_PORT = 636


def _options(folder: Path) -> list[str]:
    settings = {
        "interfaces": "lo", "bind interfaces only": "yes", "disable netbios": "yes",
        "pid directory": folder / "run", "lock directory": folder / "lock",
        "state directory": folder / "state", "cache directory": folder / "cache",
        "private dir": folder / "private", "log file": folder / "log" / "samba.log",
        "winbindd socket directory": folder / "run" / "winbindd",
        "ntp signd socket directory": folder / "run" / "ntp_signd",
        "tls enabled": "yes", "tls keyfile": folder / "tls" / "key.pem",
        "tls certfile": folder / "tls" / "cert.pem", "tls cafile": folder / "tls" / "ca.pem",
        "server services": "-dns -nbt -wrepl -winbindd -kdc -ntp_signd -kcc -dnsupdate "
                           "-rpc -drepl -s3fs",
    }
    return [f"--option={name}={value}" for name, value in settings.items()]


def _certificates(folder: Path) -> None:
    """A test CA and a server certificate for 127.0.0.1 and localhost: Samba's own is made out to
    the host name, which a client connecting to the loopback address rightly refuses."""
    def openssl(*arguments: str) -> None:
        subprocess.run(["openssl", *arguments], check=True, capture_output=True, cwd=folder)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj",
            "/CN=bascule test CA", "-keyout", "ca.key", "-out", "ca.pem")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
            "-keyout", "key.pem", "-out", "server.csr")
    (folder / "san.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "30", "-extfile", "san.cnf", "-out", "cert.pem")
    (folder / "key.pem").chmod(0o600)


@dataclass
class SambaAD:
    folder: Path
    process: subprocess.Popen[bytes] | None = None

    url = f"ldaps://127.0.0.1:{LDAPS_PORT}"

    @property
    def ca_file(self) -> Path:
        return self.folder / "tls" / "ca.pem"

    @property
    def config(self) -> Path:
        return self.folder / "etc" / "smb.conf"

    def provision(self) -> SambaAD:
        shutil.rmtree(self.folder, ignore_errors=True)
        for sub in ("run", "lock", "state", "cache", "log", "tls"):
            (self.folder / sub).mkdir(parents=True)
        _certificates(self.folder / "tls")
        subprocess.run(
            ["samba-tool", "domain", "provision", f"--targetdir={self.folder}",
             f"--realm={REALM}", f"--domain={DOMAIN}", "--server-role=dc",
             "--dns-backend=NONE", "--use-rfc2307", f"--adminpass={ADMIN_PASSWORD}",
             *_options(self.folder)],
            check=True, capture_output=True)
        return self

    def start(self) -> SambaAD:
        self.process = subprocess.Popen(
            ["samba", "-s", str(self.config), "-M", "single", "--foreground",
             "--no-process-group"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(LDAPS_PORT, self.process, seconds=60)
        return self

    def stop(self) -> None:
        stop(self.process, seconds=20)
        self.process = None
