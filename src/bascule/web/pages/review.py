"""Revue des identités: the people held until someone says who they are (direction and
operators); each case with its candidates, the evidence per attribute, and what each choice
would do."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bascule.domain.policy import Permission
from bascule.operations import reviews as review_ops
from bascule.web.rendering import page
from bascule.web.requests import Posted, Staff, refusal, require

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form()]
REFUSED = "La revue des identités est réservée à la direction et aux opérateurs."


@router.get("/revue", response_class=HTMLResponse)
def reviews(request: Request, who: Staff) -> HTMLResponse:
    require(who, Permission.RESOLVE_REVIEW, REFUSED)
    cases = review_ops.list_reviews(who.settings, who.school)
    return page(request, "revue.html.j2", who, person=who.person, cases=cases,
                choices={case.number: review_ops.what_each_choice_does(case.review)
                         for case in cases})


@router.post("/revue/decision")
def decide(who: Posted, numero: Field, decision: Field,
           compte: Annotated[str, Form()] = "") -> Response:
    require(who, Permission.RESOLVE_REVIEW, REFUSED)
    with refusal():
        if decision == "annuler":
            review_ops.reverse_review(who.settings, who.school, numero, by=who.person.login,
                                      actor=who.person.login, now=who.now())
        else:
            review_ops.resolve_review(who.settings, who.school, numero,
                                      review_ops.choice_named(decision),
                                      candidate=compte or None, by=who.person.login,
                                      actor=who.person.login, now=who.now())
    return RedirectResponse("/revue", status_code=303)
