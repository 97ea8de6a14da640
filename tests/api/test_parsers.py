"""Request bodies the JSON parser refuses: every one is a 400 with a JSON message, whatever the
endpoint, never a 500."""

import json

import pytest

from catalog.models import Product
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


# Half of a UTF-16 surrogate pair: no character, though JSON's escapes can write it (json.dumps
# writes it as "\\ud800").
HALF_A_PAIR = "\ud800"


def test_a_text_holding_half_a_surrogate_pair_is_a_400_naming_the_field(staff_api):
    # given a new product whose currency is half a surrogate pair
    category = factories.category()
    body = {"sku": "S-1", "name": "Half", "category": category.slug, "price": "1.00", "currency": HALF_A_PAIR}

    # when it is sent
    response = staff_api.post("/api/products/", json.dumps(body), content_type="application/json")

    # then it is bad input naming the field, and nothing is stored
    assert response.status_code == 400, response.content
    assert response.json()["detail"].startswith("JSON parse error - currency: the text holds half of a")
    assert not Product.objects.filter(sku="S-1").exists()


def test_half_a_surrogate_pair_deep_in_an_update_leaves_the_product_as_it_was(staff_api):
    # given a product
    product = factories.product()

    # when an update names a variant by half a surrogate pair, or uses one as an attribute's key
    bodies = [{"variants": [{"sku": HALF_A_PAIR, "price": "2.00"}]}, {"attributes": {HALF_A_PAIR: "red"}}]
    answers = [
        staff_api.patch(f"/api/products/{product.pk}/", json.dumps(body), content_type="application/json")
        for body in bodies
    ]

    # then each is refused naming where, and the product keeps its version
    assert [answer.status_code for answer in answers] == [400, 400]
    assert "variants.0.sku: the text holds" in answers[0].json()["detail"]
    assert "attributes: a key holds" in answers[1].json()["detail"]
    product.refresh_from_db()
    assert product.version == 1


def test_half_a_surrogate_pair_in_json_lines_is_a_400_naming_the_line(staff_api):
    category = factories.category()
    lines = [
        {"op": "create", "product": {"sku": "L-1", "name": "Fine", "category": category.slug}},
        {"op": "create", "product": {"sku": "L-2", "name": HALF_A_PAIR}},
    ]
    body = "\n".join(json.dumps(line) for line in lines)

    response = staff_api.post("/api/products/bulk/", body, content_type="application/x-ndjson")

    assert response.status_code == 400, response.content
    assert "line 2: product.name: the text holds half of a" in response.json()["detail"]
    assert not Product.objects.filter(sku__in=["L-1", "L-2"]).exists()


def test_a_whole_surrogate_pair_is_a_character_and_is_stored(staff_api):
    # given a name with a character past U+FFFF, which JSON's escapes write as a pair of halves
    category = factories.category()
    body = {"sku": "E-1", "name": "Smile \U0001f642", "category": category.slug, "price": "1.00"}
    assert "\\ud83d\\ude42" in json.dumps(body)

    response = staff_api.post("/api/products/", json.dumps(body), content_type="application/json")

    assert response.status_code == 201, response.content
    assert Product.objects.get(sku="E-1").name == "Smile \U0001f642"
