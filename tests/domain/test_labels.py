"""The French label table: every code people may read has its word, and filters take both."""

from __future__ import annotations

import pytest

from bascule.domain import labels
from bascule.domain.access import CLOSED_PROFILES
from bascule.domain.policy import STAFF_PROFILES
from bascule.errors import UnknownValue
from bascule.plan.model import AccountStatus, ActionKind


def test_every_profile_status_and_action_has_its_french_word() -> None:
    assert STAFF_PROFILES | set(CLOSED_PROFILES) == set(labels.PROFILES)
    assert set(labels.PROFILES) == set(labels.PROFILES_PLURAL)
    assert {status.value for status in AccountStatus} == set(labels.STATUSES)
    assert {kind.value for kind in ActionKind} == set(labels.ACTIONS)
    assert {kind.value for kind in ActionKind} <= set(labels.JOURNAL_ACTIONS)
    assert labels.profile_label("vie_scolaire") == "vie scolaire"
    assert labels.status_label("disabled") == "désactivé"


@pytest.mark.parametrize(("given", "code"), [
    ("eleve", "eleve"), ("élève", "eleve"), ("Élève", "eleve"), ("ELEVE", "eleve"),
    ("vie scolaire", "vie_scolaire"), ("vie_scolaire", "vie_scolaire"),
    ("Vie-Scolaire", "vie_scolaire"),
])
def test_a_profile_filter_takes_the_code_or_the_word(given: str, code: str) -> None:
    assert labels.parse_choice(given, labels.PROFILES, "profil", "--profile") == code


def test_a_status_filter_takes_the_french_word() -> None:
    assert labels.parse_choice("actif", labels.STATUSES, "état", "--status") == "active"
    assert labels.parse_choice("supprimé", labels.STATUSES, "état", "--status") == "deleted"
    assert labels.parse_choice("deleted", labels.STATUSES, "état", "--status") == "deleted"


def test_an_unknown_value_lists_the_allowed_words() -> None:
    with pytest.raises(UnknownValue) as refused:
        labels.parse_choice("actifs", labels.STATUSES, "état", "--status")
    assert refused.value.message == "--status « actifs » : état inconnu."
    assert refused.value.hint == "Les valeurs possibles sont : actif, désactivé, supprimé."


@pytest.mark.parametrize(("code", "count", "text"), [
    ("create", 1641, "1641 comptes créés"), ("create", 1, "1 compte créé"),
    ("move", 439, "439 élèves changés de division"), ("add", 2611, "2611 liens ajoutés"),
])
def test_what_an_apply_did_is_counted_in_words(code: str, count: int, text: str) -> None:
    assert labels.done_text(code, count) == text


def test_a_change_names_its_field() -> None:
    assert labels.change_text("profile", "eleve", "enseignant") == (
        "profil : élève → enseignant")
    assert labels.change_text("last_name", "MARTIN", "DURAND") == "nom : MARTIN → DURAND"


def test_a_changed_day_reads_as_in_france() -> None:
    assert labels.change_text("birth_date", "2012-03-04", "2012-04-03") == (
        f"{labels.label(labels.FIELDS, 'birth_date')} : 04/03/2012 → 03/04/2012")
    assert labels.value_label("exit_date", "") == ""


def test_every_journaled_action_has_its_words() -> None:
    """An action journaled anywhere in bascule shows in words in the Journal and `audit`."""
    import re
    from pathlib import Path

    source = "\n".join(path.read_text(encoding="utf-8")
                       for path in Path(labels.__file__).parents[1].rglob("*.py"))
    journaled = set(re.findall(r'journal_entry\(\s*\w+,\s*[\w.]+,\s*"([^"]+)"', source))
    journaled |= set(re.findall(r'_journal\(\s*\w+,\s*\w+,\s*"([^"]+)"', source))
    journaled |= set(re.findall(r'insert\(journal\)\.values\([^)]*?action="([^"]+)"', source,
                                flags=re.S))
    journaled |= set(re.findall(r'journal_entry\(\s*\w+,\s*[\w.]+,\s*"(\w+)" if [^,]+ else "(\w+)"',
                                source)[0])
    assert len(journaled) > 10
    assert journaled <= set(labels.JOURNAL_ACTIONS), journaled - set(labels.JOURNAL_ACTIONS)


@pytest.mark.parametrize(("table", "row", "text"), [
    ("fact", ("0861000V", 2025, "member", "eleve:1", "D:3 A", ""),
     "2025-2026 : membre de la division 3 A"),
    ("fact", ("0861000V", 2025, "member", "eleve:1", "G:5ESP 1", ""),
     "2025-2026 : membre du groupe 5ESP 1"),
    ("fact", ("0861000V", 2025, "service", "ens:4", "G:4LAT", "LATIN"),
     "2025-2026 : enseigne au groupe 4LAT (LATIN)"),
    ("fact", ("0861000V", 2025, "pp", "ens:4", "D:6A", ""),
     "2025-2026 : professeur principal de la division 6A"),
    ("fact", ("0861000V", 2026, "structure", "D:6A", "", "6e A"),
     "2026-2027 : structure division 6A (6e A)"),
    ("fact", ("0861000V", 2026, "structure", "D:3 A", "", '["3e A", ["10310019110"]]'),
     "2026-2027 : structure division 3 A (3e A)"),
    ("fact", ("0861000V", 2025, "guardian", "resp:9", "eleve:1", "1"),
     "2025-2026 : responsable (légal) de MARTIN Léa (lmartin)"),
    ("fact", ("0861000V", 2025, "guardian", "resp:9", "eleve:2", "3"),
     "2025-2026 : responsable (contact) de eleve:2"),  # a child the store no longer names
    ("fact", ("0861000V", 2025, "nouveau", "eleve:1", "X:1", ""), "2025-2026 : nouveau X:1"),
    ("login", ("0861000V", "pnom", "dupontj"), "identifiant réseau dupontj"),
    ("login", ("0861000V", "p.nom", "j.dupont"), "identifiant EduConnect j.dupont"),
    ("account", (42,), ""),
    ("person", (42,), ""),
    ("pending_password", (42,), ""),
    ("person_source_id", (42, "eleve_id", "1000029"), "ELEVE_ID 1000029"),
    ("breaker_mark", ("0861000V", 2025, "eleve"), "2025-2026 : élève"),
    ("delegation", (3,), "n° 3"),
])
def test_a_history_row_reads_in_french(table: str, row: tuple[object, ...], text: str) -> None:
    names = {"eleve:1": "MARTIN Léa (lmartin)"}
    assert labels.store_row_text(table, row, names) == text


@pytest.mark.parametrize(("given", "code"), [
    ("changer de division", "move"), ("Créer", "create"), ("comptes créés", "create"),
    ("élève changé de division", "move"), ("compte créé", "create"), ("move", "move"),
])
def test_a_journal_action_filter_takes_the_plans_words_too(given: str, code: str) -> None:
    assert labels.parse_choice(given, labels.JOURNAL_ACTIONS, "action", "--action",
                               also=labels.JOURNAL_ACTION_SYNONYMS) == code


def test_every_password_origin_the_store_writes_has_its_words() -> None:
    """A reset password is « réinitialisé, à changer », not « changé » (its owner has not
    chosen it): the console's Comptes says which."""
    from bascule.store.people import PRINTED_PASSWORDS

    assert {*PRINTED_PASSWORDS, "changed"} == set(labels.PASSWORD_ORIGINS)
    assert labels.PASSWORD_ORIGINS["reset"] != labels.PASSWORD_ORIGINS["changed"]


@pytest.mark.parametrize(("step", "counts", "text"), [
    ("plan", {"disable": 1, "create": 100}, "100 comptes à créer, 1 compte à désactiver"),
    ("apply", {"add": 558, "create": 100, "add_structure": 19},
     "100 comptes créés, 19 divisions et groupes ajoutés, 558 liens ajoutés"),
    ("import", {"eleves": 357, "avertissements": 2}, "357 élèves présents, 2 avertissements"),
    ("verify", {"erreur": 1, "avertissement": 13},
     "1 constat d'erreur, 13 constats à surveiller"),
    ("spaces", {"crees": 12, "retires": 0},
     "12 espaces créés, 0 espace de classe rangé en fin d'année"),
    ("feeds", {"fichiers_ent": 6, "autre": 2}, "6 fichiers pour l'ENT, 2 autre"),
])
def test_a_night_step_s_counts_read_in_french(step: str, counts: dict[str, int],
                                              text: str) -> None:
    """The night's report and digest (newcomer 9, finding 6): « create : 100 » was a code."""
    assert labels.step_counts_text(step, counts) == text
