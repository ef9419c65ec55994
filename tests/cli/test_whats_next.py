"""`calendar` and `notices` never leave a person without an answer: in autumn, once the
rentrée's steps are past, they say what the next summer brings."""

from __future__ import annotations

from tests.conftest import Cli

NOVEMBER = ("--at", "2026-11-15T08:00")


def test_calendar_says_the_next_step_after_the_last(cli: Cli) -> None:
    shown = cli("calendar", *NOVEMBER)
    assert shown.exit_code == 0
    text = " ".join(shown.stdout.split())
    assert ("Le dimanche 15/11/2026 08:00 : dernière étape : arrêt de Moodlecol (mercredi "
            "30/09/2026) ; prochaine étape : nettoyage Salle_des_profs et Mediaprof (par "
            "l'établissement), le lundi 28/06/2027.") in text


def test_notices_tell_every_audience_what_comes_next(cli: Cli) -> None:
    shown = cli("notices", *NOVEMBER)
    assert shown.exit_code == 0
    text = " ".join(shown.stdout.split())
    assert "Rien de prévu" not in text
    assert "L'accès des élèves à l'ENT s'interrompt le lundi 23/08/2027." in text
    assert text.count("28/06/2027") == 2  # the teachers' and the referents' next notice
