"""Schemathesis against the API's own OpenAPI document: generated requests (valid and not) on
every operation, with a token of the principal holding every scope. The API must never fail
with a server error, answer only the statuses and bodies its document declares, and reject
what the document does not allow.

Schemathesis' pytest plugin does not run under pytest 9 (it reads a removed attribute), so
each operation's Hypothesis strategy is driven from a plain test."""

from __future__ import annotations

import itertools

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from bascule.web.app import create_app
from tests.conftest import Cli
from tests.web.test_api import _token


def test_the_api_keeps_the_promises_of_its_openapi_document(school: Cli) -> None:
    token = _token(school, "schemathesis", "idasilva", "lecture", "mots-de-passe",
                   "pilotage", "plan")
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_app(school.home))
    # The token is given with every request (below): the generated requests leave the
    # Authorization header alone. Missing and wrong tokens are test_api.py's business.
    schema.config.generation.update(with_security_parameters=False)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    statuses: list[int] = []
    nothing_invalid: list[str] = []

    for operation, mode in itertools.product(operations, schemathesis.GenerationMode):
        @given(case=operation.as_strategy(mode))
        @settings(max_examples=25, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                         HealthCheck.function_scoped_fixture])
        def keeps_its_promises(case: schemathesis.Case) -> None:
            response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"})
            statuses.append(response.status_code)

        try:
            keeps_its_promises()
        except Unsatisfiable:  # no input, or only free strings: no request can be invalid
            assert mode is schemathesis.GenerationMode.NEGATIVE, operation.label
            nothing_invalid.append(operation.label)
    # Many requests went through, accepted and refused ones were checked, and every operation
    # taking a body or a query was also sent invalid ones.
    assert len(statuses) > 10 * len(operations)
    assert {200, 403, 422} <= set(statuses), sorted(set(statuses))
    with_input = {op.label for op in operations if len(op.body) or len(op.query)}
    assert len(with_input) >= 6 and not with_input & set(nothing_invalid), nothing_invalid
