"""Revue des identités: the people held until someone says who they are (direction and
operators); each case with its candidates, the evidence per attribute, and what each choice
would do."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bascule.domain.policy import Permission
from bascule.errors import UserError
from bascule.operations import reviews as review_ops
from bascule.web.forms import FormError
from bascule.web.rendering import page
from bascule.web.requests import Posted, SignedIn, Staff, require

router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form()]
REFUSED = "La revue des identités est réservée à la direction et aux opérateurs."


@router.get("/revue", response_class=HTMLResponse)
def reviews(request: Request, who: Staff) -> HTMLResponse:
    require(who, Permission.RESOLVE_REVIEW, REFUSED)
    return _reviews_page(request, who)


def _reviews_page(request: Request, who: SignedIn, *, error: FormError | None = None,
                  case_number: str = "", account: str = "") -> HTMLResponse:
    """Every case; a refused decision is said in its case's form, the account chosen kept."""
    cases = review_ops.list_reviews(who.settings, who.school)
    return page(request, "revue.html.j2", who, status=400 if error else 200,
                person=who.person, cases=cases, error=error, error_case=case_number,
                chosen=account, choices={case.number: review_ops.what_each_choice_does(
                    case.review) for case in cases})


@router.post("/revue/decision")
def decide(request: Request, who: Posted, numero: Field, decision: Field,
           compte: Annotated[str, Form()] = "") -> Response:
    require(who, Permission.RESOLVE_REVIEW, REFUSED)
    try:
        if decision == "annuler":
            review_ops.reverse_review(who.settings, who.school, numero, by=who.person.login,
                                      actor=who.person.login, now=who.now())
        else:
            review_ops.resolve_review(who.settings, who.school, numero,
                                      review_ops.choice_named(decision),
                                      candidate=compte or None, by=who.person.login,
                                      actor=who.person.login, now=who.now())
    except UserError as exc:
        return _reviews_page(request, who, error=FormError.of(exc), case_number=numero,
                             account=compte)
    return RedirectResponse("/revue", status_code=303)
