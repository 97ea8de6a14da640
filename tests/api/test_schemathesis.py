"""Schemathesis over every operation of the OpenAPI schema, against the service itself (Django's
WSGI application in process, with the real MySQL, Redis and Elasticsearch): data that fits the
schema and data that does not, sent as a staff user (so commands run, not only their 401s). No
answer is a 5xx, and every answer is one the schema declares: its status code, content type,
headers and body."""

import re
from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories

pytestmark = pytest.mark.django_db

# Examples per operation and generation mode: with 41 operations, ~1,500 requests a run.
EXAMPLES_PER_OPERATION = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# What the run sent and what came back; printed at the end of the run (tests/api/conftest.py).
schemathesis_report: dict[str, Any] = {}
# Operations that no negative data exists for.
positive_only: list[str] = []


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, answering in the test's transaction: as Django's test client
    does, the per-request connection clean-up is off meanwhile (it would close the connection,
    and with it the test's transaction, after every request)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def staff_token() -> str:
    user = factories.user(*factories.CATALOG_PERMISSIONS, username="schemathesis")
    user.is_staff = True  # staff also read product histories
    user.save(update_fields=["is_staff"])
    return Token.objects.create(user=user).key


@pytest.fixture
def known_items() -> dict[str, Any]:
    """Items the path parameters of half the examples name, so those reach the command (a
    generated id or slug is almost always unknown: 404); one slug serves brands and categories."""
    brand = factories.brand("Acme", slug="acme")
    product = factories.product(sku="SKU-ACME", brand=brand, category=factories.category("Acme", slug="acme"))
    return {"product_id": product.pk, "slug": "acme", "sku": "SKU-ACME"}


def test_every_operation_answers_as_the_schema_declares_and_never_5xx(
    search_index, wsgi_app, staff_token, known_items
):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    auth = {"Authorization": f"Token {staff_token}"}
    statuses: dict[str, Counter[int]] = {mode.value: Counter() for mode in GenerationMode}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    positive_only.clear()

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            run_operation(
                operation,
                mode,
                auth=auth,
                known=known_items,
                statuses=statuses[mode.value],
                failures=failures,
            )

    every = sum(statuses.values(), Counter())
    schemathesis_report.update(
        operations=len(operations),
        positive_only=len(positive_only),
        requests=every.total(),
        server_errors=sum(count for status, count in every.items() if status >= 500),
        failures=len(failures),
        statuses={mode: dict(sorted(counts.items())) for mode, counts in statuses.items()},
    )
    assert len(operations) >= 30
    assert schemathesis_report["server_errors"] == 0, failures
    assert not failures, "\n\n".join(failures[:20])


def run_operation(
    operation,
    mode: GenerationMode,
    *,
    auth: dict[str, str],
    known: dict[str, Any],
    statuses: Counter[int],
    failures: list[str],
) -> None:
    """EXAMPLES_PER_OPERATION requests generated for one operation in one mode, half of them
    naming the known items in the path, each answer checked; the failed checks are collected,
    not raised, so one run reports them all. Every request runs in a savepoint rolled back
    after it: each one meets the same stored items (a DELETE leaves no 404 to the next)."""
    named = {name: known[name] for name in re.findall(r"{(\w+)}", operation.path) if name in known}
    cases = operation.as_strategy(generation_mode=mode)
    if named:
        cases = cases | operation.as_strategy(generation_mode=mode, path_parameters=named)

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def send(case) -> None:
        with transaction.atomic():
            response = case.call(headers=auth)
            transaction.set_rollback(True)
        statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=auth)
        except (Failure, FailureGroup) as failure:  # one, or every failed check of the case
            failures.append(f"{operation.label} [{mode.value}]: {str(failure).strip()[:1500]}")

    try:
        send()
    except Unsatisfiable:
        # Nothing of the operation can be made invalid (no parameter, no body): only the
        # positive run applies.
        if mode is GenerationMode.POSITIVE:
            raise
        positive_only.append(operation.label)
