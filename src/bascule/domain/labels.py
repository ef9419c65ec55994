"""The French words people read for bascule's internal codes: one table for the CLI, the
console, the reports and the CSVs.

The codes themselves (`eleve`, `active`, `create`, `password_reset`…) stay what the store, the
plan and the JSON outputs hold (a contract with the tools that read them); only what a person
reads goes through here. Filters take either a code or its French word (`--profile élève`,
`--status actif`), accents and case aside; anything else is refused with the allowed values.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime

from anyascii import anyascii

from bascule.domain.school import describe_moment
from bascule.errors import UnknownValue

# Account profiles, as the store keeps them (plan/desired.py) -> the word people use.
PROFILES: Mapping[str, str] = {
    "eleve": "élève",
    "responsable": "responsable",
    "enseignant": "enseignant",
    "direction": "direction",
    "vie_scolaire": "vie scolaire",
    "documentation": "documentation",
    "administratif": "administratif et technique",
}
PROFILES_PLURAL: Mapping[str, str] = {
    "eleve": "élèves",
    "responsable": "responsables",
    "enseignant": "enseignants",
    "direction": "personnels de direction",
    "vie_scolaire": "personnels de vie scolaire",
    "documentation": "professeurs documentalistes",
    "administratif": "personnels administratifs et techniques",
}

STATUSES: Mapping[str, str] = {"active": "actif", "disabled": "désactivé", "deleted": "supprimé"}

# The plan's actions (plan.model.ActionKind values): the verb, for a plan to read.
ACTIONS: Mapping[str, str] = {
    "create": "créer", "update": "mettre à jour", "move": "changer de division",
    "transfer": "accueillir d'un autre collège du dossier",
    "disable": "désactiver", "reactivate": "réactiver", "delete": "supprimer",
    "add": "ajouter", "remove": "retirer",
}
# An apply's counts (store/apply.applied_counts): its actions, the divisions and groups apart.
COUNTED: Mapping[str, str] = {
    **ACTIONS, "add_structure": "ajouter une division ou un groupe",
    "remove_structure": "retirer une division ou un groupe",
}
# What an apply did, counted: « 1641 comptes créés »; in this order (accounts, structures,
# links), as the apply says it.
_DONE: Mapping[str, tuple[str, str]] = {
    "create": ("compte créé", "comptes créés"),
    "update": ("compte mis à jour", "comptes mis à jour"),
    "move": ("élève changé de division", "élèves changés de division"),
    "transfer": ("élève accueilli d'un autre collège", "élèves accueillis d'un autre collège"),
    "disable": ("compte désactivé", "comptes désactivés"),
    "reactivate": ("compte réactivé", "comptes réactivés"),
    "delete": ("compte supprimé", "comptes supprimés"),
    "add_structure": ("division ou groupe ajouté", "divisions et groupes ajoutés"),
    "remove_structure": ("division ou groupe retiré", "divisions et groupes retirés"),
    "add": ("lien ajouté", "liens ajoutés"),
    "remove": ("lien retiré", "liens retirés"),
}
# A plan's facts (plan.model.Fact.kind).
FACTS: Mapping[str, str] = {
    "structure": "division ou groupe", "member": "appartenance",
    "service": "service d'enseignement", "pp": "professeur principal",
    "guardian": "responsable légal",
}

# The fields a plan's update changes (plan.compute: the `changes` of an action).
FIELDS: Mapping[str, str] = {
    "last_name": "nom", "birth_name": "nom de naissance", "first_name": "prénom",
    "birth_date": "date de naissance", "email": "courriel", "function": "fonction",
    "profile": "profil", "division": "division", "source_id": "identifiant de la source",
    "login pnom": "identifiant réseau", "login p.nom": "identifiant EduConnect",
    "groups": "groupes", "status": "état", "exit_date": "date de sortie",
    "établissement": "établissement",
}

# The store's rows and columns an apply changes, as `bascule history --apply N` shows them
# (store/changes.py tracks these tables; the plan's own fields are in FIELDS above).
STORE_TABLES: Mapping[str, str] = {
    "person": "personne", "account": "compte", "login": "identifiant",
    "person_source_id": "identifiant de la source", "delegation": "délégation",
    "pending_password": "mot de passe à transmettre", "fact": "appartenance",
    "breaker_mark": "repère du disjoncteur",
}
STORE_COLUMNS: Mapping[str, str] = {
    **FIELDS, "*": "(ligne entière)", "active": "comptes actifs", "created_at": "créé le",
    "detail": "précision", "freed_at": "libéré le", "granted_at": "accordée le",
    "granted_by": "accordée par", "id": "numéro", "issued_at": "émis le", "key": "clé",
    "kind": "sorte", "login": "identifiant", "must_change": "à changer",
    "must_change_password": "mot de passe à changer", "name": "nom",
    "namespace": "espace de noms", "password_origin": "origine du mot de passe",
    "person_id": "personne", "revoked_at": "retirée le", "revoked_by": "retirée par",
    "scheme": "source", "school_year": "année scolaire", "sealed_at": "scellé le",
    "status_since": "état depuis", "subject": "sujet", "target": "cible", "uai": "UAI",
    "updated_at": "mis à jour le", "value": "valeur",
}

# The journal's actions (the `action` column), as the Journal and `bascule audit` show them.
JOURNAL_ACTIONS: Mapping[str, str] = {
    "import": "import des exports",
    "create": "compte créé", "update": "compte mis à jour", "move": "changement de division",
    "transfer": "élève accueilli d'un autre collège du dossier",
    "départ": "élève parti vers un autre collège du dossier",
    "revue": "décision de revue d'identité", "revue annulée": "décision de revue annulée",
    "disable": "compte désactivé", "reactivate": "compte réactivé", "delete": "compte supprimé",
    "add": "lien ajouté", "remove": "lien retiré",
    "password_reset": "réinitialisation du mot de passe",
    "password_change": "changement de mot de passe",
    "mdp_annuaire": "mot de passe repris de l'annuaire",
    "delegation_grant": "délégation accordée", "delegation_revoke": "délégation retirée",
    "ent_reopen": "ENT rouvert (fermeture rentrée)", "ent_close": "ENT refermé (fermeture rentrée)",
    "approbation": "approbation du plan", "forçage": "passage outre le calendrier",
    "jeton": "jeton d'API créé", "jeton_retire": "jeton d'API retiré",
    "sessions_fermees": "sessions de la console fermées",
    "sync": "synchronisation de l'annuaire", "espaces": "création des espaces",
    "nettoyage": "nettoyage des espaces",
    "mass_leave_confirmed": "départs massifs confirmés",
    "plan_retenu": "plan retenu par la nuit (seuils de sécurité)",
    "fiches": "fiches de mots de passe produites", "export_comptes": "export des comptes (CSV)",
    "fiches_detruites": "fiches d'une application détruites (distribuées)",
    "fiches_telechargees": "fiches gardées téléchargées (sans nouveaux mots de passe)",
    "retenue": "personne retenue hors du plan", "retenue_levee": "retenue levée",
    "restauration": "sauvegarde de la base restaurée",
    "annulation": "application annulée (bascule undo)",
    "operateur_ajout": "opérateur du département ajouté",
    "operateur_retire": "opérateur du département retiré",
    "operateur_mdp": "mot de passe d'un opérateur changé",
}

# Other words for a journal action, accepted by `bascule audit --action` and the Journal's
# filter: the plan's verbs (« changer de division ») and the apply's counts (« comptes créés »).
JOURNAL_ACTION_SYNONYMS: Mapping[str, str] = {
    **{verb: code for code, verb in ACTIONS.items()},
    **{word: code for code, forms in _DONE.items() for word in forms
       if code in JOURNAL_ACTIONS},  # not the counts' own (divisions and groups: « add »)
}

# Where an account's password stands (account.password_origin), on the console's Comptes.
PASSWORD_ORIGINS: Mapping[str, str] = {
    "initial": "initial", "reset": "réinitialisé, à changer", "changed": "changé",
}

# The purposes of an applied plan (plan.model.PlanPurpose values), in `bascule history`.
PURPOSES: Mapping[str, str] = {
    "campaign": "campagne", "lifecycle": "suppressions du calendrier", "undo": "annulation",
}

# The GAR-ENT files' types (GAR's own names), counted for people after `feed gar`.
GAR_TYPES: Mapping[str, tuple[str, str]] = {
    "Eleve": ("élève", "élèves"), "Enseignant": ("enseignant", "enseignants"),
    "Etab": ("établissement", "établissements"), "Groupe": ("groupe", "groupes"),
    "RespAff": ("responsable d'affectation", "responsables d'affectation"),
}

# The cleanups of the storage spaces (operations/spaces.py), as `cleanup plan` takes them.
CLEANUPS: Mapping[str, str] = {"classes": "classes", "personnels": "personnels",
                               "departs": "départs", "imports": "imports"}

# A review case's decisions (plan.model.Choice values).
DECISIONS: Mapping[str, str] = {"same": "même personne", "different": "personne différente",
                                "not_yet": "pas encore"}
# The short spellings `review resolve` has always taken.
DECISION_SPELLINGS: Mapping[str, str] = {"meme": "same", "même": "same", "pas-encore": "not_yet",
                                         "différente": "different", "différent": "different"}

# The console API's scopes (store/tokens.py): already French words, each with what it allows.
API_SCOPES: Mapping[str, str] = {"lecture": "lire comptes, plan, vérification",
                                 "mots-de-passe": "réinitialiser des mots de passe",
                                 "pilotage": "fermeture rentrée et délégations",
                                 "plan": "approuver le plan"}

# The directories bascule provisions (settings' TargetKind values).
TARGET_KINDS: Mapping[str, str] = {"openldap": "openldap", "ad": "ad"}

# Column headers of the CSVs people open in a spreadsheet (accounts export, credentials).
CSV_HEADERS: Mapping[str, str] = {
    "login": "identifiant", "educonnect": "identifiant EduConnect", "profile": "profil",
    "status": "état", "last_name": "nom", "first_name": "prénom",
    "birth_date": "date de naissance", "division": "division", "groups": "groupes",
    "ine": "INE", "password": "mot de passe",
    "action": "action", "person": "clé", "field": "champ", "old": "avant", "new": "après",
}


# A night's run (reports/night.py): a school's outcome, its steps and their statuses.
NIGHT_OUTCOMES: Mapping[str, str] = {
    "applied": "appliqué", "unchanged": "inchangé", "held": "retenu, en attente d'accord",
    "failed": "en échec", "skipped": "non traité",
}
NIGHT_OUTCOMES_PLURAL: Mapping[str, str] = {
    "applied": "appliqués", "unchanged": "inchangés", "held": "retenus", "failed": "en échec",
    "skipped": "non traités",
}
# A school of a night handed to the workers (`run --status`, the console's Nuit page).
QUEUE_STATES: Mapping[str, str] = {
    "waiting": "en attente", "running": "en cours", "retry": "nouvel essai prévu",
    "imported": "importé, attend les imports des autres établissements",
    "done": "fait", "failed": "en échec",
}
NIGHT_STEPS: Mapping[str, str] = {
    "import": "import des exports", "plan": "plan", "apply": "application du plan",
    "sync": "synchronisation des annuaires", "spaces": "espaces", "feeds": "flux",
    "verify": "vérification", "cleanup": "nettoyage", "deletion": "suppression des anciens comptes",
    "mail": "courriels", "notices": "avis aux anciens personnels",
    "erreur": "arrêt sur erreur",
}
# What a night's step counted (reports/night.StepReport.counts), beside an apply's actions
# (_DONE): the plan's accounts to touch, and the other steps' own counts.
_PLANNED: Mapping[str, tuple[str, str]] = {
    "create": ("compte à créer", "comptes à créer"),
    "update": ("compte à mettre à jour", "comptes à mettre à jour"),
    "move": ("élève à changer de division", "élèves à changer de division"),
    "transfer": ("élève à accueillir d'un autre collège", "élèves à accueillir d'un autre "
                 "collège"),
    "disable": ("compte à désactiver", "comptes à désactiver"),
    "reactivate": ("compte à réactiver", "comptes à réactiver"),
    "delete": ("compte à supprimer", "comptes à supprimer"),
}
_STEP_COUNTED: Mapping[str, tuple[str, str]] = {
    "eleves": ("élève présent", "élèves présents"),
    "avertissements": ("avertissement", "avertissements"),
    "ecritures": ("écriture dans l'annuaire", "écritures dans l'annuaire"),
    "crees": ("espace créé", "espaces créés"),
    "retires": ("espace de classe rangé en fin d'année", "espaces de classe rangés en fin "
                "d'année"),
    "fichiers_ent": ("fichier pour l'ENT", "fichiers pour l'ENT"),
    "erreur": ("constat d'erreur", "constats d'erreur"),
    "avertissement": ("constat à surveiller", "constats à surveiller"),
    "classes": ("espace de classe archivé", "espaces de classe archivés"),
    "departs": ("dossier d'ancien compte archivé", "dossiers d'anciens comptes archivés"),
    "imports": ("ancien import retiré", "anciens imports retirés"),
}
STEP_STATUSES: Mapping[str, str] = {
    "done": "fait", "unchanged": "rien à faire", "skipped": "non fait", "held": "retenu",
    "failed": "en échec", "waiting": "en attente d'exports complets",
}

# The mail outbox (`bascule mail outbox`): what a mail is for, and what became of it.
MAIL_KINDS: Mapping[str, str] = {
    "digest": "résumé de la nuit", "held_plan": "plan en attente (direction)",
    "staff_notice": "avis de suppression de compte", "test": "message d'essai",
}
MAIL_STATUSES: Mapping[str, str] = {"pending": "en cours", "sent": "envoyé", "failed": "non remis"}

def label(table: Mapping[str, str], code: str) -> str:
    """The French word of a code; a code the table does not know yet shows as it is, with its
    underscores as spaces (a new journal action must not break the page that lists it)."""
    return table.get(code, code.replace("_", " "))


def profile_label(code: str) -> str:
    return label(PROFILES, code)


def status_label(code: str) -> str:
    return label(STATUSES, code)


def change_text(field: str, before: str, after: str) -> str:
    """« profil : élève → enseignant », one change of a plan's update."""
    before, after = value_label(field, before), value_label(field, after)
    return f"{label(FIELDS, field)} : {before or '(vide)'} → {after or '(vide)'}"


def value_label(field: str, value: str) -> str:
    """A changed field's value as people read it: profiles and statuses in words, a day
    (ISO 8601, as plans and the store keep it) as « 04/03/2012 »."""
    if not value:
        return ""
    if field == "profile":
        return profile_label(value)
    if field == "status":
        return status_label(value)
    if _ISO_DAY.fullmatch(value):
        return f"{value[8:10]}/{value[5:7]}/{value[:4]}"
    return value


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def stored_value_text(field: str, value: object) -> str:
    """A value of the store's history as people read it: « — » for none, statuses and
    profiles in words, moments in Paris time."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return describe_moment(value, clock=True)
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return value_label(field, str(value)) or "(vide)"


# A membership's kind (plan.model.Fact.kind), as `history --apply` names the row it changed:
# its words and the preposition its structure takes.
FACT_KINDS: Mapping[str, tuple[str, str]] = {
    "structure": ("structure", ""), "member": ("membre", "de"), "service": ("enseigne", "à"),
    "pp": ("professeur principal", "de"), "guardian": ("responsable de", ""),
}
# A structure target "D:6A" / "G:5ESP 1" (plan/desired.py structure_target), after each
# preposition (French contracts « de le » and « à le »).
_STRUCTURES: Mapping[tuple[str, str], str] = {
    ("", "D"): "division", ("", "G"): "groupe", ("de", "D"): "de la division",
    ("de", "G"): "du groupe", ("à", "D"): "à la division", ("à", "G"): "au groupe",
}


# NIVEAU_RESPONSABILITE of Siècle (domain/people.GuardianLevel), a guardian fact's detail.
GUARDIAN_LEVELS: Mapping[str, str] = {"1": "légal", "2": "en charge", "3": "contact"}
# A person's one row of its table (the table's name says which): nothing more to say.
_ONE_PER_PERSON = frozenset({"person", "account", "pending_password"})


def store_row_text(table: str, row: tuple[object, ...],
                   names: Mapping[str, str] | None = None) -> str:
    """Which row of the store a history line is about, as people read it: « 2025-2026 :
    membre de la division 6A », « identifiant réseau dupontj », « 2025-2026 : responsable
    (légal) de MARTIN Léa (lmartin) »; `names`: people's « NOM Prénom (login) » by their key,
    for the facts that name another person. Rows are given by their identity
    (store/changes.py _KEYS); beside the table's name (STORE_TABLES), which is all there is to
    say of a person's own row (their account: « »)."""
    if table == "fact" and len(row) == 6:
        return _fact_text(*(str(part) for part in row), names=names or {})
    if table == "login" and len(row) == 3:
        return f"{label(FIELDS, f'login {row[1]}')} {row[2]}"
    if table in _ONE_PER_PERSON:
        return ""
    if table == "person_source_id" and len(row) == 3:
        return f"{str(row[1]).upper()} {row[2]}"  # the export's field: ELEVE_ID 1000029
    if table == "breaker_mark" and len(row) == 3:
        return f"{_year_text(str(row[1]))} : {label(PROFILES, str(row[2]))}"
    if table == "delegation" and len(row) == 1:
        return f"n° {row[0]}"
    return " ".join(str(part) for part in row)


def _fact_text(_uai: str, year: str, kind: str, subject: str, target: str, detail: str, *,
               names: Mapping[str, str]) -> str:
    if kind == "guardian":
        level = GUARDIAN_LEVELS.get(detail, detail)
        return f"{_year_text(year)} : responsable ({level}) de {names.get(target, target)}"
    words, preposition = FACT_KINDS.get(kind, (kind, ""))
    what = _structure_text(subject if kind == "structure" else target, preposition)
    text = f"{_year_text(year)} : {words} {what}"
    shown = _structure_label(detail) if kind == "structure" else detail
    return f"{text} ({shown})" if shown else text


def _structure_label(detail: str) -> str:
    """A structure fact's detail is its label and its parents, as JSON (plan/desired.py):
    the label is what people read."""
    try:
        label_and_parents = json.loads(detail)
    except ValueError:
        return detail
    if isinstance(label_and_parents, list) and label_and_parents:
        return str(label_and_parents[0])
    return detail


def _structure_text(target: str, preposition: str) -> str:
    kind, _, code = target.partition(":")
    words = _STRUCTURES.get((preposition, kind))
    if words is None or not code:
        return f"{preposition} {target}".strip()
    return f"{words} {code}"


def _year_text(year: str) -> str:
    """2025 → « 2025-2026 » (the store keeps a school year by its first calendar year)."""
    return f"{year}-{int(year) + 1}" if year.isdigit() else year


def applied_purpose_text(purpose: str, undoes: int | None, undone_by: int | None) -> str:
    """« annulation du n° 3 », « campagne (annulé par le n° 5) »: what an applied plan was."""
    what = label(PURPOSES, purpose)
    if undoes is not None:
        what += f" du n° {undoes}"
    if undone_by is not None:
        what += f" (annulé par le n° {undone_by})"
    return what


def done_counts_text(counts: Mapping[str, int]) -> str:
    """« 3 comptes créés, 1 compte désactivé »: what an applied plan did."""
    order = list(_DONE)
    return ", ".join(done_text(kind, number) for kind, number in sorted(
        counts.items(), key=lambda item: (order.index(item[0]) if item[0] in order
                                          else len(order), item[0])))


def step_counts_text(step: str, counts: Mapping[str, int]) -> str:
    """« 100 comptes à créer, 3 comptes à désactiver » (the plan), « 100 comptes créés, 19
    divisions et groupes ajoutés » (an apply or the deletions), « 12 dossiers créés »: what a
    night's step counted, in the order an apply says it; an unknown code as it is."""
    words = _PLANNED if step == "plan" else {**_DONE, **_STEP_COUNTED}
    order = list(words)
    return ", ".join(count_of(number, *words.get(code, (code, code))) for code, number in sorted(
        counts.items(), key=lambda item: (order.index(item[0]) if item[0] in order
                                          else len(order), item[0])))


def count_of(number: int, singular: str, plural: str) -> str:
    """« 1 compte », « 0 compte », « 3 comptes » (French: plural from 2 on)."""
    return f"{number} {singular if abs(number) < 2 else plural}"


def done_text(code: str, number: int) -> str:
    """« 1641 comptes créés », for an action an apply executed `number` times."""
    singular, plural = _DONE.get(code, (label(COUNTED, code), label(COUNTED, code)))
    return count_of(number, singular, plural)


def folded(text: str) -> str:
    """Lower case, without accents (« Léa » finds « LEA »): what a search compares."""
    return anyascii(text).casefold()


def _folded(text: str) -> str:
    """Lower case, no accents, spaces and hyphens as underscores: « Vie scolaire »,
    vie_scolaire."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "_".join(plain.replace("-", " ").replace("'", " ").split())


def parse_choice(value: str, table: Mapping[str, str], what: str, option: str, *,
                 feminine: bool = False, also: Mapping[str, str] | None = None) -> str:
    """The code a person meant, given the code or its French word, accents and case aside:
    `table` maps each code to the word shown; `also` maps other accepted spellings to a code
    (accepted, not listed). `what` names the kind of value (« profil », « action »: feminine).

    Raises UnknownValue (exit 2, never an empty result) listing the French words allowed."""
    wanted = _folded(value)
    for code, word in table.items():
        if wanted in (_folded(code), _folded(word)):
            return code
    for word, code in (also or {}).items():
        if wanted == _folded(word):
            return code
    allowed = ", ".join(table.values())
    raise UnknownValue(f"{option} « {value} » : {what} inconnu{'e' if feminine else ''}.",
                       hint=f"Les valeurs possibles sont : {allowed}.")
