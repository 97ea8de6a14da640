"""Labels of attribute definitions (CATALOG_LANGUAGES is en, de, fr in the tests): an enum's
choice labels, and the name and choice labels translated per language; bad ones are 400s naming
the field and the reason, whether their shape is wrong or they label a value that is not a
choice; the admin edits them language by language."""

import pytest
from django.core.exceptions import ValidationError

from catalog import services
from catalog.models import AttributeDefinition
from tests.catalog.test_product_commands import _messages

pytestmark = pytest.mark.django_db

COLOR = {"code": "color", "name": "Colour", "type": "enum", "choices": ["blue", "red"]}
GERMAN = {"name": "Farbe", "choice_labels": {"blue": "Blau", "red": "Rot"}}


def test_create_stores_the_labels_and_translations_and_answers_with_them(staff_api):
    body = {
        **COLOR,
        "choice_labels": {"blue": "Sky blue"},
        "translations": {"de": GERMAN, "fr": {"name": "Couleur"}},
    }

    response = staff_api.post("/api/attributes/", body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["choice_labels"] == {"blue": "Sky blue"}
    assert response.json()["translations"] == body["translations"]
    stored = AttributeDefinition.objects.get(code="color")
    assert (stored.choice_labels, stored.translations) == (body["choice_labels"], body["translations"])


def test_patch_replaces_the_translations(staff_api):
    services.attribute_create(**COLOR, translations={"de": GERMAN})

    response = staff_api.patch(
        "/api/attributes/color/", {"translations": {"fr": {"name": "Couleur"}}}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["translations"] == {"fr": {"name": "Couleur"}}
    assert response.json()["version"] == 2


@pytest.mark.parametrize(
    ("translations", "reason"),
    [
        ({"es": {"name": "Color"}}, "'es' is not one of the catalog's languages to translate into (de, fr)"),
        ({"en": {"name": "Colour"}}, "'en' is the catalog's default language"),
        ({"de": {"title": "Farbe"}}, "Unknown field"),
        ({"de": {}}, "Give a name, choice labels or both"),
        ({"de": {"name": "Far\nbe"}}, "'\\n'"),
        ({"de": {"name": "n" * 101}}, "100"),
        ({"de": {"choice_labels": {"blue": 5}}}, "Not a valid string"),
        ({"de": {"choice_labels": ["Blau"]}}, "Expected a dictionary"),
        (
            {"de": {"choice_labels": {"purple": "Lila"}}},
            "de.choice_labels.purple: not one of the attribute's choices (blue, red)",
        ),
    ],
)
def test_bad_translations_are_400s_naming_the_field_and_the_reason(staff_api, translations, reason):
    response = staff_api.post("/api/attributes/", {**COLOR, "translations": translations}, format="json")

    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == ["translations"]
    assert any(reason in message for message in _messages(errors["translations"])), errors
    assert not AttributeDefinition.objects.exists()


@pytest.mark.parametrize(
    ("definition", "reason"),
    [
        ({**COLOR, "choice_labels": {"green": "Green"}}, "green: not one of the attribute's choices"),
        (
            {"code": "size", "name": "Size", "choice_labels": {"m": "Medium"}},
            "m: not one of the attribute's choices (none: only an enum attribute has choices)",
        ),
        ({**COLOR, "choice_labels": {"blue": ""}}, "blank"),
    ],
)
def test_bad_choice_labels_are_400s_naming_the_field_and_the_reason(staff_api, definition, reason):
    response = staff_api.post("/api/attributes/", definition, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["choice_labels"]
    assert any(reason in message for message in _messages(response.json()["choice_labels"])), response.json()


def test_dropping_a_labelled_choice_is_refused_until_its_labels_go_too(staff_api):
    services.attribute_create(**COLOR, choice_labels={"red": "Red"}, translations={"de": GERMAN})

    refused = staff_api.patch("/api/attributes/color/", {"choices": ["blue"]}, format="json")
    accepted = staff_api.patch(
        "/api/attributes/color/",
        {"choices": ["blue"], "choice_labels": {}, "translations": {"de": {"name": "Farbe"}}},
        format="json",
    )

    assert refused.status_code == 400
    assert set(refused.json()) == {"choice_labels", "translations"}
    german = "de.choice_labels.red: not one of the attribute's choices (blue)."
    assert german in refused.json()["translations"]
    assert accepted.status_code == 200, accepted.json()


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"translations": {"es": {"name": "Color"}}}, "translations", "'es' is not one of"),
        ({"translations": {"de": {"name": "Far\x00be"}}}, "translations", "de.name contains the character"),
        (
            {"translations": {"de": {"choice_labels": {"blue": "\x1b"}}}},
            "translations",
            "de.choice_labels.blue contains the character",
        ),
        ({"translations": {"de": {"colour": "Farbe"}}}, "translations", "de.colour: unknown field"),
        ({"choice_labels": {"blue": "x" * 101}}, "choice_labels", "choice_labels.blue: expected a text"),
    ],
)
def test_the_services_check_labels_whoever_calls_them(fields, field, reason):
    with pytest.raises(ValidationError) as raised:
        services.attribute_create(**COLOR, **fields)

    assert any(reason in message for message in raised.value.message_dict[field]), raised.value


def test_the_admin_edits_the_labels_per_language(admin_client):
    definition = services.attribute_create(**COLOR, translations={"de": {"name": "Farbe"}})
    url = f"/admin/catalog/attributedefinition/{definition.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert "Translation: de" in page and 'name="choice_labels_fr-key"' in page
    assert 'value="Farbe"' in page

    response = admin_client.post(
        url,
        {
            "code": "color",
            "name": "Colour",
            "type": "enum",
            "choices": '["blue", "red"]',
            "choice_labels-key": ["blue", ""],
            "choice_labels-value": ["Sky blue", ""],
            "filterable": "on",
            "name_de": "Farbe",
            "choice_labels_de-key": ["blue", "red"],
            "choice_labels_de-value": ["Blau", "Rot"],
            "name_fr": "Couleur",
            "loaded_version": "1",
        },
    )

    assert response.status_code == 302, response.content[:2000]
    definition.refresh_from_db()
    assert definition.choice_labels == {"blue": "Sky blue"}
    assert definition.translations == {"de": GERMAN, "fr": {"name": "Couleur"}}
    assert definition.version == 2


def test_the_admin_shows_a_label_for_no_choice_beside_its_rows(admin_client):
    definition = services.attribute_create(**COLOR)

    response = admin_client.post(
        f"/admin/catalog/attributedefinition/{definition.pk}/change/",
        {
            "code": "color",
            "name": "Colour",
            "type": "enum",
            "choices": '["blue", "red"]',
            "filterable": "on",
            "choice_labels_de-key": ["purple"],
            "choice_labels_de-value": ["Lila"],
            "loaded_version": "1",
        },
    )

    assert response.status_code == 200  # the form again, with the error beside the German labels
    assert "de.choice_labels.purple: not one of the attribute&#x27;s choices" in response.content.decode()
    definition.refresh_from_db()
    assert definition.translations == {}
