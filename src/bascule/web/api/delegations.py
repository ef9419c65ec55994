"""/delegations: who holds which delegation, granted and withdrawn."""

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from bascule.operations import school as school_ops
from bascule.web.requests import Pilot, Reader, api_refusal

router = APIRouter()


class Delegation(BaseModel):
    identifiant: str | None
    nom: str
    delegation: str
    accordee_par: str
    accordee_le: datetime
    a_renouveler: bool


class DelegationChange(BaseModel):
    identifiant: str
    delegation: str
    accorder: bool


@router.get("/delegations", response_model=list[Delegation])
def delegations(who: Reader) -> list[Delegation]:
    return [Delegation(identifiant=row.login, nom=row.label, delegation=row.name,
                       accordee_par=row.granted_by, accordee_le=row.granted_at,
                       a_renouveler=row.to_renew)
            for row in school_ops.delegations(who.settings, who.school)]


@router.post("/delegations")
def change_delegation(body: DelegationChange, who: Pilot) -> dict[str, object]:
    with api_refusal():
        subject, changed = school_ops.change_delegation(
            who.settings, who.school, body.identifiant, body.delegation, by=who.person.login,
            now=who.now(), granted=body.accorder)
    return {"identifiant": subject.login, "delegation": body.delegation,
            "accordee": body.accorder, "change": changed}
