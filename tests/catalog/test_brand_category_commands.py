"""Brand and category commands over the REST API."""

import pytest

from catalog.models import Brand, Category, Product
from projection.models import OutboxEntry
from tests import factories

pytestmark = pytest.mark.django_db


def test_brand_create_derives_the_slug_and_answers_location_and_etag(staff_api):
    response = staff_api.post("/api/brands/", {"name": "Café Crème"}, format="json")
    assert response.status_code == 201
    assert response.json()["slug"] == "cafe-creme"
    assert response["Location"] == "/api/brands/cafe-creme/"
    assert response["ETag"] == '"1"'


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "Acme", "slug": "not a slug"}, "slug"),
        ({"name": "Acme", "logo": "x.png"}, "logo"),
        ({}, "name"),
    ],
)
def test_invalid_brand_fields_get_400(staff_api, body, field):
    response = staff_api.post("/api/brands/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Brand.objects.exists()


def test_duplicate_brand_name_or_slug_gets_400(staff_api):
    factories.brand("Acme", slug="acme")
    assert "name" in staff_api.post("/api/brands/", {"name": "Acme"}, format="json").json()
    assert "slug" in staff_api.post("/api/brands/", {"name": "Other", "slug": "acme"}, format="json").json()
    assert Brand.objects.count() == 1


def test_renaming_a_brand_bumps_every_product_using_it_and_records_their_changes(staff_api):
    brand = factories.brand("Acme")
    products = [factories.product(brand=brand) for _ in range(3)]
    bystander = factories.product()

    response = staff_api.patch(f"/api/brands/{brand.slug}/", {"name": "Acme Audio"}, format="json")

    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert {p.version for p in Product.objects.filter(brand=brand)} == {2}
    assert Product.objects.get(pk=bystander.pk).version == 1
    for product in products:
        assert OutboxEntry.objects.filter(product_id=product.pk, version=2).exists()


def test_deleting_a_brand_in_use_gets_409_saying_how_many(staff_api):
    brand = factories.brand("Acme")
    factories.product(brand=brand)
    factories.product(brand=brand)
    response = staff_api.delete(f"/api/brands/{brand.slug}/")
    assert response.status_code == 409
    assert "2 product(s)" in response.json()["detail"]
    assert Brand.objects.filter(pk=brand.pk).exists()


def test_brand_if_match_and_404(staff_api):
    brand = factories.brand("Acme")
    assert (
        staff_api.patch("/api/brands/acme/", {"name": "B"}, format="json", HTTP_IF_MATCH='"7"').status_code
        == 412
    )
    assert staff_api.patch("/api/brands/nope/", {"name": "B"}, format="json").status_code == 404
    assert staff_api.delete(f"/api/brands/{brand.slug}/", HTTP_IF_MATCH='"1"').status_code == 204


def test_category_tree_rules(staff_api):
    root = staff_api.post("/api/categories/", {"name": "Electronics"}, format="json").json()
    child = staff_api.post("/api/categories/", {"name": "Audio", "parent": root["slug"]}, format="json")
    assert child.status_code == 201

    # a cycle is refused
    cycle = staff_api.patch(f"/api/categories/{root['slug']}/", {"parent": "audio"}, format="json")
    assert cycle.status_code == 400
    assert "parent" in cycle.json()
    # and so is a parent that does not exist
    assert (
        "parent" in staff_api.post("/api/categories/", {"name": "X", "parent": "nope"}, format="json").json()
    )


def test_categories_may_be_at_most_six_levels_deep(staff_api):
    parent = None
    for level in range(6):
        body = {"name": f"Level {level}", **({"parent": parent} if parent else {})}
        response = staff_api.post("/api/categories/", body, format="json")
        assert response.status_code == 201
        parent = response.json()["slug"]
    too_deep = staff_api.post("/api/categories/", {"name": "Level 6", "parent": parent}, format="json")
    assert too_deep.status_code == 400
    assert "6 levels" in too_deep.json()["parent"][0]


def test_moving_a_category_bumps_the_products_below_it(staff_api):
    electronics, home = factories.category("Electronics"), factories.category("Home")
    audio = factories.category("Audio", parent=electronics)
    headphones = factories.category("Headphones", parent=audio)
    product = factories.product(category=headphones)

    response = staff_api.patch(f"/api/categories/{audio.slug}/", {"parent": home.slug}, format="json")

    assert response.status_code == 200
    assert Product.objects.get(pk=product.pk).version == 2


def test_deleting_a_category_in_use_gets_409(staff_api):
    parent = factories.category("Parent")
    factories.category("Child", parent=parent)
    assert staff_api.delete(f"/api/categories/{parent.slug}/").status_code == 409
    leaf = factories.category("Leaf")
    factories.product(category=leaf)
    response = staff_api.delete(f"/api/categories/{leaf.slug}/")
    assert response.status_code == 409
    assert "1 product(s)" in response.json()["detail"]
    assert Category.objects.filter(pk=leaf.pk).exists()


def test_brand_and_category_commands_need_their_permissions(api):
    user = factories.user("catalog.add_product")
    api.force_authenticate(user)
    assert api.post("/api/brands/", {"name": "Acme"}, format="json").status_code == 403
    assert api.post("/api/categories/", {"name": "Toys"}, format="json").status_code == 403
    api.force_authenticate(None)
    assert api.post("/api/brands/", {"name": "Acme"}, format="json").status_code == 401
