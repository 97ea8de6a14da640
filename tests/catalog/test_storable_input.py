"""Every value a command accepts can be stored and indexed: text with control characters or
lone surrogates, and numbers where text is expected, are 400s naming the field, never a 201 that
never shows up in search, nor a 500 from MySQL's JSON check."""

import json

import pytest

from catalog.models import Brand, Category, Product
from tests import factories

pytestmark = pytest.mark.django_db

NUL, BELL, SURROGATE = "\x00", "\x07", "\ud800"


@pytest.fixture
def category():
    return factories.category("Lamps")


def _post_raw(client, url: str, body: dict):
    # json.dumps escapes a lone surrogate as \\ud800, as a client's JSON would carry it
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": f"Desk{NUL}Lamp"}, "name"),
        ({"name": "Desk\nLamp"}, "name"),
        ({"name": 5}, "name"),
        ({"description": f"Bright{BELL}"}, "description"),
        ({"tags": [f"new{NUL}"]}, "tags"),
        ({"attributes": {f"col{NUL}or": "red"}}, "attributes"),
        ({"attributes": {f"col{SURROGATE}": "red"}}, "attributes"),
        ({"brand": f"acme{SURROGATE}"}, "brand"),
        ({"category": f"lamps{SURROGATE}"}, "category"),
        ({"brand": f"acme{NUL}"}, "brand"),
        ({"attributes": {"color": f"red{SURROGATE}"}}, "attributes"),
        (
            {
                "variants": [{"sku": "L-1", "options": {"size": f"M{SURROGATE}"}, "price": "9.00"}],
                "price": None,
            },
            "variants",
        ),
    ],
)
def test_unstorable_product_input_is_a_400_naming_the_field(staff_api, category, change, field):
    body = {"sku": "LAMP-1", "name": "Desk Lamp", "category": category.slug, "price": "19.00", **change}
    body = {key: value for key, value in body.items() if value is not None}

    response = _post_raw(staff_api, "/api/products/", body)

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Product.objects.exists()


def test_a_multi_line_description_is_fine(staff_api, category):
    body = {"sku": "LAMP-2", "name": "Desk Lamp", "category": category.slug, "price": "19.00"}
    response = staff_api.post(
        "/api/products/", {**body, "description": "Bright.\n\tDimmable."}, format="json"
    )

    assert response.status_code == 201


@pytest.mark.parametrize("name", ["Acme\nAudio", f"Acme{BELL}", 5, f"Acme{SURROGATE}"])
def test_brand_and_category_names_are_single_lines_of_text(staff_api, name):
    brand = _post_raw(staff_api, "/api/brands/", {"name": name, "slug": "acme"})
    category = _post_raw(staff_api, "/api/categories/", {"name": name, "slug": "lamps"})

    assert brand.status_code == 400 and "name" in brand.json()
    assert category.status_code == 400 and "name" in category.json()
    assert not Brand.objects.exists() and not Category.objects.exists()


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        (
            "/api/products/",
            {"sku": "LAMP-1", "name": "Lamp", "price": "1.00", "currency": SURROGATE},
            "currency",
        ),
        ("/api/synonyms/", {"rule": f"tv, tele{SURROGATE}"}, "rule"),
        ("/api/attributes/", {"code": "watts", "name": "Watts", "type": SURROGATE}, "type"),
    ],
)
def test_an_error_echoing_half_a_surrogate_pair_is_a_400_naming_the_field(
    staff_api, category, url, body, field
):
    # when a value the error message quotes holds half a surrogate pair (the message could not
    # be written as UTF-8, and the answer was a 500)
    response = _post_raw(staff_api, url, {**body, "category": category.slug} if "sku" in body else body)

    # then it is a 400 naming the field, its message escaping what is no character
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert "\\ud800" in response.content.decode()


def test_a_bulk_item_holding_half_a_surrogate_pair_is_that_items_400(staff_api, category):
    # when JSON lines carry a good product and one whose name holds half a surrogate pair
    lines = [
        {
            "op": "create",
            "product": {"sku": "GOOD", "name": "Lamp", "category": category.slug, "price": "1.00"},
        },
        {
            "op": "create",
            "product": {"sku": "BAD", "name": f"Lamp{SURROGATE}", "category": category.slug, "price": "1.00"},
        },
    ]
    response = staff_api.post(
        "/api/products/bulk/",
        "\n".join(json.dumps(line) for line in lines),
        content_type="application/x-ndjson",
    )

    # then the good one is written, and the bad one is refused naming the field
    assert response.status_code == 200, response.content
    items = response.json()["items"]
    assert [item["status"] for item in items] == [201, 400]
    assert "name" in items[1]["error"]["product"]
    assert list(Product.objects.values_list("sku", flat=True)) == ["GOOD"]


def test_a_whole_surrogate_pair_is_a_character_and_is_stored(staff_api, category):
    # given a name with a character past U+FFFF, which JSON's escapes write as a pair of halves
    body = {"sku": "LAMP-3", "name": "Smile \U0001f642", "category": category.slug, "price": "1.00"}
    assert "\\ud83d\\ude42" in json.dumps(body)

    response = _post_raw(staff_api, "/api/products/", body)

    assert response.status_code == 201, response.content
    assert Product.objects.get(sku="LAMP-3").name == "Smile \U0001f642"
