#!/usr/bin/env bash
# Installs the Debian packages of a list (default: scripts/system-packages.txt, what the tests
# need), when run as root on a Debian machine; elsewhere says what is missing. Services are never
# started here: the tests' own fixtures start and stop them.
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
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "Paquets Debian manquants pour les tests : ${missing[*]} (installez-les en root)." >&2
fi
