"""The home folder and its configuration, resolved once at the entry point into frozen Settings.

One table (SETTINGS) says every configurable key, its type, default and help; bascule.toml holds
only what differs from the defaults, plus the schools of this home (one UAI for a school, several
for a département).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Literal, cast

import tomli_w

from bascule.domain.passwords import MAX_LENGTH, PasswordPolicy, PolicyTooLong, PolicyTooWeak
from bascule.domain.school import is_well_formed_uai, normalise_uai
from bascule.errors import Location, UserError
from bascule.mail.config import MailConfig, read_mail_config
from bascule.plan.kinds import ActionKind
from bascule.plan.thresholds import DEFAULT_THRESHOLDS, Threshold, Thresholds
from bascule.targets.config import DEFAULT_OUS, FIRST_POSIX_NUMBER, TargetConfig, TargetKind

CONFIG_NAME = "bascule.toml"
STORE_NAME = "bascule.sqlite"


@dataclass(frozen=True, slots=True)
class Setting:
    key: str  # "section.name" in bascule.toml
    type: type
    default: object
    help: str
    secret: bool = False


SETTINGS = (
    Setting("store.url", str, "",
            "Base de données (URL SQLAlchemy). Vide : SQLite dans le dossier bascule."),
    Setting("store.pool_size", int, 5,
            "PostgreSQL : connexions gardées ouvertes par processus (console, nuit, worker)."),
    Setting("store.pool_max_overflow", int, 10,
            "PostgreSQL : connexions ouvertes en plus lors d'un pic, refermées ensuite."),
    Setting("store.pool_timeout_s", int, 30,
            "PostgreSQL : secondes d'attente d'une connexion libre avant d'abandonner la "
            "requête (le serveur doit accepter, pour chaque machine, pool_size + "
            "pool_max_overflow connexions par processus : max_connections)."),
    Setting("import.refuse_on_any_error", bool, False,
            "Toute erreur refuse-t-elle l'import entier ? Par défaut non : une fiche fautive "
            "est retenue (laissée telle quelle) et le reste de l'établissement est importé."),
    Setting("report.max_problems_shown", int, 50,
            "Nombre de problèmes détaillés à l'écran ; les suivants sont comptés."),
    Setting("import.max_export_mo", int, 16,
            "Taille maximale d'un export une fois décompressé (Mo) : un export réel pèse "
            "quelques Mo ; au-delà, le fichier est refusé avant d'occuper la mémoire."),
    Setting("import.max_zip_ratio", int, 100,
            "Facteur de décompression maximal d'une archive zip (un export réel se décompresse "
            "5 à 20 fois ; une « bombe zip », des centaines de fois)."),
    Setting("import.max_records", int, 50_000,
            "Enregistrements (élèves, options, personnes, liens, services…) au plus dans un "
            "import, tous fichiers ensemble : un collège de 1 000 élèves en compte environ "
            "10 000, un lycée de 4 000 environ 40 000."),
    Setting("accounts.login_quarantine_days", int, 365,
            "Jours pendant lesquels un identifiant libéré n'est redonné à personne d'autre."),
    Setting("accounts.login_follows_name_change", bool, False,
            "Un identifiant suit-il le nouveau nom d'une personne ? Par défaut non : il la suit "
            "toute sa scolarité."),
    Setting("accounts.mass_leave_percent", int, 10,
            "À partir de cette part des comptes actifs d'un profil partis sans être attendus "
            "(hors départs des 3e à la rentrée), depuis la rentrée ou le dernier départ massif "
            "confirmé, « apply » refuse sans --allow-mass-leave et --reason (le seuil "
            "[thresholds.disable] percent, s'il est donné, le remplace)."),
    Setting("depot.root", str, "",
            "Dossier de dépôt des exports (un dossier alimenté par SFTP, par exemple). Vide : "
            "<dossier>/depot ; les exports d'un établissement y sont dans <UAI>/, ou dans le "
            "dossier donné par [schools.\"UAI\"] depot = \"…\"."),
    Setting("depot.retention_days", int, 30,
            "Jours pendant lesquels les exports traités restent dans depot/<UAI>/traites/ "
            "avant que la nuit ne les supprime (« les anciens fichiers d'importation seront "
            "supprimés »)."),
    Setting("night.reports_retention_days", int, 90,
            "Jours pendant lesquels les rapports des nuits (rapports/nuits/) sont gardés."),
    Setting("queue.max_attempts", int, 4,
            "Base PostgreSQL et travailleurs (bascule worker) : essais d'un établissement dont "
            "une cible (annuaire, espaces, flux) a échoué, avant qu'il ne soit déclaré en "
            "échec."),
    Setting("queue.backoff_seconds", int, 4,
            "Attente avant un nouvel essai, qui croît à chaque essai : 4, 16, 64 secondes… "
            "(cette valeur à la puissance du numéro de l'essai)."),
    Setting("queue.heartbeat_seconds", int, 10,
            "Chaque travailleur signale sa présence à cet intervalle ; un travailleur muet "
            "trois intervalles est tenu pour arrêté et son établissement repris par un autre."),
    Setting("passwords.teachers_reset_own_eleves_only", bool, True,
            "Les enseignants ne réinitialisent-ils que les mots de passe des élèves de leurs "
            "classes et groupes ? Par défaut oui (la direction l'élargit par la délégation "
            "« Réinitialiser les mots de passe de tous les élèves ») ; false : de tous les "
            "élèves, un à un, comme le dit le mémo (les divisions entières restent les leurs)."),
    Setting("passwords.slips_kept_days", int, 30,
            "Jours pendant lesquels la console donne les fiches d'une application (sans "
            "nouveaux mots de passe), le temps de les distribuer ; ensuite, la réimpression."),
    Setting("passwords.min_length", int, 12,
            "Longueur minimale des mots de passe initiaux (de 12 à 64)."),
    Setting("passwords.min_classes", int, 3,
            "Types de caractères exigés parmi majuscule, minuscule, chiffre, spécial (3 ou 4)."),
    Setting("spaces.root", str, "",
            "Racine des espaces (un partage monté en production). Vide : <dossier>/espaces. "
            "Retenue dès qu'elle est donnée à bascule spaces sync --root."),
    Setting("spaces.quota_perso_eleve_go", int, 1, "Quota de l'espace personnel d'un élève (Go)."),
    Setting("spaces.quota_perso_personnel_go", int, 6,
            "Quota de l'espace personnel d'un enseignant ou personnel (Go)."),
    Setting("spaces.quota_classe_go", int, 20, "Quota d'un espace classe (Go)."),
    Setting("spaces.quota_matiere_go", int, 20, "Quota d'un espace matière (Go)."),
    Setting("spaces.quota_salle_des_profs_go", int, 20, "Quota de Salle_des_profs (Go)."),
    Setting("spaces.archive_retention_days", int, 365,
            "Jours pendant lesquels une archive de nettoyage est gardée avant sa purge."),
    Setting("spaces.imports_kept", int, 3,
            "Campagnes importées gardées par établissement ; les plus anciennes sont archivées "
            "puis retirées par le nettoyage « imports »."),
    Setting("backup.before_apply", bool, True,
            "Sauvegarder la base avant les applications de plans (SQLite : copie cohérente ; "
            "PostgreSQL : pg_dump ; une récente peut en couvrir plusieurs : reuse_hours). Une "
            "application sans sauvegarde possible est refusée."),
    Setting("backup.reuse_hours", int, 24,
            "Heures pendant lesquelles la dernière sauvegarde couvre aussi les applications à "
            "la main qui la suivent (chacune reste annulable par bascule undo) ; 0 : une "
            "sauvegarde avant chaque application."),
    Setting("backup.retention_days", int, 90,
            "Jours pendant lesquels une sauvegarde de la base est gardée ; les 5 plus récentes "
            "le sont toujours."),
    Setting("lifecycle.leavers_keep_files_until_deletion", bool, False,
            "Le titulaire d'un compte désactivé garde-t-il la lecture de son espace personnel "
            "jusqu'à la suppression de septembre ? Par défaut non : plus aucun droit."),
    Setting("undo.grace_days", int, 0,
            "Jours pendant lesquels une application peut être annulée (bascule undo). 0 : "
            "jusqu'aux suppressions de septembre du calendrier qui la suivent."),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class School:
    uai: str
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    home: Path
    schools: tuple[School, ...]
    store_url: str
    max_problems_shown: int
    login_quarantine: timedelta
    mass_leave_threshold: float
    login_follows_name_change: bool
    teachers_reset_own_eleves_only: bool
    password_policy: PasswordPolicy
    slips_kept: timedelta = timedelta(days=30)
    targets: tuple[TargetConfig, ...] = ()
    spaces_root: Path = Path("espaces")
    space_quotas_gb: dict[str, int] | None = None  # by space kind ("classe"…)
    archive_retention: timedelta = timedelta(days=365)
    imports_kept: int = 3
    refuse_on_any_error: bool = False
    max_export_bytes: int = 16 * 1024 * 1024
    max_zip_ratio: int = 100
    max_export_records: int = 50_000
    mail: MailConfig | None = None  # [mail]: None when this home sends no mail
    thresholds: Thresholds = field(default_factory=Thresholds)
    school_thresholds: dict[str, Thresholds] | None = None  # overrides per school
    depot_root: Path = Path("depot")
    school_depots: dict[str, Path] | None = None  # [schools."UAI"] depot = "…"
    depot_retention: timedelta = timedelta(days=30)
    night_reports_retention: timedelta = timedelta(days=90)
    queue_max_attempts: int = 4
    queue_backoff_seconds: int = 4
    queue_heartbeat_seconds: int = 10
    backup_before_apply: bool = True
    backup_reuse: timedelta = timedelta(hours=24)  # an apply by hand may share the newest backup
    backup_retention: timedelta = timedelta(days=90)
    leavers_keep_files: bool = False  # a disabled account's owner still reads their folder
    undo_grace: timedelta | None = None  # None: until the calendar's next September deletions

    @property
    def uais(self) -> frozenset[str]:
        return frozenset(school.uai for school in self.schools)

    @property
    def backups(self) -> Path:
        """Where the store's backups go (personal data: the folder is the owner's only)."""
        return self.home / "sauvegardes"

    @property
    def sealing_key(self) -> Path:
        """The key that seals passwords until the directory targets have them."""
        return self.home / "secrets" / "cle-mots-de-passe"

    def targets_of(self, uai: str) -> tuple[TargetConfig, ...]:
        return tuple(target for target in self.targets if target.uai == uai)

    def thresholds_of(self, uai: str) -> Thresholds:
        """The safety thresholds of a school: the folder's, with the school's overrides."""
        return (self.school_thresholds or {}).get(uai, self.thresholds)

    def depot_of(self, uai: str) -> Path:
        """Where the school's exports are dropped: <depot>/<UAI>/ unless configured."""
        return (self.school_depots or {}).get(uai, self.depot_root / uai)


def _not_initialised(home: Path) -> UserError:
    inside = sorted(folder for folder in home.glob(f"*/{CONFIG_NAME}")) if home.is_dir() else []
    if inside:  # « make demo » made bascule-data/demo, the default is bascule-data
        return UserError(
            f"Le dossier {home} n'est pas un dossier bascule (pas de {CONFIG_NAME}), mais "
            f"{inside[0].parent} en est un.",
            hint=f"Nommez-le : bascule --home {inside[0].parent} … (ou BASCULE_HOME)")
    return UserError(
        f"Le dossier {home} n'est pas un dossier bascule (pas de {CONFIG_NAME}).",
        hint="Créez-le avec : bascule --home DOSSIER init --uai UAI --name \"Nom du collège\"",
    )


# The stores bascule knows (SQLAlchemy's addresses): a SQLite file, a PostgreSQL database
# through psycopg 3 (a bare postgresql:// would ask SQLAlchemy for psycopg2, not installed).
_STORE_SCHEMES = ("sqlite:///", "postgresql+psycopg://")
_PLAIN_POSTGRESQL = "postgresql://"


def _store_url(url: str, path: Path) -> str:
    """[store] url as written (a bare postgresql:// read as psycopg's), refused with the forms
    it may take when it is none of them (a `postgres://`, `mysql://` or a bare host name would
    otherwise fail deep in SQLAlchemy, as if bascule were at fault)."""
    if url.startswith(_PLAIN_POSTGRESQL):
        url = "postgresql+psycopg://" + url.removeprefix(_PLAIN_POSTGRESQL)
    if url and not url.startswith(_STORE_SCHEMES):
        shown = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)  # never print its password
        raise UserError(f"{path} : [store] url = « {shown} » n'est pas une adresse de base "
                        "que bascule connaît.",
                        hint="Écrivez sqlite:////chemin/vers/bascule.db ou "
                             "postgresql+psycopg://utilisateur@hôte:5432/base (sans mot de "
                             "passe : ~/.pgpass).")
    return url


def load_settings(home: Path) -> Settings:
    path = home / CONFIG_NAME
    if not path.is_file():
        raise _not_initialised(home)
    document = _read_toml(path)
    values = {setting.key: _value(document, setting, path) for setting in SETTINGS}
    store_url = _store_url(str(values["store.url"]), path) \
        or f"sqlite:///{(home / STORE_NAME).resolve()}"
    if store_url.startswith("postgresql"):
        _configure_pool(store_url, values)
    return _with_night_settings(Settings(
        home=home,
        schools=_schools(document, path),
        store_url=store_url,
        max_problems_shown=cast(int, values["report.max_problems_shown"]),
        login_quarantine=timedelta(days=cast(int, values["accounts.login_quarantine_days"])),
        mass_leave_threshold=cast(int, values["accounts.mass_leave_percent"]) / 100,
        login_follows_name_change=cast(bool, values["accounts.login_follows_name_change"]),
        teachers_reset_own_eleves_only=cast(
            bool, values["passwords.teachers_reset_own_eleves_only"]),
        password_policy=_password_policy(values, path),
        slips_kept=timedelta(days=cast(int, values["passwords.slips_kept_days"])),
        targets=_targets(document, path),
        spaces_root=Path(str(values["spaces.root"])) if values["spaces.root"]
        else home / "espaces",
        space_quotas_gb={kind: cast(int, values[f"spaces.quota_{name}_go"])
                         for kind, name in (("perso-eleve", "perso_eleve"),
                                            ("perso-personnel", "perso_personnel"),
                                            ("classe", "classe"), ("matiere", "matiere"),
                                            ("salle-des-profs", "salle_des_profs"))},
        archive_retention=timedelta(days=cast(int, values["spaces.archive_retention_days"])),
        imports_kept=max(1, cast(int, values["spaces.imports_kept"])),
        refuse_on_any_error=cast(bool, values["import.refuse_on_any_error"]),
        max_export_bytes=max(1, cast(int, values["import.max_export_mo"])) * 1024 * 1024,
        max_zip_ratio=max(1, cast(int, values["import.max_zip_ratio"])),
        max_export_records=max(1, cast(int, values["import.max_records"])),
        mail=read_mail_config(document, path),
        backup_before_apply=cast(bool, values["backup.before_apply"]),
        backup_reuse=timedelta(hours=max(0, cast(int, values["backup.reuse_hours"]))),
        backup_retention=timedelta(days=max(1, cast(int, values["backup.retention_days"]))),
        leavers_keep_files=cast(bool, values["lifecycle.leavers_keep_files_until_deletion"]),
        undo_grace=timedelta(days=cast(int, values["undo.grace_days"]))
        if cast(int, values["undo.grace_days"]) > 0 else None,
    ), document, values, path)


def _configure_pool(store_url: str, values: dict[str, object]) -> None:
    """A PostgreSQL store's pool follows the settings in every process that loads them (a
    command, the console, a night's worker). Imported here only: a SQLite home's commands do
    not pay for SQLAlchemy before they need it."""
    from bascule.store.engine import PoolSizes, configure_pool

    configure_pool(store_url, PoolSizes(
        size=max(1, cast(int, values["store.pool_size"])),
        overflow=max(0, cast(int, values["store.pool_max_overflow"])),
        timeout_s=max(1, cast(int, values["store.pool_timeout_s"]))))


def _with_night_settings(settings: Settings, document: dict[str, object],
                         values: dict[str, object], path: Path) -> Settings:
    """The nightly run's settings: drop folders, retentions, and the safety thresholds (the
    folder's [thresholds], each school's [schools."UAI".thresholds] over them)."""
    rows = dict(DEFAULT_THRESHOLDS)
    rows[ActionKind.DISABLE] = Threshold(cast(int, values["accounts.mass_leave_percent"]),
                                         rows[ActionKind.DISABLE].count)
    folder = _thresholds(document.get("thresholds", {}), Thresholds(rows=rows), path,
                         "thresholds")
    schools = document.get("schools", {})
    entries = {uai: entry for uai, entry in schools.items() if isinstance(entry, dict)} \
        if isinstance(schools, dict) else {}
    return replace(
        settings, thresholds=folder,
        school_thresholds={uai: _thresholds(entry["thresholds"], folder, path,
                                            f"schools.{uai}.thresholds")
                           for uai, entry in entries.items() if "thresholds" in entry},
        depot_root=Path(str(values["depot.root"])) if values["depot.root"]
        else settings.home / "depot",
        school_depots={uai: Path(str(entry["depot"])) for uai, entry in entries.items()
                       if isinstance(entry.get("depot"), str)},
        depot_retention=timedelta(days=max(0, cast(int, values["depot.retention_days"]))),
        night_reports_retention=timedelta(
            days=max(1, cast(int, values["night.reports_retention_days"]))),
        queue_max_attempts=max(1, cast(int, values["queue.max_attempts"])),
        queue_backoff_seconds=max(1, cast(int, values["queue.backoff_seconds"])),
        queue_heartbeat_seconds=max(1, cast(int, values["queue.heartbeat_seconds"])))


_PERCENT_COUNT = ("percent", "count")


def _thresholds(table: object, base: Thresholds, path: Path, where: str) -> Thresholds:
    """[thresholds.ACTION] percent/count, and [thresholds.ACTION.PROFILE] for one profile."""
    names = ", ".join(kind.value for kind in base.rows)
    if not isinstance(table, dict):
        raise _bad_threshold(path, where, f"une table est attendue (actions : {names})")
    rows, by_profile = dict(base.rows), dict(base.by_profile)
    for name, entry in table.items():
        kind = next((k for k in base.rows if k.value == name), None)
        if kind is None or not isinstance(entry, dict):
            raise _bad_threshold(path, f"{where}.{name}", f"action inconnue (actions : {names})")
        rows[kind] = _threshold(entry, rows[kind], path, f"{where}.{name}")
        for profile, values in entry.items():
            if profile not in _PERCENT_COUNT:
                by_profile[(kind, profile)] = _threshold(values, rows[kind], path,
                                                         f"{where}.{name}.{profile}")
    return Thresholds(rows=rows, by_profile=by_profile)


def _threshold(entry: object, base: Threshold, path: Path, where: str) -> Threshold:
    if not isinstance(entry, dict) or any(
            type(entry.get(key, 0)) is not int or entry.get(key, 0) < 0 for key in _PERCENT_COUNT):
        raise _bad_threshold(path, where, "percent et count sont des nombres entiers positifs")
    return Threshold(percent=entry.get("percent", base.percent), count=entry.get("count",
                                                                                 base.count))


def _bad_threshold(path: Path, where: str, why: str) -> UserError:
    return UserError(f"{path} : seuil de sécurité [{where}] mal écrit ({why}).",
                     hint="Par exemple : [thresholds.disable] percent = 10 et count = 5 (voir "
                          "le README, « Seuils de sécurité »).",
                     location=Location(file=str(path), field=where))


def remember_spaces_root(home: Path, root: Path) -> Settings:
    path = home / CONFIG_NAME
    document = _read_toml(path)
    section = document.setdefault("spaces", {})
    assert isinstance(section, dict)
    section["root"] = str(root.resolve())
    _write_config(path, document)
    return load_settings(home)


_TARGET_KEYS = {"kind", "uai", "url", "base_dn", "bind_dn", "password_file", "ca_file", "ous",
                "home_root", "login_shell", "first_posix_number"}


def _targets(document: dict[str, object], path: Path) -> tuple[TargetConfig, ...]:
    table = document.get("targets", {})
    if not isinstance(table, dict):
        raise _bad_target(path, "targets", "[targets.NOM] attendu")
    return tuple(_target(name, entry, path) for name, entry in table.items())


def _bad_target(path: Path, name: str, why: str) -> UserError:
    return UserError(f"{path} : cible « {name} » mal déclarée ({why}).",
                     hint="Déclarez les cibles avec bascule target add (voir bascule target "
                          "add --help).",
                     location=Location(file=str(path), field=f"targets.{name}"))


def _target(name: str, entry: object, path: Path) -> TargetConfig:
    if not isinstance(entry, dict) or not set(entry) <= _TARGET_KEYS:
        raise _bad_target(path, name, "clés inconnues")
    try:
        ous = {**DEFAULT_OUS, **entry.get("ous", {})}
        return TargetConfig(
            name=name, kind=TargetKind(entry["kind"]), uai=str(entry["uai"]),
            url=str(entry["url"]), base_dn=str(entry["base_dn"]), bind_dn=str(entry["bind_dn"]),
            password_file=Path(entry["password_file"]) if entry.get("password_file") else None,
            ca_file=Path(entry["ca_file"]) if entry.get("ca_file") else None,
            ous={str(k): str(v) for k, v in ous.items()},
            home_root=str(entry.get("home_root", "/home")),
            login_shell=str(entry.get("login_shell", "/bin/bash")),
            first_posix_number=int(entry.get("first_posix_number", FIRST_POSIX_NUMBER)))
    except (KeyError, ValueError, TypeError) as exc:
        raise _bad_target(path, name, f"{exc}") from exc


def _target_entry(target: TargetConfig) -> dict[str, object]:
    entry: dict[str, object] = {"kind": target.kind.value, "uai": target.uai, "url": target.url,
                                "base_dn": target.base_dn, "bind_dn": target.bind_dn}
    if target.password_file is not None:
        entry["password_file"] = str(target.password_file)
    if target.ca_file is not None:
        entry["ca_file"] = str(target.ca_file)
    return entry


def save_target(home: Path, target: TargetConfig) -> Settings:
    """Register (or replace) a target in bascule.toml; its password stays in its file."""
    settings = load_settings(home)
    if target.uai not in settings.uais:
        raise UserError(f"L'établissement {target.uai} n'est pas déclaré dans ce dossier.",
                        hint="Déclarez-le d'abord : bascule init --uai UAI --name \"Nom\"")
    path = home / CONFIG_NAME
    document = _read_toml(path)
    targets = document.setdefault("targets", {})
    assert isinstance(targets, dict)
    targets[target.name] = _target_entry(target)
    _write_config(path, document)
    return load_settings(home)


def remove_target(home: Path, name: str) -> Settings:
    path = home / CONFIG_NAME
    document = _read_toml(path)
    targets = document.get("targets", {})
    if not isinstance(targets, dict) or name not in targets:
        raise UserError(f"Aucune cible « {name} » dans ce dossier.",
                        hint="bascule target list les montre.")
    del targets[name]
    _write_config(path, document)
    return load_settings(home)


def _write_config(path: Path, document: dict[str, object]) -> None:
    path.write_text("# bascule: configuration de ce dossier (voir README)\n"
                    + tomli_w.dumps(document), encoding="utf-8")


def _password_policy(values: dict[str, object], path: Path) -> PasswordPolicy:
    try:
        return PasswordPolicy(min_length=cast(int, values["passwords.min_length"]),
                              min_classes=cast(int, values["passwords.min_classes"]))
    except PolicyTooWeak as exc:
        raise UserError(f"{path} : la politique de mots de passe est trop faible ({exc}).",
                        hint="La règle EduConnect impose 12 caractères et 3 types sur 4 au "
                        "minimum.", location=Location(file=str(path), field="passwords")) from exc
    except PolicyTooLong as exc:
        raise UserError(f"{path} : passwords.min_length est trop grand ({exc}).",
                        hint=f"Une longueur entre 12 et {MAX_LENGTH} : les fiches imprimées "
                        "doivent rester lisibles.",
                        location=Location(file=str(path), field="passwords.min_length")) from exc


def _read_toml(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(f"{path} est illisible : {exc}",
                        hint="Corrigez la syntaxe du fichier (format TOML).",
                        location=Location(file=str(path))) from exc


def _value(document: dict[str, object], setting: Setting, path: Path) -> object:
    section, name = setting.key.split(".")
    table = document.get(section, {})
    if not isinstance(table, dict) or name not in table:
        return setting.default
    value = table[name]
    if type(value) is not setting.type:
        raise UserError(
            f"{path} : {setting.key} doit être de type {setting.type.__name__}",
            hint=f"{setting.help} Par défaut : {setting.default!r}.",
            location=Location(file=str(path), field=setting.key),
        )
    return value


def _schools(document: dict[str, object], path: Path) -> tuple[School, ...]:
    table = document.get("schools", {})
    if not isinstance(table, dict) or not table:
        raise UserError(f"{path} ne déclare aucun établissement ([schools.\"UAI\"]).",
                        hint="Ajoutez-en un avec : bascule init --uai UAI --name \"Nom\"")
    schools = []
    for uai, entry in table.items():
        name = entry.get("name", "") if isinstance(entry, dict) else ""
        if not is_well_formed_uai(uai) or not isinstance(name, str):
            raise UserError(f"{path} : établissement « {uai} » mal déclaré",
                            hint="Écrivez chaque établissement ainsi : "
                            "[schools.\"0860999U\"] name = \"…\".")
        schools.append(School(uai=uai, name=name))
    return tuple(schools)


HomeChange = Literal["created", "added", "renamed", "unchanged"]


def init_home(home: Path, uai: str, name: str, *, rename: bool = False
              ) -> tuple[Settings, HomeChange]:
    """Create the home, or add a school to it. Returns the settings and what changed: the
    folder created, a school added or renamed, or nothing. A school already there keeps its
    name unless `rename` (a typo must not rename it)."""
    uai = normalise_uai(uai)
    if not is_well_formed_uai(uai):
        raise UserError(f"« {uai} » n'est pas un UAI valide.",
                        hint="Un UAI compte 7 chiffres et une lettre-clé, par exemple 0860999U ; "
                        "recopiez-le depuis Siècle-BEE (Établissement) ou STS-Web.")
    if not name.strip():
        raise UserError("Le nom de l'établissement est vide.", hint="Donnez --name \"Collège …\".")
    path = home / CONFIG_NAME
    document = _read_toml(path) if path.is_file() else {}
    schools = document.setdefault("schools", {})
    assert isinstance(schools, dict)
    known = schools.get(uai, {}).get("name")
    if known == name.strip():
        return load_settings(home), "unchanged"
    if known is not None and not rename:
        raise UserError(f"{uai} est déjà dans ce dossier, sous le nom « {known} » : rien n'a "
                        "changé.", hint=f"Pour le renommer « {name.strip()} », ajoutez --rename.")
    change: HomeChange = ("renamed" if known is not None else "added" if path.is_file()
                          else "created")
    schools[uai] = {"name": name.strip()}
    home.mkdir(parents=True, exist_ok=True)
    _write_config(path, document)
    return load_settings(home), change


def remove_school_from_home(home: Path, uai: str) -> Settings:
    """The school's entry out of bascule.toml (the store's rows are the caller's)."""
    path = home / CONFIG_NAME
    document = _read_toml(path)
    schools = document.get("schools", {})
    assert isinstance(schools, dict)
    schools.pop(uai, None)
    _write_config(path, document)
    return load_settings(home)
