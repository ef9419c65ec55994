#!/usr/bin/env bash
# The main job on the embedded default (SQLite, local folders), on a synthetic collège:
# two consecutive school years of exports, imported one after the other like a real rollover.
set -euo pipefail
cd "$(dirname "$0")/.."
bascule=.venv/bin/bascule
demo=bascule-data/demo        # the demo's own folder, made anew at each run
exports=$demo/exports
rm -rf "$demo"

$bascule generate --out "$exports" --seed 1 --year 2025
uai=$(ls "$exports" | head -n 1)
$bascule --home "$demo" init --uai "$uai" --name "Collège de démonstration"
for year in 2025 2026; do
  echo
  echo "=== Import de l'année scolaire $year-$((year + 1)) ==="
  $bascule --home "$demo" import "$exports/$uai/$year"/* --report "$demo/rapports/qualite-$year.html"
done
echo
$bascule --home "$demo" status
cat <<TXT

Résultats :
  exports fictifs      $exports/$uai/{2025,2026}/
  configuration        $demo/bascule.toml
  base (SQLite)        $demo/bascule.sqlite
  rapports de qualité  $demo/rapports/qualite-2025.html, qualite-2026.html
Pour continuer : .venv/bin/bascule --home $demo status
TXT
