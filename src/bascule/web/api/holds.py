"""/retenues: the people the plan leaves exactly as they are until a date (direction and
operators): list, hold someone, lift a hold. The same operations as the Retenues page."""

from datetime import date, datetime

from fastapi import APIRouter
from pydantic import BaseModel

from bascule.operations import holds as hold_ops
from bascule.web.requests import Planner, Reader, api_refusal

router = APIRouter()


class Retenue(BaseModel):
    numero: int
    personne: str  # the directory key, or the campaign ref of someone not created yet
    nom: str
    motif: str
    jusqu_au: date  # the last day held, inclusive
    par: str
    origine: str  # manual, excluded (an action excluded when the plan was approved)
    en_cours: bool
    creee_le: datetime


class NouvelleRetenue(BaseModel):
    personne: str  # a login, or a key (plan --csv's « clé »)
    jusqu_au: date
    motif: str


def _retenues(who: Reader | Planner) -> list[Retenue]:
    return [Retenue(numero=r.number, personne=r.hold.key, nom=r.hold.label,
                    motif=r.hold.reason, jusqu_au=r.hold.until, par=r.hold.by,
                    origine=r.hold.origin.value, en_cours=r.running, creee_le=r.created_at)
            for r in hold_ops.list_person_holds(who.settings, who.school, now=who.now())]


@router.get("/retenues", response_model=list[Retenue])
def holds(who: Reader) -> list[Retenue]:
    return _retenues(who)


@router.post("/retenues", response_model=list[Retenue], status_code=201)
def hold(body: NouvelleRetenue, who: Planner) -> list[Retenue]:
    with api_refusal():
        hold_ops.add_person_hold(who.settings, who.school, body.personne, until=body.jusqu_au,
                                 reason=body.motif, by=who.person.login,
                                 actor=who.person.login, now=who.now())
    return _retenues(who)


@router.post("/retenues/{numero}/levee", response_model=list[Retenue])
def lift(numero: int, who: Planner) -> list[Retenue]:
    with api_refusal():
        hold_ops.remove_person_hold(who.settings, who.school, str(numero),
                                    by=who.person.login, actor=who.person.login,
                                    now=who.now())
    return _retenues(who)
