"""Attribute definitions over the REST API, and product values checked against them: a 400
names the attribute and the reason; a key without a definition works as before."""

import pytest
from django.test import override_settings

from catalog import services
from catalog.models import Product
from projection.models import OutboxEntry
from search.documents import AttributeType
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def laptops(staff_api):
    computers = factories.category("Computers")
    laptops = factories.category("Laptops", parent=computers)
    definitions = [
        {
            "code": "screen",
            "name": "Screen size",
            "type": "number",
            "unit": "in",
            "categories": ["computers"],
        },
        {"code": "panel", "name": "Panel", "type": "enum", "choices": ["ips", "oled"]},
        {"code": "touch", "name": "Touchscreen", "type": "boolean"},
    ]
    for definition in definitions:
        response = staff_api.post("/api/attributes/", definition, format="json")
        assert response.status_code == 201, response.json()
    return laptops


def _create(staff_api, category, attributes):
    body = {
        "sku": "LT-1",
        "name": "Laptop",
        "category": category.slug,
        "price": "999.00",
        "attributes": attributes,
    }
    return staff_api.post("/api/products/", body, format="json")


def test_values_that_fit_their_definitions_are_stored_typed(staff_api, laptops):
    response = _create(staff_api, laptops, {"screen": 14.2, "panel": "oled", "touch": True, "color": "grey"})

    assert response.status_code == 201, response.json()
    assert Product.objects.get(sku="LT-1").attributes == {
        "screen": 14.2,
        "panel": "oled",
        "touch": True,
        "color": "grey",  # no definition: a text attribute, as before
    }


@pytest.mark.parametrize(
    ("attributes", "reason"),
    [
        ({"screen": "large"}, "'screen': must be a number (in)"),
        ({"panel": "tn"}, "'panel': must be one of ips, oled"),
        ({"touch": "yes"}, "'touch': must be true or false"),
        ({"color": 5}, "'color': has no definition, so it must be a string"),
    ],
)
def test_a_value_that_does_not_fit_is_a_400_naming_the_attribute(staff_api, laptops, attributes, reason):
    response = _create(staff_api, laptops, attributes)

    assert response.status_code == 400
    assert any(message.startswith(reason) for message in response.json()["attributes"]), response.json()
    assert not Product.objects.exists()


def test_a_definition_restricted_to_a_category_applies_below_it_only(staff_api, laptops):
    lamps = factories.category("Lamps")

    # below Computers, screen must be a number; elsewhere it is an undefined (text) key
    assert _create(staff_api, laptops, {"screen": "large"}).status_code == 400
    assert _create(staff_api, lamps, {"screen": "large"}).status_code == 201


@override_settings(CATALOG_STRICT_ATTRIBUTES=True)
def test_a_strict_catalog_refuses_keys_without_a_definition(staff_api, laptops):
    response = _create(staff_api, laptops, {"color": "grey"})

    assert response.status_code == 400
    assert "'color': no attribute of that code is defined" in response.json()["attributes"][0]


def test_a_bad_definition_is_a_400_naming_the_field(staff_api):
    enum_without_choices = staff_api.post(
        "/api/attributes/", {"code": "finish", "name": "Finish", "type": "enum"}, format="json"
    )
    bad_code = staff_api.post("/api/attributes/", {"code": "Has Space", "name": "X"}, format="json")
    unit_on_text = staff_api.post(
        "/api/attributes/", {"code": "material", "name": "Material", "unit": "kg"}, format="json"
    )

    assert enum_without_choices.status_code == 400 and "choices" in enum_without_choices.json()
    assert bad_code.status_code == 400 and "code" in bad_code.json()
    assert unit_on_text.status_code == 400 and "unit" in unit_on_text.json()


def test_defining_an_attribute_reindexes_the_products_that_carry_it(staff_api):
    # given a product with a value under a code nobody has defined yet
    carrying = factories.product(attributes={"weight": "1.4"})
    other = factories.product(attributes={"color": "red"})

    # when staff define it
    response = staff_api.post(
        "/api/attributes/",
        {"code": "weight", "name": "Weight", "type": "number", "unit": "kg"},
        format="json",
    )

    # then only the products carrying it move to a new version (and so are re-indexed)
    assert response.status_code == 201
    assert Product.objects.get(pk=carrying.pk).version == 2
    assert Product.objects.get(pk=other.pk).version == 1
    assert OutboxEntry.objects.filter(product_id=carrying.pk, version=2).exists()
    # and definitions are staff configuration: listed to signed-in staff
    listed = staff_api.get("/api/attributes/").json()
    assert [definition["code"] for definition in listed] == ["weight"]


def test_only_a_change_the_documents_copy_reindexes_the_products_carrying_it(staff_api):
    # given a defined enum attribute, and a product carrying it
    created = staff_api.post(
        "/api/attributes/",
        {"code": "finish", "name": "Finish", "type": "enum", "choices": ["matt", "gloss"]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    carrying = factories.product(attributes={"finish": "matt"})
    outbox = OutboxEntry.objects.count()

    # when staff rename it, label its choices and translate it
    relabelled = staff_api.patch(
        "/api/attributes/finish/",
        {
            "name": "Surface",
            "choice_labels": {"matt": "Matte"},
            "translations": {"de": {"name": "Oberfläche", "choice_labels": {"matt": "Matt"}}},
        },
        format="json",
    )

    # then the product keeps its version: its document holds none of that (facets show the
    # names and labels from the search configuration)
    assert relabelled.status_code == 200, relabelled.json()
    assert Product.objects.get(pk=carrying.pk).version == 1
    assert OutboxEntry.objects.count() == outbox

    # when staff make it no longer a facet
    unfiltered = staff_api.patch("/api/attributes/finish/", {"filterable": False}, format="json")

    # then the product moves to its next version, to be indexed without the facet value
    assert unfiltered.status_code == 200, unfiltered.json()
    assert Product.objects.get(pk=carrying.pk).version == 2
    assert OutboxEntry.objects.filter(product_id=carrying.pk, version=2).exists()


def test_the_fields_whose_change_reindexes_are_those_the_documents_copy():
    assert set(services.ATTRIBUTE_INDEXED_FIELDS) == set(AttributeType._fields) - {"code"}
