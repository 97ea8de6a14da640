"""Property-based fuzzing of the command endpoints: thousands of generated bodies and headers,
and never a 5xx (every refusal is a 4xx a client can act on)."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories

pytestmark = pytest.mark.django_db

EXAMPLES = 700  # per test below; four of them (three resources + raw bytes): ~2,800 requests a run

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=80)
    | st.sampled_from(["", "19.99", "-1", "1e400", "0.001", "USD", "acme", "laptops", "x" * 300])
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=20,
)
PRODUCT_FIELDS = ["sku", "name", "description", "brand", "category", "price", "currency", "stock", "tags",
                  "attributes", "is_active", "id", "version"]  # fmt: skip
product_bodies = st.dictionaries(st.sampled_from(PRODUCT_FIELDS), json_values, max_size=12) | json_values
named_bodies = (
    st.dictionaries(st.sampled_from(["name", "slug", "parent", "version"]), json_values) | json_values
)
headers = st.fixed_dictionaries(
    {},
    optional={
        "HTTP_IF_MATCH": st.one_of(st.text(max_size=20), st.sampled_from(['"1"', '"2"', "*", 'W/"1"', '""'])),
        "HTTP_IDEMPOTENCY_KEY": st.text(max_size=300),
    },
)
raw_bodies = st.binary(max_size=200)
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def targets():
    brand = factories.brand("Acme", slug="acme")
    category = factories.category("Laptops", slug="laptops")
    product = factories.product(brand=brand, category=category)
    return {"product": product.pk}


def _send(client, method: str, url: str, body, extra_headers: dict, raw: bytes | None = None):
    payload = raw if raw is not None else json.dumps(body)
    return getattr(client, method)(url, payload, content_type="application/json", **extra_headers)


RESOURCES = {
    "product": (product_bodies, "/api/products/", "/api/products/{product}/"),
    "brand": (named_bodies, "/api/brands/", "/api/brands/acme/"),
    "category": (named_bodies, "/api/categories/", "/api/categories/laptops/"),
}


@pytest.mark.parametrize("resource", RESOURCES)
@FUZZ
@given(data=st.data(), extra=headers, method=st.sampled_from(["post", "put", "patch", "delete"]))
def test_commands_never_answer_5xx(staff_api, targets, resource, data, extra, method):
    bodies, collection_url, item_url = RESOURCES[resource]
    body = data.draw(bodies, label="body")
    url = collection_url if method == "post" else item_url.format(**targets)
    response = _send(staff_api, method, url, body, extra)
    assert response.status_code < 500, (method, body, extra, response.content[:300])


@FUZZ
@given(raw=raw_bodies, extra=headers, method=st.sampled_from(["post", "put", "patch"]))
def test_malformed_bodies_never_answer_5xx(staff_api, targets, raw, extra, method):
    url = "/api/products/" if method == "post" else f"/api/products/{targets['product']}/"
    response = _send(staff_api, method, url, None, extra, raw=raw)
    assert response.status_code < 500, (method, raw, extra, response.content[:300])
