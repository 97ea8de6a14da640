"""Merchandising rules as staff write them: what a rule may name, refused with the field and
the reason otherwise; managed through the API with the catalog's permissions."""

import pytest

from catalog.models import MerchandisingRule
from tests import factories

RULES = "/api/merchandising/"

pytestmark = pytest.mark.django_db


def test_staff_add_change_and_remove_a_rule(staff_api):
    # given two products
    first, second = factories.product(), factories.product()
    # when staff pin one for a query
    created = staff_api.post(
        RULES, {"query": "  Gift  IDEAS ", "pinned": [second.pk, first.pk]}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["code"] == "gift-ideas"
    assert created.json()["query"] == "gift ideas"
    assert created.json()["match"] == "exact"
    # then they can change and remove it
    changed = staff_api.patch(
        f"{RULES}gift-ideas/", {"hidden": [first.pk], "pinned": [second.pk]}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["version"] == 2
    assert staff_api.delete(f"{RULES}gift-ideas/").status_code == 204
    assert not MerchandisingRule.objects.exists()


@pytest.mark.parametrize(
    ("rule", "field", "reason"),
    [
        ({"query": "x", "pinned": [999999]}, "pinned", "No product with id 999999"),
        ({"query": "x", "hidden": [999998]}, "hidden", "No product with id 999998"),
        ({"query": "x", "pinned": ["a"]}, "pinned", "valid integer"),
        ({"query": "x", "pinned": list(range(1, 22))}, "pinned", "no more than 20"),
        ({"query": "x", "match": "fuzzy"}, "match", "not a valid choice"),
        ({"query": "   "}, "query", "blank"),
        (
            {"query": "x", "starts_at": "2030-01-02T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z"},
            "ends_at",
            "end after it starts",
        ),
    ],
)
def test_a_bad_rule_is_a_400_naming_the_field_and_stores_nothing(staff_api, rule, field, reason):
    response = staff_api.post(RULES, rule, format="json")
    assert response.status_code == 400, response.json()
    assert reason in str(response.json()[field])
    assert not MerchandisingRule.objects.exists()


def test_a_product_cannot_be_both_pinned_and_hidden(staff_api):
    product = factories.product()
    response = staff_api.post(
        RULES, {"query": "x", "pinned": [product.pk], "hidden": [product.pk]}, format="json"
    )
    assert response.status_code == 400
    assert "both pinned and hidden" in response.json()["hidden"][0]


def test_rules_need_the_catalog_permissions(api):
    assert api.post(RULES, {"query": "x"}, format="json").status_code == 401
    api.force_authenticate(factories.user(username="reader"))
    assert api.post(RULES, {"query": "x"}, format="json").status_code == 403
