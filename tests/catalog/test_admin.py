"""Catalog staff in the Django admin: the same services, versions and projection as the API."""

from decimal import Decimal

import pytest

from catalog.models import AttributeDefinition, Brand, Category, Product, ProductVariant
from projection.models import OutboxEntry
from search import queries
from tests import factories
from tests.conftest import wait_until
from tests.search.conftest import project

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _form(product_fields: dict, variants: list[dict] = (), **overrides) -> dict:
    """The product's change form as the browser posts it, with its inline variant forms (those
    of a stored product first, as the admin shows them)."""
    stored = list(ProductVariant.objects.filter(product__sku=product_fields["sku"]).order_by("id"))
    data = {
        "description": "",
        "currency": "USD",
        "tags": [],
        "is_active": "on",
        **product_fields,
        **overrides,
        "variants-TOTAL_FORMS": str(len(variants)),
        "variants-INITIAL_FORMS": str(len(stored)),
        "variants-MIN_NUM_FORMS": "1",
        "variants-MAX_NUM_FORMS": "1000",
    }
    for number, variant in enumerate(variants):
        fields = {"options": "{}", "stock": "0", "is_active": "on", "compare_at_price": "", **variant}
        if number < len(stored):
            fields |= {"id": str(stored[number].pk), "product": str(stored[number].product_id)}
        data |= {f"variants-{number}-{name}": value for name, value in fields.items()}
    return data


def _indexed(product_id: int) -> dict | None:
    return queries.get_product(product_id=product_id, include_inactive=True)


def test_create_edit_and_delete_through_the_admin_behave_as_through_the_api(
    admin_client, celery_worker, search_index
):
    category = factories.category("Desks")
    fields = {"sku": "DESK-1", "name": "Oak Standing Desk", "category": category.pk}
    variants = [{"sku": "DESK-1", "price": "499.00"}]

    # create
    created = admin_client.post("/admin/catalog/product/add/", _form(fields, variants, tags=["oak"]))
    assert created.status_code == 302, created.content[:2000]
    product = Product.objects.get(sku="DESK-1")
    assert product.version == 1
    assert OutboxEntry.objects.filter(product_id=product.pk, version=1).exists()
    assert wait_until(lambda: _indexed(product.pk), timeout=5)["tags"] == ["oak"]

    # edit: the version grows by one and search shows the change
    edited = admin_client.post(
        f"/admin/catalog/product/{product.pk}/change/",
        _form(fields, variants, name="Walnut Standing Desk", loaded_version="1"),
    )
    assert edited.status_code == 302
    assert Product.objects.get(pk=product.pk).version == 2
    wait_until(lambda: (_indexed(product.pk) or {}).get("name") == "Walnut Standing Desk", timeout=5)

    # the change page shows the read side's state next to the current version
    page = admin_client.get(f"/admin/catalog/product/{product.pk}/change/").content.decode()
    assert "Indexed version 2" in page and "current version 2 (up to date)" in page

    # delete
    deleted = admin_client.post(f"/admin/catalog/product/{product.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not Product.objects.filter(pk=product.pk).exists()
    wait_until(lambda: _indexed(product.pk) is None, timeout=5)


def test_saving_over_a_newer_version_in_the_admin_is_refused(admin_client, staff_api):
    product = factories.product(name="Lamp")
    fields = {"sku": product.sku, "name": "Lamp", "category": product.category.pk}
    # someone changes it through the API after the editor opened version 1
    staff_api.patch(f"/api/products/{product.pk}/", {"stock": 9}, format="json")

    response = admin_client.post(
        f"/admin/catalog/product/{product.pk}/change/",
        _form(fields, [{"sku": product.sku, "price": "19.99"}], name="Desk Lamp", loaded_version="1"),
    )

    assert response.status_code == 200  # the form again, with the error
    assert "Someone saved version 2" in response.content.decode()
    product.refresh_from_db()
    assert (product.name, product.version, product.stock) == ("Lamp", 2, 9)


def test_invalid_admin_input_is_shown_not_saved(admin_client):
    category = factories.category()
    response = admin_client.post(
        "/admin/catalog/product/add/",
        _form({"sku": "bad sku", "name": "X", "category": category.pk}, [{"sku": "bad sku", "price": "-1"}]),
    )
    assert response.status_code == 200
    assert not Product.objects.exists()


@pytest.mark.parametrize("key", ["abc", "1.5", " "])
def test_a_brand_category_or_parent_that_is_no_key_is_shown_as_a_form_error(admin_client, key):
    # given forms whose autocomplete field holds what no id is (only a hand-made request sends it)
    category = factories.category()
    product_form = _form(
        {"sku": "KEY-1", "name": "X", "category": category.pk, "brand": key}, [{"sku": "KEY-1", "price": "1"}]
    )
    category_form = {"name": "Lamps", "slug": "lamps-key", "parent": key}

    # when they are posted
    answers = [
        admin_client.post("/admin/catalog/product/add/", product_form),
        admin_client.post("/admin/catalog/category/add/", category_form),
    ]

    # then each page comes back with the field's error, and nothing is saved
    assert [answer.status_code for answer in answers] == [200, 200]
    for answer, field in zip(answers, ["brand", "parent"], strict=True):
        assert field in answer.context["adminform"].form.errors
    assert not Product.objects.filter(sku="KEY-1").exists()
    assert not Category.objects.filter(slug="lamps-key").exists()


def test_the_product_list_filters_and_searches(admin_client, search_index):
    factories.product(sku="FIND-ME", name="Findable Thing", stock=0)
    project()  # the search box searches through Elasticsearch (tests/projection/test_admin_search.py)
    page = admin_client.get("/admin/catalog/product/", {"q": "FIND", "stock": "out"}).content.decode()
    assert "Findable Thing" in page
    assert "change(s) waiting" in page  # the projection backlog banner


def test_the_reindex_action_queues_the_selected_products(admin_client):
    product = factories.product()
    before = OutboxEntry.objects.filter(product_id=product.pk).count()
    admin_client.post(
        "/admin/catalog/product/", {"action": "reindex_selected", "_selected_action": [product.pk]}
    )
    assert OutboxEntry.objects.filter(product_id=product.pk).count() == before + 1


def test_brands_and_categories_are_managed_through_the_services(admin_client):
    assert admin_client.post("/admin/catalog/brand/add/", {"name": "Acme", "slug": "acme"}).status_code == 302
    brand = factories.brand("Globex")
    product = factories.product(brand=brand)
    renamed = admin_client.post(
        f"/admin/catalog/brand/{brand.pk}/change/",
        {"name": "Globex Audio", "slug": "globex", "loaded_version": "1"},
    )
    assert renamed.status_code == 302
    assert Product.objects.get(pk=product.pk).version == 2  # its document carries the brand name

    in_use = admin_client.post(f"/admin/catalog/brand/{brand.pk}/delete/", {"post": "yes"}, follow=True)
    assert "Cannot delete brand" in in_use.content.decode()  # the admin lists the products using it
    assert Brand.objects.filter(pk=brand.pk).exists()

    root = admin_client.post("/admin/catalog/category/add/", {"name": "Home", "slug": "home", "parent": ""})
    assert root.status_code == 302
    child = factories.category("Lamps")
    moved = admin_client.post(
        f"/admin/catalog/category/{child.pk}/change/",
        {
            "name": "Lamps",
            "slug": child.slug,
            "parent": Category.objects.get(slug="home").pk,
            "loaded_version": "1",
        },
    )
    assert moved.status_code == 302
    assert Category.objects.get(pk=child.pk).version == 2


def test_variants_are_edited_inline_through_the_services(admin_client, search_index):
    # given a product sold in two sizes, created in the admin
    category = factories.category("Shirts")
    fields = {"sku": "SHIRT", "name": "Linen Shirt", "category": category.pk}
    sizes = [
        {"sku": "SHIRT-M", "options": '{"size": "M"}', "price": "40.00", "stock": "3"},
        {"sku": "SHIRT-L", "options": '{"size": "L"}', "price": "42.00", "stock": "0"},
    ]
    assert admin_client.post("/admin/catalog/product/add/", _form(fields, sizes)).status_code == 302
    product = Product.objects.get(sku="SHIRT")
    assert sorted(product.variants.values_list("sku", flat=True)) == ["SHIRT-L", "SHIRT-M"]
    assert (product.price, product.stock) == (Decimal("40.00"), 3)  # summed up from the variants

    # when an editor gives both sizes the same options
    clash = [{**sizes[0]}, {**sizes[1], "options": '{"size": "M"}'}]
    response = admin_client.post(
        f"/admin/catalog/product/{product.pk}/change/", _form(fields, clash, loaded_version="1"), follow=True
    )

    # then nothing is saved and the editor is told why
    assert "Not saved" in response.content.decode() and "same options" in response.content.decode()
    product.refresh_from_db()
    assert product.version == 1
    assert sorted(product.variants.values_list("options", flat=True), key=str) == [
        {"size": "L"},
        {"size": "M"},
    ]

    # and removing a size goes through the services: the version moves on
    one_size = _form(fields, [sizes[0]], loaded_version="1")
    one_size["variants-TOTAL_FORMS"] = "2"
    stored_large = product.variants.get(sku="SHIRT-L")
    one_size |= {
        "variants-1-id": str(stored_large.pk),
        "variants-1-product": str(product.pk),
        "variants-1-sku": "SHIRT-L",
        "variants-1-price": "42.00",
        "variants-1-stock": "0",
        "variants-1-options": '{"size": "L"}',
        "variants-1-DELETE": "on",
    }
    assert admin_client.post(f"/admin/catalog/product/{product.pk}/change/", one_size).status_code == 302
    product.refresh_from_db()
    assert product.version == 2
    assert list(product.variants.values_list("sku", flat=True)) == ["SHIRT-M"]


def test_attribute_definitions_are_managed_through_the_services(admin_client):
    # given a product whose screen size was written as text before any definition
    laptops = factories.category("Laptops")
    product = factories.product(category=laptops, attributes={"screen": "14"})

    # when staff define it in the admin, for laptops
    added = admin_client.post(
        "/admin/catalog/attributedefinition/add/",
        {
            "code": "screen",
            "name": "Screen",
            "type": "number",
            "unit": "in",
            "choices": "[]",
            "filterable": "on",
            "categories": [laptops.pk],
        },
    )

    # then it is defined for that category, and the product carrying it moves on (re-indexed)
    assert added.status_code == 302, added.content[:2000]
    definition = AttributeDefinition.objects.get(code="screen")
    assert list(definition.categories.all()) == [laptops]
    assert Product.objects.get(pk=product.pk).version == 2

    # and a change in the admin goes through the same service: a new name re-indexes nothing
    # (documents do not hold it), no longer being a facet does
    change = {
        "code": "screen",
        "name": "Screen size",
        "type": "number",
        "unit": "in",
        "choices": "[]",
        "filterable": "on",
        "categories": [laptops.pk],
        "loaded_version": "1",
    }
    renamed = admin_client.post(f"/admin/catalog/attributedefinition/{definition.pk}/change/", change)
    assert renamed.status_code == 302
    assert AttributeDefinition.objects.get(pk=definition.pk).name == "Screen size"
    assert Product.objects.get(pk=product.pk).version == 2
    del change["filterable"]  # an unticked box is not sent
    unfiltered = admin_client.post(
        f"/admin/catalog/attributedefinition/{definition.pk}/change/", {**change, "loaded_version": "2"}
    )
    assert unfiltered.status_code == 302
    assert AttributeDefinition.objects.get(pk=definition.pk).filterable is False
    assert Product.objects.get(pk=product.pk).version == 3
