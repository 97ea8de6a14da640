"""Product translations (CATALOG_LANGUAGES is en, de, fr in the tests): commands store them
through the services, so they move the product's version like any change; bad ones are 400s
naming the field and the reason; the admin edits them language by language."""

import pytest
from django.core.exceptions import ValidationError

from catalog import services
from catalog.models import Product
from projection.models import OutboxEntry
from tests import factories
from tests.catalog.test_admin import _form
from tests.catalog.test_product_commands import _messages

pytestmark = pytest.mark.django_db

GERMAN = {"name": "Wanderschuhe für Damen", "description": "Leichte Schuhe für lange Wege."}


@pytest.fixture
def body():
    category = factories.category("Hiking Shoes")
    return {"sku": "HK-1", "name": "Women's Hiking Shoes", "category": category.slug, "price": "89.00"}


def test_create_stores_the_translations_and_answers_with_them(staff_api, body):
    translations = {"de": GERMAN, "fr": {"name": "Chaussures de randonnée"}}

    response = staff_api.post("/api/products/", {**body, "translations": translations}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["translations"] == translations
    assert Product.objects.get(pk=response.json()["id"]).translations == translations


def test_a_product_created_without_translations_has_none(staff_api, body):
    response = staff_api.post("/api/products/", body, format="json")

    assert response.status_code == 201
    assert response.json()["translations"] == {}


def test_patch_replaces_the_translations_and_moves_the_version(staff_api):
    product = factories.product(translations={"de": GERMAN})

    response = staff_api.patch(
        f"/api/products/{product.pk}/",
        {"translations": {"fr": {"name": "Chaussures"}}},
        format="json",
        HTTP_IF_MATCH='"1"',
    )

    assert response.status_code == 200, response.json()
    assert response.json()["translations"] == {"fr": {"name": "Chaussures"}}
    assert response.json()["version"] == 2
    assert OutboxEntry.objects.filter(product_id=product.pk, version=2).exists()


def test_put_without_translations_removes_them(staff_api, body):
    product = factories.product(sku="HK-1", translations={"de": GERMAN})

    response = staff_api.put(f"/api/products/{product.pk}/", body, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["translations"] == {}


@pytest.mark.parametrize(
    ("translations", "reason"),
    [
        ({"es": {"name": "Zapatillas"}}, "'es' is not one of the catalog's languages"),
        ({"en": {"name": "Hiking Shoes"}}, "'en' is the catalog's default language"),
        ({"de": {"title": "Wanderschuhe"}}, "Unknown field"),
        ({"de": {"name": "Wander\x00schuhe"}}, "Null characters are not allowed"),
        ({"de": {"name": "Wander\x1bschuhe"}}, "'\\x1b'"),
        ({"de": {"name": "Zwei\nZeilen"}}, "'\\n'"),
        ({"de": {"description": "Ein\x07Ton"}}, "'\\x07'"),
        ({"de": {"name": ""}}, "blank"),
        ({"de": {"name": 5}}, "Not a valid string"),
        ({"de": {"name": "n" * 201}}, "200"),
        ({"de": {}}, "Give a name, a description or both"),
        ({"de": "Wanderschuhe"}, "Expected a dictionary"),
        (["de"], "Expected a dictionary"),
    ],
)
def test_bad_translations_are_400s_naming_the_field_and_the_reason(staff_api, body, translations, reason):
    response = staff_api.post("/api/products/", {**body, "translations": translations}, format="json")

    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == ["translations"]
    assert any(reason in message for message in _messages(errors["translations"])), errors
    assert not Product.objects.exists()


def test_a_multi_line_description_is_a_translation_too(staff_api, body):
    translations = {"de": {"description": "Erste Zeile.\nZweite Zeile."}}

    response = staff_api.post("/api/products/", {**body, "translations": translations}, format="json")

    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    ("translations", "reason"),
    [
        (
            {"es": {"name": "Zapatillas"}},
            "'es' is not one of the catalog's languages to translate into (de, fr)",
        ),
        ({"en": {"name": "Shoes"}}, "default language"),
        ({"de": {"name": "Ein\x00Name"}}, "de.name contains the character"),
        ({"de": {"description": "d" * 10_001}}, "de.description"),
        ({"de": {"colour": "rot"}}, "de.colour: unknown field"),
    ],
)
def test_the_services_check_translations_whoever_calls_them(translations, reason):
    with pytest.raises(ValidationError) as raised:
        factories.product(translations=translations)

    assert any(reason in message for message in raised.value.message_dict["translations"])


def test_without_other_languages_no_translation_is_accepted(settings):
    settings.CATALOG_LANGUAGES = ["en"]

    with pytest.raises(ValidationError) as raised:
        factories.product(translations={"de": GERMAN})

    assert "none: CATALOG_LANGUAGES lists only the default" in raised.value.message_dict["translations"][0]


def test_the_admin_edits_translations_per_language(admin_client, search_index):
    product = factories.product(sku="HK-1", translations={"de": GERMAN})
    url = f"/admin/catalog/product/{product.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert 'name="name_de"' in page and 'name="description_fr"' in page
    assert GERMAN["name"] in page

    fields = {"sku": "HK-1", "name": product.name, "category": product.category_id}
    translated = {"name_de": "Damen-Wanderschuhe", "description_de": "", "name_fr": "Chaussures"}
    response = admin_client.post(
        url, _form(fields, [{"sku": "HK-1", "price": "19.99"}], **translated, loaded_version="1")
    )

    assert response.status_code == 302, response.content[:2000]
    product.refresh_from_db()
    assert product.translations == {"de": {"name": "Damen-Wanderschuhe"}, "fr": {"name": "Chaussures"}}
    assert product.version == 2


def test_services_keep_translations_apart_from_the_default_texts():
    product = factories.product(name="Hiking Shoes", translations={"de": GERMAN})

    updated = services.product_update(product_id=product.pk, changes={"name": "Trail Shoes"})

    assert updated.name == "Trail Shoes"
    assert updated.translations == {"de": GERMAN}
