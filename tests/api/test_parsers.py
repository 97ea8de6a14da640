"""Request bodies the JSON parser refuses: every one is a 400 with a JSON message, whatever the
endpoint, never a 500."""

import pytest

from shared.json_values import MAX_DEPTH
from tests import factories

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000
COMMAND_URLS = ["/api/products/", "/api/brands/", "/api/categories/"]


@pytest.mark.parametrize("url", COMMAND_URLS)
def test_deeply_nested_json_to_a_command_is_a_400_saying_why(staff_api, url):
    # when a body nests far deeper than any product, brand or category could
    response = staff_api.post(url, DEEP, content_type="application/json")

    # then it is refused as bad input, with a message, not a RecursionError
    assert response.status_code == 400, response.content
    assert "nested" in response.json()["detail"]


@pytest.mark.parametrize("method", ["put", "patch"])
def test_deeply_nested_json_to_an_item_command_is_a_400(staff_api, method):
    product = factories.product()

    response = getattr(staff_api, method)(
        f"/api/products/{product.pk}/", DEEP, content_type="application/json"
    )

    assert response.status_code == 400, response.content
    assert "nested" in response.json()["detail"]


def test_deeply_nested_json_with_an_idempotency_key_is_a_400(staff_api):
    response = staff_api.post(
        "/api/products/", DEEP, content_type="application/json", HTTP_IDEMPOTENCY_KEY="deep-1"
    )

    assert response.status_code == 400, response.content


def test_deeply_nested_json_to_the_token_endpoint_is_a_400(api):
    response = api.post("/api/auth/token/", DEEP, content_type="application/json")

    assert response.status_code == 400, response.content
    assert "nested" in response.json()["detail"]


def test_nesting_just_past_the_limit_is_refused_inside_a_field(staff_api):
    # given nesting Python could still parse, inside a field a serializer would walk
    value: object = "red"
    for _ in range(MAX_DEPTH):
        value = [value]
    body = {"sku": "N-1", "name": "Nested", "price": "1.00", "attributes": {"color": value}}

    response = staff_api.post("/api/products/", body, format="json")

    assert response.status_code == 400, response.content
    assert f"{MAX_DEPTH}" in response.json()["detail"]


def test_ordinary_nesting_is_parsed(staff_api):
    category = factories.category()
    body = {"sku": "OK-1", "name": "Fine", "category": category.slug, "price": "1.00", "tags": ["a"]}

    assert staff_api.post("/api/products/", body, format="json").status_code == 201
