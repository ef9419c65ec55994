#!/usr/bin/env bash
# The main job on the embedded default (SQLite, local folders), on a synthetic collège:
# two consecutive school years of exports, each imported, planned and applied like a real rollover.
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
  echo "=== Année scolaire $year-$((year + 1)) : import, plan, application ==="
  $bascule --home "$demo" import "$exports/$uai/$year" --report "$demo/rapports/qualite-$year.html"
  echo
  $bascule --home "$demo" plan --at "$year-09-01T08:00"
  echo
  $bascule --home "$demo" apply --yes --at "$year-09-01T08:30"
  $bascule --home "$demo" accounts --summary
  echo
  $bascule --home "$demo" spaces sync --at "$year-09-01T08:40"
done
echo
echo "=== Mi-septembre 2026 : suppression des comptes désactivés à la rentrée ==="
$bascule --home "$demo" calendar --at 2026-09-15T08:00 | sed -n '/^Le /,$p'
$bascule --home "$demo" lifecycle --at 2026-09-15T08:00 | sed -n '1p;$p'
$bascule --home "$demo" apply --yes --at 2026-09-15T08:05
$bascule --home "$demo" accounts --summary
echo
echo "=== Les espaces, leur occupation, et le nettoyage des dossiers des comptes supprimés ==="
$bascule --home "$demo" spaces usage --html "$demo/rapports/espaces.html" | sed -n '1,8p'
echo "(… un espace par ligne …)"
$bascule --home "$demo" cleanup plan departs --at 2026-09-15T09:00 | sed -n '1,3p'
$bascule --home "$demo" cleanup apply --yes --at 2026-09-15T09:05
echo
# The console: the principal names a digital referent, as in Pilotage > Autorisations.
$bascule --home "$demo" accounts --json --status active > "$demo/comptes-actifs.json"
read -r principal teacher referent < <(.venv/bin/python - "$demo/comptes-actifs.json" <<'PY'
import json, sys
accounts = sorted(json.load(open(sys.argv[1])), key=lambda a: a["login"] or "")
def first(profile, skip=()):
    return next(a["login"] for a in accounts if a["profile"] == profile and a["login"]
                and a["login"] not in skip)
teacher = first("enseignant")
print(first("direction"), teacher, first("enseignant", {teacher}))
PY
)
rm "$demo/comptes-actifs.json"
$bascule --home "$demo" delegation grant "$referent" "Réinitialiser les mots de passe" \
  --by "$principal" >/dev/null
echo
$bascule --home "$demo" status
cat <<TXT

Résultats :
  exports fictifs      $exports/$uai/{2025,2026}/
  configuration        $demo/bascule.toml
  base (SQLite)        $demo/bascule.sqlite
  rapports de qualité  $demo/rapports/qualite-2025.html, qualite-2026.html
  espaces              $demo/espaces/$uai/ (occupation : $demo/rapports/espaces.html)
  mots de passe        $demo/credentials/$uai/*/ (comptes.csv, fiches-*.pdf : lisibles par vous seul)
Pour continuer : .venv/bin/bascule --home $demo accounts
  (les exports datent de septembre 2026 : « bascule plan » sans --at prend l'heure de maintenant
  et désactive donc les élèves sortis depuis, d'après leur date de sortie)
Console web : .venv/bin/bascule --home $demo serve, puis http://127.0.0.1:8000/connexion
  principal $principal, référent numérique $referent, enseignant $teacher
  (leurs mots de passe initiaux sont dans $demo/credentials/$uai/*/comptes.csv ; à la
  première connexion, chacun choisit le sien)
TXT
