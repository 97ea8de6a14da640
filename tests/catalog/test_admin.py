"""Catalog staff in the Django admin: the same services, versions and projection as the API."""

import pytest
from django.contrib.auth.models import User

from catalog.models import Brand, Category, Product
from projection.models import OutboxEntry
from search import queries
from tests import factories
from tests.conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin_client(client):
    User.objects.create_superuser("boss", "boss@example.com", "secret-pass-123")
    client.login(username="boss", password="secret-pass-123")
    return client


def _form(product_fields: dict, **overrides) -> dict:
    return {
        "description": "",
        "currency": "USD",
        "stock": "0",
        "tags": "[]",
        "attributes": "{}",
        "is_active": "on",
        **product_fields,
        **overrides,
    }


def _indexed(product_id: int) -> dict | None:
    return queries.get_product(product_id=product_id, include_inactive=True)


def test_create_edit_and_delete_through_the_admin_behave_as_through_the_api(
    admin_client, celery_worker, search_index
):
    category = factories.category("Desks")
    fields = {"sku": "DESK-1", "name": "Oak Standing Desk", "category": category.pk, "price": "499.00"}

    # create
    created = admin_client.post("/admin/catalog/product/add/", _form(fields, tags='["oak"]'))
    assert created.status_code == 302, created.content[:2000]
    product = Product.objects.get(sku="DESK-1")
    assert product.version == 1
    assert OutboxEntry.objects.filter(product_id=product.pk, version=1).exists()
    assert wait_until(lambda: _indexed(product.pk), timeout=5)["tags"] == ["oak"]

    # edit: the version grows by one and search shows the change
    edited = admin_client.post(
        f"/admin/catalog/product/{product.pk}/change/",
        _form(fields, name="Walnut Standing Desk", loaded_version="1"),
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
    fields = {"sku": product.sku, "name": "Lamp", "category": product.category.pk, "price": "19.99"}
    # someone changes it through the API after the editor opened version 1
    staff_api.patch(f"/api/products/{product.pk}/", {"stock": 9}, format="json")

    response = admin_client.post(
        f"/admin/catalog/product/{product.pk}/change/", _form(fields, name="Desk Lamp", loaded_version="1")
    )

    assert response.status_code == 200  # the form again, with the error
    assert "Someone saved version 2" in response.content.decode()
    product.refresh_from_db()
    assert (product.name, product.version, product.stock) == ("Lamp", 2, 9)


def test_invalid_admin_input_is_shown_not_saved(admin_client):
    category = factories.category()
    response = admin_client.post(
        "/admin/catalog/product/add/",
        _form({"sku": "bad sku", "name": "X", "category": category.pk, "price": "-1"}),
    )
    assert response.status_code == 200
    assert not Product.objects.exists()


def test_the_product_list_filters_and_searches(admin_client):
    factories.product(sku="FIND-ME", name="Findable Thing", stock=0)
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
