"""`history --apply N --person`: a login names one person exactly, not every login it begins."""

from __future__ import annotations

from bascule.operations.history import FieldChanged, changes_about


def _row(person: str, label: str, *logins: str) -> FieldChanged:
    return FieldChanged(table="account", person=person, row=(), field="status", old="active",
                        new="disabled", person_label=label, person_logins=logins)


def test_a_login_keeps_its_holder_only_a_name_keeps_every_namesake() -> None:
    anais = _row("eleve:1", "ANDRÉ Anaïs (aandre)", "aandre", "a.andre")
    agathe = _row("eleve:2", "ANDRÉ Agathe (aandre2)", "aandre2", "a.andre5")
    changes = [anais, agathe]
    assert changes_about(changes, "aandre") == [anais]
    assert changes_about(changes, " AANDRE ") == [anais]
    assert changes_about(changes, "a.andre5") == [agathe]
    assert changes_about(changes, "eleve:2") == [agathe]
    assert changes_about(changes, "andré") == changes
    assert changes_about(changes, "Agathe andre") == [agathe]
    assert changes_about(changes, "personne") == []
