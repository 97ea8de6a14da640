"""The product form of the admin without JSON: tags and attributes as rows, attribute values typed
by their definitions, the currency as a choice, brand and category by autocomplete, and filter
sidebars that stay short however many brands and categories there are."""

import re

import pytest

from catalog import services
from catalog.models import Product
from tests import factories
from tests.catalog.test_admin import _form

pytestmark = pytest.mark.django_db


@pytest.fixture
def laptops():
    category = factories.category("Laptops")
    services.attribute_create(code="screen", name="Screen", type="number", unit="in", categories=[category])
    services.attribute_create(code="touch", name="Touch screen", type="boolean")
    return category


def _rows(keys: list[str], values: list[str]) -> dict[str, list[str]]:
    return {"attributes-key": keys, "attributes-value": values}


def test_tags_and_attributes_entered_as_rows_are_saved_typed(admin_client, laptops):
    response = admin_client.post(
        "/admin/catalog/product/add/",
        _form(
            {"sku": "LAP-1", "name": "Laptop", "category": laptops.pk, "currency": "EUR"},
            [{"sku": "LAP-1", "price": "999.00"}],
            tags=["oak", "", "oak", " desk "],
            **_rows(["screen", "touch", "panel", ""], ["14.2", "yes", "oled", ""]),
        ),
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    product = Product.objects.get(sku="LAP-1")
    assert product.tags == ["oak", "desk"]
    assert product.attributes == {"screen": 14.2, "touch": True, "panel": "oled"}
    assert product.currency == "EUR"


@pytest.mark.parametrize(
    ("keys", "values", "message"),
    [
        (["screen"], ["big"], "must be a number (in), not &#x27;big&#x27;"),
        (["panel"], [""], "&#x27;panel&#x27; has no value"),
        (["panel", "panel"], ["ips", "oled"], "&#x27;panel&#x27; is named twice"),
    ],
)
def test_attribute_rows_that_do_not_fit_are_shown_with_the_reason(
    admin_client, laptops, keys, values, message
):
    response = admin_client.post(
        "/admin/catalog/product/add/",
        _form(
            {"sku": "LAP-2", "name": "Laptop", "category": laptops.pk},
            [{"sku": "LAP-2", "price": "999.00"}],
            **_rows(keys, values),
        ),
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Product.objects.exists()


def test_the_change_form_shows_rows_a_currency_choice_and_autocompletes(admin_client, laptops):
    product = factories.product(
        category=laptops,
        brand=factories.brand("Acme"),
        tags=["oak"],
        attributes={"screen": 14, "touch": False},
    )

    html = admin_client.get(f"/admin/catalog/product/{product.pk}/change/").content.decode()

    assert re.search(r'<input type="text" name="tags" value="oak"', html)
    assert re.search(
        r'name="attributes-key" value="screen"[^>]*> <input type="text" name="attributes-value" value="14"',
        html,
    )
    assert re.search(
        r'name="attributes-key" value="touch"[^>]*> <input type="text" name="attributes-value" value="false"',
        html,
    )
    assert re.search(r'<option value="USD" selected>USD \(US Dollar\)</option>', html)
    for field in ("brand", "category"):
        assert re.search(rf'<select name="{field}"[^>]*class="admin-autocomplete', html), field


def test_the_brand_filter_lists_the_most_used_brands_and_the_chosen_one(admin_client):
    category = factories.category()
    busy = factories.brand("Busy Brand")
    for _ in range(3):
        factories.product(brand=busy, category=category)
    quiet = [factories.brand(f"Quiet {number:02d}") for number in range(13)]
    for brand in quiet:
        factories.product(brand=brand, category=category)

    html = admin_client.get("/admin/catalog/product/").content.decode()
    shown = re.findall(r'href="\?brand=(\d+)"', html)

    assert len(shown) == 12
    assert str(busy.pk) == shown[0]
    assert str(quiet[-1].pk) not in shown  # the 13th quiet brand, by name, is left out

    chosen = admin_client.get("/admin/catalog/product/", {"brand": quiet[-1].pk}).content.decode()
    assert "Quiet 12" in chosen and "1 product" in chosen
