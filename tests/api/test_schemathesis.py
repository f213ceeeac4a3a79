"""Property-based fuzzing of every operation in the OpenAPI schema: no input is a server error.

Schemathesis generates requests from the published schema, both valid ones and deliberately
invalid ones, and sends them through the WSGI application into the persona network and its shop
(orders, payments, members, offers, showrooms: see build_shop), as HQ (who may do everything), as a
clerk at outlet A (who is refused most things), and on the endpoints made for them, as a member
with a storefront login and as a salesperson. Each answer must not be a 5xx, and must be what
the schema publishes for that operation (status, content type, headers and body). Examples per
operation are few and derandomized, so the run is short and the same every time; the point is
breadth.
"""

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from omnipoint.config.api import api

from .conftest import UNDER_CONSTRUCTION, build_shop

pytestmark = pytest.mark.django_db

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}

# More examples for a deeper look, away from CI: OMNIPOINT_FUZZ_SCALE=10 pytest tests/api/test_schemathesis.py
SCALE = float(os.environ.get("OMNIPOINT_FUZZ_SCALE", "1"))

# (persona, generation mode, examples): HQ gets valid and invalid input; the clerk, valid input
# that mostly lands outside their outlet.
RUNS = [
    ("hq_admin", GenerationMode.POSITIVE, 6),
    ("hq_admin", GenerationMode.NEGATIVE, 6),
    ("outlet_clerk", GenerationMode.POSITIVE, 3),
]
# Endpoints made for a member or a salesperson (staff are refused there before any input is
# read): also fuzzed as one.
OWN_RUNS = {
    "shopper": (
        "/members/me",
        "/marketing/coupons",
        "/marketing/games/",
        "/payments/intents",
        "/payments/tenders",
    ),
    "salesperson": ("/showrooms/me",),
}


# No answer breaks the published schema: not a server error, a documented status, content type
# and headers, and a body that validates against the documented schema for that status.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def runs_for(operation) -> list[tuple[str, GenerationMode, int]]:
    runs = list(RUNS)
    for persona, prefixes in OWN_RUNS.items():
        if operation.path.removeprefix("/api/v1").startswith(prefixes):
            runs.append((persona, GenerationMode.POSITIVE, 4))
    return runs


def params():
    for label, operation in sorted(OPERATIONS.items()):
        tags = set(operation.definition.raw.get("tags", []))
        assert not tags & UNDER_CONSTRUCTION, "every app is fuzzed in full"
        yield pytest.param(label, id=label)


@pytest.fixture
def wsgi_app():
    """The real WSGI entry point, in the test's transaction: Django's own test client also keeps
    the per-request connection cleanup from closing the connection that holds it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_schema_lists_every_operation():
    assert len(OPERATIONS) == sum(len(ops) for ops in api.get_openapi_schema()["paths"].values())


def fuzz(operation, app, headers: dict[str, str], mode: GenerationMode, examples: int) -> None:
    @settings(
        max_examples=max(1, round(examples * SCALE)),
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        response = case.call(app=app, headers=headers)
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        # Nothing in the schema can be made invalid (e.g. only free-text parameters).
        if mode is not GenerationMode.NEGATIVE:
            raise


@pytest.mark.parametrize("label", params())
def test_no_input_is_a_server_error(world, wsgi_app, label):
    operation = OPERATIONS[label]
    build_shop(world)
    for persona, mode, examples in runs_for(operation):
        headers = {"Authorization": world.net.auth(persona)["HTTP_AUTHORIZATION"]}
        fuzz(operation, wsgi_app, headers, mode, examples)
