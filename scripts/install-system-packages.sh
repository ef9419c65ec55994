#!/usr/bin/env bash
# Installs the Debian packages of a list (default: scripts/system-packages.txt, what the tests
# need), when run as root on a Debian machine; elsewhere says what is missing. Services are never
# started here, nor enabled at boot: the tests' own fixtures start and stop their servers.
set -euo pipefail
list="${1:-$(dirname "$0")/system-packages.txt}"
mapfile -t wanted < <(grep -v -E '^\s*(#|$)' "$list")
((${#wanted[@]})) || exit 0
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
((${#missing[@]})) || exit 0
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
  echo "Paquets Debian manquants : ${missing[*]} (installez-les en root)." >&2
  exit 0
fi
# Another apt (unattended-upgrades, a second make) holding the lock is waited for, not a failure.
apt=(apt-get -o DPkg::Lock::Timeout=600)
# policy-rc.d forbids the packages' scripts to start their services during the install (Samba
# AD, slapd, PostgreSQL would otherwise run as services of this machine).
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
echo "Installation des paquets Debian : ${missing[*]}"
"${apt[@]}" update -qq
DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}"
# ... nor enabled at boot: what the packages just installed enabled is disabled again (a
# service this machine had before is left as it was).
declare -A package_of=([samba-ad-dc]=samba-ad-dc [smbd]=samba [nmbd]=samba [winbind]=winbind
                       [slapd]=slapd [postgresql]=postgresql)
disabled=()
if command -v systemctl >/dev/null; then
  for service in "${!package_of[@]}"; do
    [[ " ${missing[*]} " == *" ${package_of[$service]} "* ]] || continue
    if systemctl list-unit-files "$service.service" 2>/dev/null | grep -q "^$service.service"; then
      systemctl disable --quiet "$service" 2>/dev/null && disabled+=("$service")
    fi
  done
fi
if ((${#disabled[@]})); then
  echo "Services installés sans démarrage automatique (désactivés au démarrage de la machine," \
       "les tests lancent les leurs) : ${disabled[*]}"
fi
