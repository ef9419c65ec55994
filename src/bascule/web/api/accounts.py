"""/comptes: the school's accounts, one account's password reset, and the ending of its
console sessions."""

from fastapi import APIRouter
from pydantic import BaseModel

from bascule.operations import campaign
from bascule.operations import school as school_ops
from bascule.web.requests import PasswordResetter, Reader, api_refusal, api_resets_admitted

router = APIRouter()
LISTED = 500  # accounts in one answer


class Account(BaseModel):
    login: str | None
    educonnect: str | None
    profile: str
    status: str
    last_name: str
    first_name: str
    division: str | None


class NewPassword(BaseModel):
    login: str
    password: str


class EndedSessions(BaseModel):
    login: str
    sessions: int  # how many were open


@router.get("/comptes", response_model=list[Account])
def accounts(who: Reader, q: str = "") -> list[Account]:
    """The accounts this token's person may see (a teacher: the élèves they teach)."""
    found = (school_ops.search_accounts(who.settings, who.school, q, limit=LISTED)
             if q.strip() else campaign.accounts(who.settings, who.school))
    found = school_ops.listed_accounts(who.settings, who.person, found)[:LISTED]
    return [Account(login=row.login, educonnect=row.educonnect, profile=row.profile,
                    status=row.status, last_name=row.last_name, first_name=row.first_name,
                    division=row.division) for row in found]


@router.post("/comptes/{login}/reinitialisation", response_model=NewPassword)
def reset(login: str, who: PasswordResetter) -> NewPassword:
    api_resets_admitted(who)
    with api_refusal():
        subject, password = school_ops.reset_password(who.settings, who.school, login,
                                                      by=who.person.login, now=who.now())
    return NewPassword(login=subject.login, password=password)


@router.post("/comptes/{login}/sessions/fermeture", response_model=EndedSessions)
def end_sessions(login: str, who: PasswordResetter) -> EndedSessions:
    """Every open console session of this account ended at once (the policy says whose)."""
    with api_refusal():
        subject, ended = school_ops.end_sessions(who.settings, who.school, login,
                                                 by=who.person.login, now=who.now())
    return EndedSessions(login=subject.login, sessions=ended)
