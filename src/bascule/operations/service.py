"""`bascule install-service`: the systemd units (a service and its timer) that run `bascule run`
every night, hardened, and the equivalent cron line for a machine without systemd.

bascule writes the units; it never enables nor starts anything: the operator does, with the
commands it prints. The service may write in the bascule folder (and the spaces' root when it
lies elsewhere) and nowhere else (ProtectSystem=strict + ReadWritePaths)."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import sys
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from bascule.domain.school import SCHOOL_TIMEZONE
from bascule.errors import UnknownValue, UserError
from bascule.settings import Settings

UNIT_NAME = "bascule-nuit"
WORKER_NAME = "bascule-worker"
DEFAULT_DESTINATION = Path("/etc/systemd/system")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
# What a hidden /home or /root would hide from the service: its code, its folder.
_HOMES = (Path("/home"), Path("/root"), Path("/run/user"))


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceOptions:
    home: Path         # the bascule folder, absolute
    executable: Path   # the `bascule` program, absolute
    user: str
    at: time           # Paris time
    writable: tuple[Path, ...]  # the folder first, then what else the night writes
    # `at` in the server's own time, winter and summer (cron reads the server's clock).
    server_times: tuple[time, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceUnits:
    service: str  # bascule-nuit.service
    timer: str    # bascule-nuit.timer
    cron: str     # a line for /etc/cron.d/bascule


def parse_time(text: str) -> time:
    """« 02:30 » -> 02:30; UnknownValue (exit 2) otherwise."""
    found = _TIME.match(text.strip())
    if found is None:
        raise UnknownValue(f"--at « {text} » n'est pas une heure.",
                           hint="Écrivez-la HH:MM, par exemple --at 02:30 (heure de Paris).")
    return time(int(found.group(1)), int(found.group(2)))


def bascule_program() -> Path:
    """The `bascule` beside the running Python (its virtual environment), or on the PATH."""
    beside = Path(sys.executable).parent / "bascule"
    if beside.is_file():
        return beside.absolute()
    found = shutil.which("bascule")
    if found is None:
        raise UserError("Le programme bascule est introuvable.",
                        hint="Lancez install-service avec le bascule installé (par exemple "
                             ".venv/bin/bascule install-service).")
    return Path(found).absolute()


def _quoted(path: Path) -> str:
    """A path as systemd reads it in ExecStart= and ReadWritePaths= (% doubled, quoted when it
    holds a space)."""
    text = str(path)
    if any(character in text for character in "\n\"\\"):
        raise UserError(f"Le chemin {text!r} ne peut pas figurer dans une unité systemd.",
                        hint="Choisissez un dossier sans guillemet ni barre oblique inverse.")
    text = text.replace("%", "%%")
    return f'"{text}"' if " " in text else text


def _protect_home(options: ServiceOptions) -> str:
    paths = (options.executable, *options.writable)
    under_homes = any(path.is_relative_to(home) for path in paths for home in _HOMES)
    return "read-only" if under_homes else "yes"


def _head(options: ServiceOptions, description: str, kind: str, command: str) -> str:
    """[Unit] and the start of [Service]: who runs which bascule command, in the folder."""
    home, program = _quoted(options.home), _quoted(options.executable)
    return f"""[Unit]
Description={description}
Documentation=man:systemd.exec(5)
Wants=network-online.target
After=network-online.target

[Service]
Type={kind}
User={options.user}
Group={options.user}
ExecStart={program} --home {home} {command}
WorkingDirectory={home}
UMask=0077
"""


def _service(options: ServiceOptions) -> str:
    head = _head(options, "bascule : la nuit (imports, plan, application, annuaires, flux, "
                 "courriels)", "oneshot", "run")
    return f"""# Écrit par bascule install-service ; lancé chaque nuit par {UNIT_NAME}.timer.
{head}Nice=10
IOSchedulingClass=best-effort
IOSchedulingPriority=7
# Une nuit qui dure plus de cinq heures est bloquée : arrêtée, la suivante la reprend.
TimeoutStartSec=5h
{_hardening(options)}"""


def _hardening(options: ServiceOptions) -> str:
    """The sandbox of both units: the bascule folder (and the other writable paths) is the only
    place they write."""
    writable = " ".join(_quoted(path) for path in options.writable)
    return f"""# Durcissement : le dossier bascule est le seul endroit où bascule écrit.
ProtectSystem=strict
ReadWritePaths={writable}
ProtectHome={_protect_home(options)}
PrivateTmp=yes
PrivateDevices=yes
NoNewPrivileges=yes
CapabilityBoundingSet=
AmbientCapabilities=
RestrictSUIDSGID=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
ProtectProc=invisible
RestrictRealtime=yes
RestrictNamespaces=yes
LockPersonality=yes
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallErrorNumber=EPERM
"""


def _worker(options: ServiceOptions, concurrency: int) -> str:
    head = _head(options, "bascule : travailleur de la nuit (établissements confiés par "
                 "bascule run)", "simple", f"worker --concurrency {concurrency}")
    return f"""# Écrit par bascule install-service --worker (base PostgreSQL).
{head}Nice=10
Restart=on-failure
RestartSec=10s
# Arrêté, il finit les établissements en cours ; au-delà, un autre travailleur les reprend.
TimeoutStopSec=30min
{_hardening(options)}
[Install]
WantedBy=multi-user.target
"""


def worker_unit(options: ServiceOptions, *, concurrency: int = 1) -> str:
    """The text of bascule-worker.service (pure)."""
    return _worker(options, concurrency)


def install_worker(options: ServiceOptions, destination: Path, *,
                   concurrency: int = 1) -> Path:
    """Write bascule-worker.service into `destination` (0644); enables nothing."""
    destination.mkdir(parents=True, exist_ok=True)
    path = destination / f"{WORKER_NAME}.service"
    path.write_text(worker_unit(options, concurrency=concurrency), encoding="utf-8")
    os.chmod(path, 0o644)
    return path


def _timer(options: ServiceOptions) -> str:
    return f"""# Écrit par bascule install-service.
[Unit]
Description=bascule : la nuit, chaque jour à {options.at:%H:%M} (heure de Paris)

[Timer]
OnCalendar=*-*-* {options.at:%H:%M}:00 Europe/Paris
# Une nuit manquée (machine éteinte) est rattrapée au démarrage suivant.
Persistent=true
AccuracySec=1min
Unit={UNIT_NAME}.service

[Install]
WantedBy=timers.target
"""


def server_times(at: time) -> tuple[time, ...]:
    """`at` (Paris time) read on this server's clock in winter and in summer: one time on a
    server set to Paris, two on one set to UTC (01:30 and 00:30 for 02:30)."""
    seen = (datetime.combine(date(2026, month, 15), at, SCHOOL_TIMEZONE).astimezone()
            for month in (1, 7))
    return tuple(sorted({moment.time().replace(tzinfo=None) for moment in seen}))


def _cron(options: ServiceOptions) -> str:
    """cron reads the server's clock, which may not be Paris's (nor change hour with it): the
    line fires at each server time `at` may fall on, and a guard lets through only the one
    that is `at` in Paris (`%` is special in crontabs, hence the backslashes)."""
    run = f"{_shell_quoted(options.executable)} --home {_shell_quoted(options.home)} run"
    times = options.server_times or (options.at,)
    if times == (options.at,):
        return f"{options.at.minute} {options.at.hour} * * * {options.user} {run}"
    guard = f'[ "$(TZ=Europe/Paris date +\\%H:\\%M)" = "{options.at:%H:%M}" ] && '
    return "\n".join(f"{moment.minute} {moment.hour} * * * {options.user} {guard}{run}"
                     for moment in times)


def _shell_quoted(path: Path) -> str:
    text = str(path)
    return text if re.fullmatch(r"[\w@%+=:,./-]+", text) else "'" + text.replace("'", "'\\''") + "'"


def service_units(options: ServiceOptions) -> ServiceUnits:
    """The units' text and the cron line (pure: nothing read or written)."""
    return ServiceUnits(service=_service(options), timer=_timer(options), cron=_cron(options))


def service_options(settings: Settings, *, at: str, user: str,
                    writable: tuple[Path, ...] = ()) -> ServiceOptions:
    """The options for this folder: the folder, the spaces' root when it lies outside it, and
    the other paths given (a drop folder fed by SFTP elsewhere…)."""
    home = settings.home.absolute()
    extra = [settings.spaces_root.absolute(), *(path.absolute() for path in writable)]
    paths = [home, *(path for path in extra if not path.is_relative_to(home))]
    moment = parse_time(at)
    return ServiceOptions(home=home, executable=bascule_program(), user=user, at=moment,
                          writable=tuple(dict.fromkeys(paths)), server_times=server_times(moment))


@dataclass(frozen=True, slots=True, kw_only=True)
class Installed:
    service: Path
    timer: Path
    units: ServiceUnits
    warnings: tuple[str, ...]


def service_warnings(options: ServiceOptions) -> tuple[str, ...]:
    """What will stop the service from running as it is (said in French, not refused)."""
    try:
        account = pwd.getpwnam(options.user)
    except KeyError:
        return (f"Le compte système « {options.user} » n'existe pas : créez-le (adduser "
                f"--system --group --home {options.home} {options.user}) et donnez-lui le "
                f"dossier (chown -R {options.user}: {options.home}).",)
    if options.home.exists() and options.home.stat().st_uid != account.pw_uid:
        return (f"Le dossier {options.home} n'appartient pas à « {options.user} » : donnez-le "
                f"lui (chown -R {options.user}: {options.home}).",)
    return ()


def install_service(options: ServiceOptions, destination: Path) -> Installed:
    """Write the two units into `destination` (mode 0644, as systemd's folder wants them);
    enables nothing."""
    units = service_units(options)
    destination.mkdir(parents=True, exist_ok=True)
    service = destination / f"{UNIT_NAME}.service"
    timer = destination / f"{UNIT_NAME}.timer"
    for path, text in ((service, units.service), (timer, units.timer)):
        path.write_text(text, encoding="utf-8")
        os.chmod(path, 0o644)
    return Installed(service=service, timer=timer, units=units,
                     warnings=service_warnings(options))
