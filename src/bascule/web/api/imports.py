"""/imports: the school's staged imports and the problems of the latest."""

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from bascule.domain.policy import Permission
from bascule.operations import campaign
from bascule.operations import school as school_ops
from bascule.web.requests import Reader

router = APIRouter()


class Campaign(BaseModel):
    annee: str
    importe_le: datetime
    empreinte: str


class ImportState(BaseModel):
    imports: list[Campaign]
    problemes: list[str]  # they name élèves (departures, missing INE): direction, operators
    nombre_problemes: int = 0


@router.get("/imports", response_model=ImportState)
def imports(who: Reader) -> ImportState:
    staged = [c for c in campaign.campaigns(who.settings) if c.uai == who.school]
    problems = [p.message for p in school_ops.import_problems(who.settings, who.school)]
    return ImportState(
        imports=[Campaign(annee=str(c.school_year), importe_le=c.staged_at,
                          empreinte=c.content_sha256) for c in staged],
        problemes=problems if who.may(Permission.READ_PERSONAL_DATA) else [],
        nombre_problemes=len(problems))
