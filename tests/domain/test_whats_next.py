"""Never blank: where the campaign stands and what each audience is told, once this rentrée's
steps are past (autumn), come from the following rentrée's calendar."""

from __future__ import annotations

from bascule.domain.calendar import derive_calendar, next_step, phase_text
from bascule.domain.notices import AUDIENCES, NOTHING_YET, notices_ahead
from tests.domain.test_calendar import paris

THIS, NEXT = derive_calendar(2026), derive_calendar(2027)


def test_after_the_last_step_the_next_summer_comes_next() -> None:
    november = paris("2026-11-15T08:00")
    coming = next_step((THIS, NEXT), november)
    assert coming is not None and coming[1].start.year == 2027
    text = phase_text(THIS, NEXT, november)
    assert text.startswith("dernière étape : suppression des comptes")
    assert "prochaine étape : nettoyage Salle_des_profs et Mediaprof" in text
    assert "28/06/2027" in text


def test_during_a_step_it_is_said_under_way() -> None:
    text = phase_text(THIS, NEXT, paris("2026-08-26T10:00"))
    assert text.startswith("ENT fermé aux élèves et aux responsables (Fermeture rentrée) ; ")


def test_before_the_summer_the_first_step_is_next() -> None:
    text = phase_text(THIS, NEXT, paris("2026-03-15T08:00"))
    assert text == ("avant la bascule ; prochaine étape : nettoyage Salle_des_profs et "
                    "Mediaprof (par l'établissement), le lundi 29/06/2026")


def test_every_audience_is_told_what_comes_next_in_autumn() -> None:
    found = notices_ahead(THIS, NEXT, paris("2026-11-15T08:00"))
    assert set(found) == set(AUDIENCES)
    for audience, lines in found.items():
        assert len(lines) == 1 and "2027" in lines[0], (audience, lines)
        assert lines != [NOTHING_YET]


def test_this_summer_notices_come_first_when_there_are_some() -> None:
    june = notices_ahead(THIS, NEXT, paris("2026-06-20T10:00"))
    assert all("2027" not in line for lines in june.values() for line in lines)
    assert len(june["familles"]) == 3
