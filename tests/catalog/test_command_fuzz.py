"""Property-based fuzzing of the command endpoints: thousands of generated bodies and headers
sent at live targets. Never a 5xx; every refusal is a 4xx whose body names what was wrong and
why; and a refused command loses nothing already stored.

Every example starts from the same stored catalog: the targets are created once per test and
each example runs in a savepoint that is rolled back after it, so a DELETE or PATCH of one
example never leaves the next one a 404 (and the setup costs one savepoint, not API calls)."""

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog import services
from catalog.models import AttributeDefinition, Brand, Category, MerchandisingRule, Product, SynonymRule
from projection.models import OutboxEntry
from tests import factories

pytestmark = pytest.mark.django_db

# Examples per test (each one request); together at least MIN_TOTAL_EXAMPLES per run.
EXAMPLES = {
    "product": 1500,
    "brand": 1000,
    "category": 1000,
    "attribute": 400,
    "synonym": 300,
    "merchandising": 400,
    "malformed": 1500,
    "bulk": 800,
    "inventory": 500,
}
MIN_TOTAL_EXAMPLES = 7400
assert sum(EXAMPLES.values()) >= MIN_TOTAL_EXAMPLES

# What each test ran, by answer status; printed at the end of the run (tests/catalog/conftest.py).
fuzz_report: dict[str, Counter[int]] = {}

# Any text JSON can carry, halves of UTF-16 surrogate pairs too ("\ud800" alone): hypothesis
# leaves them out by default, and they are too rare a slice of Unicode to come up unasked.
characters_and_halves = st.characters() | st.characters(categories=["Cs"])
any_text = st.text(max_size=40) | st.text(characters_and_halves, min_size=1, max_size=10)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | any_text
    | st.sampled_from(["", "19.99", "-1", "1e400", "0.001", "USD", "acme", "laptops", "x" * 300])
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.text(characters_and_halves, max_size=10), children, max_size=5)
    ),
    max_leaves=10,
)
PRODUCT_FIELDS = ["sku", "name", "description", "brand", "category", "price", "currency", "stock", "tags",
                  "attributes", "is_active", "id", "version"]  # fmt: skip
NAMED_FIELDS = ["name", "slug", "parent", "version"]
ATTRIBUTE_FIELDS = [*services.ATTRIBUTE_FIELDS, "version"]
SYNONYM_FIELDS = [*services.SYNONYM_FIELDS, "version"]
MERCHANDISING_FIELDS = [*services.MERCHANDISING_FIELDS, "version"]
# Mostly plausible values per field, so many bodies pass some checks and reach the deeper ones.
plausible = {
    "sku": st.from_regex(r"[A-Z0-9][A-Z0-9-]{0,20}", fullmatch=True),
    "name": st.text(min_size=1, max_size=40),
    "price": st.decimals(min_value=-10, max_value=10**9, places=2).map(str),
    "stock": st.integers(min_value=-5, max_value=2**33),
    "brand": st.sampled_from(["acme", "missing"]),
    "category": st.sampled_from(["laptops", "missing"]),
    "parent": st.sampled_from(["laptops", "missing", None]),
    "slug": st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True),
    "currency": st.sampled_from(["USD", "EUR", "usd", "XXX", "US"]),
    "version": st.integers(min_value=0, max_value=3),
    "code": st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True),
    "type": st.sampled_from(["text", "number", "boolean", "enum", "date"]),
    "rule": st.sampled_from(["tv, television", "laptop => notebook", "a,,b", "=> x", "wi-fi, wifi"]),
    "query": st.text(min_size=1, max_size=30),
    "match": st.sampled_from(["exact", "contains", "prefix"]),
    "pinned": st.lists(st.integers(min_value=-1, max_value=5), max_size=3),
    "starts_at": st.sampled_from(["2026-01-01T00:00:00Z", "2027-13-01", "yesterday"]),
}


def bodies(fields: list[str]) -> st.SearchStrategy[Any]:
    field_values = {name: plausible.get(name, json_values) | json_values for name in fields}
    return (
        st.fixed_dictionaries({}, optional=field_values)
        | st.dictionaries(st.sampled_from(fields), json_values, max_size=len(fields))
        | json_values
    )


headers = st.fixed_dictionaries(
    {},
    optional={
        "HTTP_IF_MATCH": st.one_of(st.text(max_size=20), st.sampled_from(['"1"', '"2"', "*", 'W/"1"', '""'])),
        "HTTP_IDEMPOTENCY_KEY": st.text(max_size=300),
    },
)
METHODS = st.sampled_from(["post", "put", "patch", "delete"])


def fuzz_settings(examples: int) -> settings:
    # No example database: a failure is reported with its shrunk example, and runs stay
    # independent of earlier ones.
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture
def staff(staff_api):
    """The staff client, signed in once: no token and permission look-ups per example."""
    staff_api.force_authenticate(staff_api.user)
    return staff_api


@pytest.fixture
def targets() -> dict[str, Any]:
    brand = factories.brand("Acme", slug="acme")
    category = factories.category("Laptops", slug="laptops")
    factories.category("Notebooks", slug="notebooks", parent=category)
    product = factories.product(brand=brand, category=category, tags=["fast"], attributes={"color": "black"})
    services.attribute_create(code="color", name="Color", type="text")
    services.synonym_create(rule="tv, television", code="tv")
    services.merchandising_create(query="laptop", code="laptop", pinned=[product.pk])
    return {"product": product.pk, "stored": stored()}


def stored() -> dict[str, Any]:
    """Everything the fuzzed commands could lose, compared before and after a refused one."""
    return {
        "products": list(Product.objects.order_by("pk").values()),
        "brands": list(Brand.objects.order_by("pk").values()),
        "categories": list(Category.objects.order_by("pk").values()),
        "attributes": list(AttributeDefinition.objects.order_by("pk").values()),
        "synonyms": list(SynonymRule.objects.order_by("pk").values()),
        "merchandising": list(MerchandisingRule.objects.order_by("pk").values()),
        "outbox": OutboxEntry.objects.count(),
    }


def explains_itself(status: int, body: Any, fields: set[str]) -> bool:
    """A 4xx body names what was wrong and why: a validation error (400) maps each offending
    field (or header, or unknown field sent) to its reasons; any other refusal (and a body that
    is not JSON at all) has a `detail` sentence."""
    if not isinstance(body, dict) or not body:
        return False
    if status == 400 and "detail" not in body:
        return all(name in fields and _reasons(reasons) for name, reasons in body.items())
    return isinstance(body.get("detail"), str) and bool(body["detail"].strip())


def _reasons(value: Any) -> bool:
    """Non-empty reason texts, possibly nested per item / per key of a list or dict field."""
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list):
        return bool(value) and all(_reasons(item) for item in value)
    if isinstance(value, dict):
        return bool(value) and all(_reasons(item) for item in value.values())
    return False


def send_in_savepoint(
    client,
    method: str,
    url: str,
    *,
    payload: bytes | str,
    extra: dict[str, str],
    fields: set[str],
    before: dict[str, Any],
    tally: Counter[int],
) -> None:
    """One example: send the command and check the answer, then roll every write back (so
    every example starts from `before`, the stored targets)."""
    with transaction.atomic():
        response = getattr(client, method)(url, payload, content_type="application/json", **extra)
        status = response.status_code
        tally[status] += 1
        context = (method, url, payload[:300], extra, response.content[:500])
        assert status < 500, context
        if 400 <= status < 500:
            body = json.loads(response.content) if response.content else None
            assert explains_itself(status, body, fields), context
            assert stored() == before, context
        transaction.set_rollback(True)


def run_fuzz(name: str, test: Callable[..., None]) -> None:
    """Run a hypothesis test, record its answers and check it ran every example asked for."""
    tally: Counter[int] = Counter()
    fuzz_report[name] = tally
    test(tally)
    assert sum(tally.values()) >= EXAMPLES[name], tally


ERROR_KEYS = {"non_field_errors", "If-Match", "Idempotency-Key"}
RESOURCES = {
    "product": (PRODUCT_FIELDS, "/api/products/", "/api/products/{product}/"),
    "brand": (NAMED_FIELDS, "/api/brands/", "/api/brands/acme/"),
    "category": (NAMED_FIELDS, "/api/categories/", "/api/categories/laptops/"),
    "attribute": (ATTRIBUTE_FIELDS, "/api/attributes/", "/api/attributes/color/"),
    "synonym": (SYNONYM_FIELDS, "/api/synonyms/", "/api/synonyms/tv/"),
    "merchandising": (MERCHANDISING_FIELDS, "/api/merchandising/", "/api/merchandising/laptop/"),
}


@pytest.mark.parametrize("resource", RESOURCES)
def test_commands_never_answer_5xx_explain_every_refusal_and_lose_nothing(staff, targets, resource):
    fields, collection_url, item_url = RESOURCES[resource]

    def fuzz(tally: Counter[int]) -> None:
        @fuzz_settings(EXAMPLES[resource])
        @given(body=bodies(fields), extra=headers, method=METHODS)
        def example(body, extra, method):
            url = collection_url if method == "post" else item_url.format(**targets)
            send_in_savepoint(
                staff,
                method,
                url,
                payload=json.dumps(body),
                extra=extra,
                fields={*fields, *ERROR_KEYS, *(body if isinstance(body, dict) else ())},
                before=targets["stored"],
                tally=tally,
            )

        example()

    run_fuzz(resource, fuzz)


def test_malformed_bodies_never_answer_5xx_and_lose_nothing(staff, targets):
    def fuzz(tally: Counter[int]) -> None:
        @fuzz_settings(EXAMPLES["malformed"])
        @given(raw=st.binary(max_size=200), extra=headers, method=st.sampled_from(["post", "put", "patch"]))
        def example(raw, extra, method):
            url = "/api/products/" if method == "post" else f"/api/products/{targets['product']}/"
            send_in_savepoint(
                staff,
                method,
                url,
                payload=raw,
                extra=extra,
                fields={*PRODUCT_FIELDS, *ERROR_KEYS},
                before=targets["stored"],
                tally=tally,
            )

        example()

    run_fuzz("malformed", fuzz)


BULK_ENVELOPE_FIELDS = ["op", "id", "sku", "expected_version", "product"]
INVENTORY_FIELDS = ["sku", "price", "compare_at_price", "stock", "expected_version"]


def bulk_operations(product_id: int) -> st.SearchStrategy[Any]:
    envelope = st.fixed_dictionaries(
        {"op": st.sampled_from(["create", "update", "upsert", "delete"]) | json_values},
        optional={
            "id": st.sampled_from([product_id, 10**30, 0]) | json_values,
            "sku": plausible["sku"] | json_values,
            "expected_version": plausible["version"] | json_values,
            "product": bodies(PRODUCT_FIELDS),
        },
    )
    return st.lists(envelope | json_values, min_size=1, max_size=3) | json_values


inventory_items = (
    st.lists(
        st.fixed_dictionaries(
            {"sku": plausible["sku"] | st.sampled_from(["SKU-000001"]) | json_values},
            optional={name: plausible.get(name, json_values) | json_values for name in INVENTORY_FIELDS[1:]},
        )
        | json_values,
        min_size=1,
        max_size=3,
    )
    | json_values
)


def answers_explain_each_refused_item(body: Any, fields: set[str]) -> bool:
    """A bulk answer (200) reports every item; each refused one explains itself as a refused
    single command would."""
    return all(
        explains_itself(item["status"], item["error"], fields)
        for item in body["items"]
        if item["status"] >= 400
    )


@pytest.mark.parametrize("endpoint", ["bulk", "inventory"])
def test_bulk_commands_never_answer_5xx_and_explain_every_refused_item(staff, targets, endpoint):
    url, operations, fields = {
        "bulk": (
            "/api/products/bulk/",
            bulk_operations(targets["product"]),
            {*BULK_ENVELOPE_FIELDS, *PRODUCT_FIELDS},
        ),
        "inventory": ("/api/products/inventory/", inventory_items, {*INVENTORY_FIELDS}),
    }[endpoint]

    def fuzz(tally: Counter[int]) -> None:
        @fuzz_settings(EXAMPLES[endpoint])
        @given(body=operations)
        def example(body):
            with transaction.atomic():
                response = staff.post(url, json.dumps(body), content_type="application/json")
                tally[response.status_code] += 1
                context = (json.dumps(body)[:300], response.content[:500])
                assert response.status_code < 500, context
                answer = json.loads(response.content)
                if response.status_code == 200:
                    item_fields = {
                        *fields,
                        *ERROR_KEYS,
                        *(key for item in body if isinstance(item, dict) for key in item),
                    }
                    assert answers_explain_each_refused_item(answer, item_fields), context
                else:
                    assert explains_itself(response.status_code, answer, {*fields, *ERROR_KEYS}), context
                    assert stored() == targets["stored"], context
                transaction.set_rollback(True)

        example()

    run_fuzz(endpoint, fuzz)
