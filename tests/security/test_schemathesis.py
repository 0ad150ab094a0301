"""Property-based fuzzing of the API from its own OpenAPI schema (schemathesis): every
operation, as an anonymous caller and as each role (a seeker, a host, a coordinator),
with generated paths, queries and bodies. Whatever the input, nothing answers 5xx.

The calls go through the WSGI application in-process, inside the test's transaction."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("schemathesis", reason="schemathesis is a dev dependency")

import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error

from haven.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)

ROLES = ["anonymous", "seeker", "host", "coordinator"]


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """Like Django's test client: requests must not close the connection that holds the
    test's transaction (on PostgreSQL that would end it and fail every later call)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=ROLES)
def auth_headers(request: pytest.FixtureRequest, db: Any) -> dict[str, str]:
    """Bearer-token headers for one role; the role's usual objects exist, so that some
    generated calls reach past the 404s."""
    from haven.accounts.services import api_token_create
    from tests.security.conftest import chosen_proposal, post_need, post_offer

    role = request.param
    if role == "anonymous":
        return {}
    alice = request.getfixturevalue("alice")
    bob = request.getfixturevalue("bob")
    chosen_proposal(post_need(alice), post_offer(bob))
    user = {"seeker": alice, "host": bob, "coordinator": request.getfixturevalue("cora")}[role]
    _token, raw = api_token_create(user=user, name="fuzz")
    return {"Authorization": f"Bearer {raw}"}


@schema.parametrize()
@hypothesis_settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_generated_request_gets_a_server_error(case: Any, auth_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=auth_headers, checks=[not_a_server_error])
