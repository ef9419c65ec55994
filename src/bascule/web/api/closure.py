"""/fermeture: the ENT's rentrée closure, its window and each profile's access."""

from fastapi import APIRouter
from pydantic import BaseModel

from bascule.domain.access import CLOSED_PROFILES
from bascule.operations import school as school_ops
from bascule.web.requests import Pilot, Reader, api_refusal

router = APIRouter()


class Closure(BaseModel):
    profil: str
    ouvrir: bool


@router.get("/fermeture")
def closure_state(who: Reader) -> dict[str, object]:
    """The rentrée closure: its window, and whether each profile may enter the ENT now."""
    now = who.now()
    window = school_ops.closure_window(who.settings, who.school, now=now)
    return {"debut": window.start.isoformat() if window else None,
            "fin": window.end.isoformat() if window and window.end else None,
            "profils": {profile: {"ouvert": state.allowed, "motif": state.reason}
                        for profile in CLOSED_PROFILES
                        for state in [school_ops.profile_access(who.settings, who.school,
                                                                profile, now=now)]}}


@router.post("/fermeture")
def closure(body: Closure, who: Pilot) -> dict[str, object]:
    with api_refusal():
        school_ops.set_closure(who.settings, who.school, body.profil, reopen=body.ouvrir,
                               by=who.person.login, now=who.now())
        state = school_ops.profile_access(who.settings, who.school, body.profil, now=who.now())
    return {"profil": body.profil, "ouvert": state.allowed, "motif": state.reason}
