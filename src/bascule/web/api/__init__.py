"""The console's REST API under /api/v1, for the département's tools: the same actions as the
pages, authenticated by a bearer token that acts as a person of the school, within its scopes;
the policy decides as for that person. One router per resource; its OpenAPI document is
/api/v1/openapi.json. Imports web.requests and bascule.operations."""

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel

from bascule.web.access import API_PREFIX
from bascule.web.api import (
    accounts,
    closure,
    delegations,
    health,
    holds,
    imports,
    plan,
    resets,
    review,
    verification,
)


class Error(BaseModel):
    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Error, "description": "Corps de la requête illisible (JSON invalide)."},
    401: {"model": Error, "description": "Jeton manquant, inconnu, retiré, ou titulaire inactif."},
    403: {"model": Error, "description": "Refusé : portée du jeton ou politique de "
                                         "l'établissement (le motif est dans detail)."},
    429: {"model": Error, "description": "Trop de réinitialisations en peu de temps."},
}


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters an operation declares (its own and its dependencies'), as its
    OpenAPI document lists them."""
    return {param.alias for param in dependant.query_params}.union(
        *(_query_names(sub) for sub in dependant.dependencies))


def _known_query_parameters_only(request: Request) -> None:
    """A script's misspelt parameter (?qq=martin) is refused, not silently ignored: only
    those the OpenAPI document declares for the operation are accepted."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    unknown = sorted(set(request.query_params) - _query_names(route.dependant))
    if unknown:
        raise RequestValidationError([
            {"type": "extra_forbidden", "loc": ("query", name), "input": request.query_params[name],
             "msg": "Paramètre inconnu de cette opération."} for name in unknown])


def api_router() -> APIRouter:
    """Every resource's routes under /api/v1, with the errors they may answer."""
    router = APIRouter(prefix=API_PREFIX, tags=["bascule"], responses=ERRORS,
                       dependencies=[Depends(_known_query_parameters_only)])
    for resource in (health, accounts, plan, imports, delegations, resets, closure,
                     verification, review, holds):
        router.include_router(resource.router)
    return router
