"""May this account use the ENT now? The account's state and the rentrée closure decide.

During the calendar's closure window the ENT is closed to élèves and responsables, unless the
principal or the adjoint reopened it early for that profile (or closed it again); their choice
ends with the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bascule.domain.calendar import Calendar, Milestone
from bascule.domain.labels import PROFILES, PROFILES_PLURAL
from bascule.domain.school import describe_moment, local_time

CLOSED_PROFILES = ("eleve", "responsable")


@dataclass(frozen=True, slots=True, kw_only=True)
class ClosureOverride:
    profile: str
    open: bool
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class AccessDecision:
    allowed: bool
    reason: str


UNKNOWN_LOGIN = "identifiant inconnu"  # no account of the school has it


def ent_access(profile: str | None, status: str | None, calendar: Calendar,
               overrides: list[ClosureOverride], at: datetime, *,
               exit_date: date | None = None) -> AccessDecision:
    """`overrides` in the order they were made; the latest one for the profile counts. An
    `exit_date` (DATE_SORTIE) that has passed refuses at once, before any plan disables the
    account."""
    if status is None:
        return AccessDecision(False, UNKNOWN_LOGIN)
    if status == "deleted":
        return AccessDecision(False, "compte supprimé")
    if status == "disabled":
        return AccessDecision(False, "compte désactivé (la personne n'est plus dans les exports)")
    if exit_date is not None and exit_date <= local_time(at).date():
        return AccessDecision(False, f"sorti·e de l'établissement le {exit_date:%d/%m/%Y} "
                                     "(DATE_SORTIE de Siècle-BEE) : le compte sera désactivé "
                                     "par le prochain plan")
    closure = calendar.span(Milestone.ENT_CLOSURE)
    if profile not in CLOSED_PROFILES or closure is None or not closure.contains(at):
        return AccessDecision(True, "compte actif")
    choice = next((o for o in reversed(overrides)
                   if o.profile == profile and closure.start <= o.at <= at), None)
    if choice is not None and choice.open:
        return AccessDecision(True, f"fermeture rentrée levée pour les "
                                    f"{PROFILES_PLURAL[profile]} par "
                                    f"{choice.by} le {describe_moment(choice.at)}")
    assert closure.end is not None  # a closure is a period
    return AccessDecision(False, f"fermeture rentrée jusqu'au {describe_moment(closure.end)}")


def closure_state(profile: str, calendar: Calendar, overrides: list[ClosureOverride],
                  at: datetime) -> AccessDecision:
    """Whether an active account of `profile` may enter the ENT at `at` as far as the rentrée
    closure goes, and exactly why: the one answer of Pilotage > Fermeture rentrée, the
    dashboard and the API."""
    closure = calendar.span(Milestone.ENT_CLOSURE)
    if profile not in CLOSED_PROFILES:
        return AccessDecision(True, "la fermeture rentrée ne concerne que les élèves et les "
                                    "responsables")
    if closure is None:
        return AccessDecision(True, "pas de fermeture rentrée au calendrier")
    if closure.contains(at):
        return ent_access(profile, "active", calendar, overrides, at)
    assert closure.end is not None  # a closure is a period
    if at < closure.start:
        return AccessDecision(True, f"fermeture rentrée à venir, du "
                                    f"{describe_moment(closure.start)} au "
                                    f"{describe_moment(closure.end)}")
    return AccessDecision(True, f"fermeture rentrée terminée le {describe_moment(closure.end)}")


def closure_states(calendar: Calendar, overrides: list[ClosureOverride],
                   at: datetime) -> dict[str, AccessDecision]:
    """`closure_state` of every profile, in the label table's order."""
    return {profile: closure_state(profile, calendar, overrides, at) for profile in PROFILES}
