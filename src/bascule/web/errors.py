"""The framework's own answers in French: an unknown address (404), a method the address does
not take (405), a form or query the route cannot read (422), an unexpected failure (500).
Starlette and FastAPI would answer them in English JSON; a person gets a French page, a tool
calling /api/ a French JSON `detail` (for 422, FastAPI's list of errors, each `msg` in French,
as the OpenAPI document declares it)."""

from __future__ import annotations

import http
import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from bascule.web.rendering import page

_log = logging.getLogger("bascule.web")

# The framework's statuses a person may meet, in French (title, what to do).
STATUS_TEXTS: dict[int, tuple[str, str]] = {
    400: ("Requête illisible", "Rechargez la page et recommencez."),
    404: ("Cette page n'existe pas", "Vérifiez l'adresse, ou repartez du menu."),
    405: ("Cette adresse ne s'utilise pas ainsi",
          "Elle répond à un formulaire, pas à un lien : repartez du menu."),
    422: ("Formulaire incomplet ou mal rempli", "Revenez en arrière et complétez-le."),
    500: ("Erreur inattendue de la console",
          "Réessayez ; si elle revient, signalez-la à l'équipe informatique (le détail est "
          "dans le journal du serveur)."),
}
# Pydantic's error types, as a person or a tool's author reads them.
FIELD_ERRORS: dict[str, str] = {
    "missing": "champ obligatoire",
    "extra_forbidden": "paramètre inconnu de cette opération",
    "int_parsing": "un nombre entier est attendu",
    "bool_parsing": "oui ou non (true, false) est attendu",
    "string_type": "un texte est attendu",
    "json_invalid": "JSON invalide",
    "model_attributes_type": "un objet JSON est attendu",
    "dict_type": "un objet JSON est attendu",
}


def _api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _text(status: int) -> tuple[str, str]:
    return STATUS_TEXTS.get(status, (f"Erreur {status}", "Repartez du menu."))


def french_detail(status: int, detail: Any) -> str:
    """The framework's own English detail (its status's phrase) becomes French; a detail the
    console wrote (already French) stays."""
    if not isinstance(detail, str) or detail == http.HTTPStatus(status).phrase:
        return _text(status)[0] + "."
    return detail


def french_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """FastAPI's validation errors, each `msg` in French (`loc`, `type` and `input` kept;
    pydantic's `ctx` and `url`, in English, left out)."""
    french = [{**{key: value for key, value in error.items() if key not in ("ctx", "url")},
               "msg": FIELD_ERRORS.get(error.get("type", ""), "valeur invalide")}
              for error in errors]
    encoded: list[dict[str, Any]] = jsonable_encoder(french)
    return encoded


def _fields(errors: Sequence[dict[str, Any]]) -> str:
    return " ; ".join(f"{error['loc'][-1]} : {error['msg']}" for error in errors)


def _page(request: Request, status: int, message: str = "") -> Response:
    title, hint = _text(status)
    return page(request, "message.html.j2", status=status, title=title,
                message=message or title + ".", hint=hint)


def install(app: FastAPI) -> None:
    """The handlers of the framework's errors, on this console."""

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        headers = getattr(exc, "headers", None)
        if _api(request):
            return JSONResponse({"detail": french_detail(exc.status_code, exc.detail)},
                                status_code=exc.status_code, headers=headers)
        answer = _page(request, exc.status_code, french_detail(exc.status_code, exc.detail))
        answer.headers.update(headers or {})  # 405's Allow
        return answer

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        errors = french_errors(exc.errors())
        if _api(request):
            return JSONResponse({"detail": errors}, status_code=422)
        return _page(request, 422, f"À revoir : {_fields(errors)}.")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        _log.exception("Erreur inattendue sur %s %s", request.method, request.url.path)
        if _api(request):
            return JSONResponse({"detail": _text(500)[0] + "."}, status_code=500)
        return _page(request, 500)
