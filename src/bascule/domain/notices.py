"""The notices the memo asks to pass on ("merci de transmettre cette information aux personnes
concernées"), from the calendar: to each audience, what is coming for them from a given moment
on. Pure: the calendar and the moment in, French sentences out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bascule.domain.calendar import Calendar, Milestone, Span
from bascule.domain.school import describe_moment

AUDIENCES = {"enseignants": "Aux enseignants",
             "familles": "Aux élèves et à leurs parents",
             "referents": "Aux référents numériques et à la direction"}


@dataclass(frozen=True, slots=True)
class Notice:
    audience: str
    starts: datetime  # the notices of an audience are read in this order
    text: str


def _start(span: Span) -> str:
    return describe_moment(span.start)


def _end(span: Span) -> str:
    return describe_moment(span.end) if span.end else "?"


# (audience, milestone, the sentence); a period's notice lasts until its end, a date's until it.
_RULES: tuple[tuple[str, Milestone, Callable[[Span], str]], ...] = (
    ("enseignants", Milestone.MOODLECOL_READ_ONLY,
     lambda s: f"Moodlecol passe en lecture seule le {_start(s)} : enregistrez ce que vous "
               "voulez garder ; vos cours continuent sur Éléa, avec vos cohortes de classes."),
    ("enseignants", Milestone.MOODLECOL_STOPPED,
     lambda s: f"Moodlecol s'arrête le {_start(s)}."),
    ("enseignants", Milestone.STAFF_SPACES_CLEANUP,
     lambda s: f"Salle_des_profs et Mediaprof sont nettoyés du {_start(s)} au {_end(s)} : "
               "copiez ailleurs ce que vous voulez garder."),
    ("enseignants", Milestone.VERIFICATION,
     lambda s: f"À partir du {_start(s)}, vérifiez que vous accédez à toutes vos classes et à "
               "tous vos groupes, et signalez ce qui manque au référent numérique."),
    ("familles", Milestone.ENT_ELEVES_ACCESS_END,
     lambda s: f"L'accès des élèves à l'ENT s'interrompt le {_start(s)}."),
    ("familles", Milestone.ENT_CLOSURE,
     lambda s: f"L'ENT est fermé aux élèves et aux parents du {_start(s)} au {_end(s)}, "
               "le temps de préparer la rentrée."),
    ("familles", Milestone.RENTREE,
     lambda s: f"Rentrée le {_start(s)} : les identifiants EduConnect sont distribués par "
               "l'établissement ; le mot de passe se choisit à l'activation."),
    ("referents", Milestone.CLASS_SPACES_CLEANUP_JULY,
     lambda s: f"Nettoyage des espaces classes et du Commun du {_start(s)} au {_end(s)}."),
    ("referents", Milestone.CLASS_SPACES_CLEANUP_AUGUST,
     lambda s: f"Ou nettoyage des espaces classes et du Commun du {_start(s)} au {_end(s)}."),
    ("referents", Milestone.STAFF_SPACES_CLEANUP,
     lambda s: f"Nettoyage de Salle_des_profs et Mediaprof (par l'établissement) du "
               f"{_start(s)} au {_end(s)}."),
    ("referents", Milestone.PEDAGOGICAL_SERVER_RESUMES,
     lambda s: f"Reprise des imports vers le serveur pédagogique le {_start(s)}."),
    ("referents", Milestone.VERIFICATION,
     lambda s: f"Vérification des attributions et des groupes à partir du {_start(s)} "
               "(bascule verify)."),
    ("referents", Milestone.DELETIONS,
     lambda s: f"Suppression des comptes des anciens élèves et personnels à partir du "
               f"{_start(s)} : leurs dossiers sont archivés d'abord."),
)


def notices(calendar: Calendar, now: datetime) -> dict[str, list[str]]:
    """For each audience, the notices not yet past at `now`, in the calendar's order."""
    found: dict[str, list[Notice]] = {audience: [] for audience in AUDIENCES}
    for audience, milestone, sentence in _RULES:
        span = calendar.span(milestone)
        if span is None:
            continue
        until = span.end or span.start
        if until >= now:
            found[audience].append(Notice(audience, span.start, sentence(span)))
    return {audience: [n.text for n in sorted(items, key=lambda n: n.starts)]
            for audience, items in found.items()}


NOTHING_YET = "Rien de prévu pour l'instant."


def notices_ahead(calendar: Calendar, following: Calendar, now: datetime) -> dict[str, list[str]]:
    """`notices` of this rentrée; an audience with none left gets the first of the following
    rentrée's (what comes next), so that no audience's list is blank."""
    found, later = notices(calendar, now), notices(following, now)
    return {audience: lines or later[audience][:1] or [NOTHING_YET]
            for audience, lines in found.items()}
