"""Every product command records who made it, when, through which channel and which fields it
changed from what to what (catalog.history): through the API, the admin, a bulk request, an
inventory feed and an import; deletions too; in the command's transaction, for one INSERT."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog import history, imports, services
from catalog.models import ProductChange
from config.celery import app as celery_app
from tasks import maintenance
from tests import factories
from tests.catalog.test_admin import _form as admin_form

pytestmark = pytest.mark.django_db


def _history(auditor, product_id: int) -> list[dict]:
    response = auditor.get(f"/api/products/{product_id}/history/", {"page_size": 100})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _fields(change: dict) -> dict[tuple, tuple]:
    return {tuple(item["field"]): (item["before"], item["after"]) for item in change["changes"]}


@pytest.fixture
def lamp():
    category = factories.category("Lamps", slug="lamps")
    return factories.product(
        sku="LAMP-1",
        name="Desk lamp",
        category=category,
        brand=factories.brand("Lumen", slug="lumen"),
        price=Decimal("20.00"),
        tags=["desk"],
        attributes={"color": "blue"},
    )


def test_an_api_change_records_the_user_the_channel_and_each_field_from_what_to_what(
    staff_api, auditor, lamp
):
    factories.brand("Globex", slug="globex")

    # when a PATCH changes scalars, the brand, tags, an attribute, a translation and the price
    response = staff_api.patch(
        f"/api/products/{lamp.pk}/",
        {
            "name": "Floor lamp",
            "brand": "globex",
            "tags": ["desk", "floor"],
            "attributes": {"color": "red"},
            "translations": {"de": {"name": "Stehlampe"}},
            "price": "25.00",
        },
        format="json",
    )
    assert response.status_code == 200

    # then the history's newest record is that command, field by field, by the token's user
    latest, created = _history(auditor, lamp.pk)
    assert (latest["action"], latest["channel"], latest["version"]) == ("updated", "api", 2)
    assert (latest["user_id"], latest["username"]) == (staff_api.user.pk, staff_api.user.username)
    assert _fields(latest) == {
        ("name",): ("Desk lamp", "Floor lamp"),
        ("brand",): ("lumen", "globex"),
        ("tags",): (["desk"], ["desk", "floor"]),
        ("attributes", "color"): ("blue", "red"),
        ("translations", "de"): (None, {"name": "Stehlampe"}),
        ("price",): ("20.00", "25.00"),
        ("variants", "LAMP-1", "price"): ("20.00", "25.00"),
    }
    # and before it the creation (by the factory: code, no user), with the values it started with
    assert (created["action"], created["channel"], created["version"], created["user_id"]) == (
        "created",
        "system",
        1,
        None,
    )
    first = _fields(created)
    assert first[("sku",)] == (None, "LAMP-1") and first[("category",)] == (None, "lamps")
    assert first[("variants",)][1]["LAMP-1"]["price"] == "20.00"


def test_api_creation_variant_commands_and_deletion_are_recorded_and_outlive_the_product(staff_api, auditor):
    factories.category("Shirts", slug="shirts")
    created = staff_api.post(
        "/api/products/",
        {
            "sku": "SHIRT",
            "name": "Shirt",
            "category": "shirts",
            "variants": [{"sku": "SHIRT-M", "price": "20.00", "stock": 3, "options": {"size": "M"}}],
        },
        format="json",
    ).json()
    url = f"/api/products/{created['id']}/"
    staff_api.post(
        f"{url}variants/", {"sku": "SHIRT-L", "price": "22.00", "options": {"size": "L"}}, format="json"
    )
    staff_api.patch(f"{url}variants/SHIRT-M/", {"stock": 5}, format="json")
    staff_api.delete(f"{url}variants/SHIRT-L/")
    assert staff_api.delete(url).status_code == 204

    deleted, removed, restocked, added, made = _history(auditor, created["id"])
    assert [change["version"] for change in (made, added, restocked, removed, deleted)] == [1, 2, 3, 4, 5]
    assert {change["channel"] for change in (made, added, restocked, removed, deleted)} == {"api"}
    assert made["action"] == "created" and _fields(made)[("name",)] == (None, "Shirt")
    assert _fields(added)[("variants", "SHIRT-L")] == (
        None,
        {"options": {"size": "L"}, "price": "22.00", "compare_at_price": None, "stock": 0, "is_active": True},
    )
    assert _fields(restocked) == {("stock",): (3, 5), ("variants", "SHIRT-M", "stock"): (3, 5)}
    assert ("variants", "SHIRT-L") in _fields(removed) and _fields(removed)[("variants", "SHIRT-L")][
        1
    ] is None
    # the deletion keeps the product's own fields as they were, at its tombstone's version
    assert deleted["action"] == "deleted" and deleted["sku"] == "SHIRT"
    assert _fields(deleted)[("name",)] == ("Shirt", None)
    assert _fields(deleted)[("category",)] == ("shirts", None)


def test_a_command_sent_again_unchanged_records_its_version_with_no_field(staff_api, auditor, lamp):
    staff_api.patch(f"/api/products/{lamp.pk}/", {"name": "Desk lamp"}, format="json")

    latest = _history(auditor, lamp.pk)[0]
    assert (latest["version"], latest["changes"]) == (2, [])


def test_a_refused_command_records_nothing(staff_api, lamp):
    response = staff_api.patch(
        f"/api/products/{lamp.pk}/", {"name": "Stale"}, format="json", HTTP_IF_MATCH='"7"'
    )

    assert response.status_code == 412
    assert list(ProductChange.objects.filter(product_id=lamp.pk).values_list("action", flat=True)) == [
        "created"
    ]


def test_a_single_command_costs_one_insert_and_no_query_for_the_history(lamp):
    with CaptureQueriesContext(connection) as queries:
        services.product_update(product_id=lamp.pk, changes={"name": "Reading lamp", "stock": 4})

    touching = [query["sql"] for query in queries if "catalog_productchange" in query["sql"]]
    assert len(touching) == 1 and touching[0].startswith("INSERT")
    # the brand and category did not change: the history looked up no slug of theirs (the
    # answer's slugs come with the product's locking read)
    assert not [
        query
        for query in queries
        if query["sql"].startswith(("SELECT `catalog_brand`", "SELECT `catalog_category`"))
    ]


def test_the_admin_records_its_user_and_shows_the_diffs_on_the_history_page(admin_client, lamp):
    # when staff edit the product in the admin: its name and its variant's price
    fields = {"sku": "LAMP-1", "name": "Desk lamp", "category": lamp.category.pk, "brand": lamp.brand.pk}
    response = admin_client.post(
        f"/admin/catalog/product/{lamp.pk}/change/",
        admin_form(
            fields,
            [{"sku": "LAMP-1", "price": "18.50", "stock": "5"}],
            name="Brass desk lamp",
            description=lamp.description,
            tags=["desk"],
            **{"attributes-key": ["color"], "attributes-value": ["blue"]},
            loaded_version="1",
        ),
    )
    assert response.status_code == 302, response.content[:2000]

    # then the history names the admin's user and channel and the fields changed, no others
    change = ProductChange.objects.filter(product_id=lamp.pk).first()
    assert (change.channel, change.username, change.user_id, change.version) == (
        "admin",
        "boss",
        User.objects.get(username="boss").pk,
        2,
    )
    assert {tuple(item["field"]): (item["before"], item["after"]) for item in change.changes} == {
        ("name",): ("Desk lamp", "Brass desk lamp"),
        ("price",): ("20.00", "18.50"),
        ("variants", "LAMP-1", "price"): ("20.00", "18.50"),
    }
    # and the product's History page shows them, beside the creation
    page = admin_client.get(f"/admin/catalog/product/{lamp.pk}/history/").content.decode()
    assert page.count('class="product-change"') == 2
    assert "Brass desk lamp" in page and "variants.LAMP-1.price" in page and "boss" in page

    # a deleted product's page stays readable
    admin_client.post(f"/admin/catalog/product/{lamp.pk}/delete/", {"post": "yes"})
    page = admin_client.get(f"/admin/catalog/product/{lamp.pk}/history/")
    assert page.status_code == 200
    assert "The product has been deleted." in page.content.decode()
    assert page.content.decode().count('class="product-change"') == 3
    assert admin_client.get("/admin/catalog/product/999999/history/").status_code == 404


def test_a_bulk_request_records_each_change_in_one_insert_per_chunk(staff_api, auditor, lamp, settings):
    settings.CATALOG_BULK_CHUNK_SIZE = 2
    doomed = factories.product(sku="DOOMED", category=lamp.category)
    same = factories.product(sku="SAME", category=lamp.category)
    operations = [
        {"op": "update", "id": lamp.pk, "product": {"name": "Bulk lamp", "tags": []}},
        {"op": "create", "product": {"sku": "NEW-1", "name": "New", "category": "lamps", "price": "5"}},
        {"op": "create", "product": {"sku": "NEW-BAD", "name": "Bad", "category": "lamps", "price": "-1"}},
        {"op": "update", "sku": "LAMP-1", "product": {"stock": 1}},  # the lamp again
        {"op": "delete", "sku": "DOOMED"},
        {"op": "upsert", "product": {"sku": "SAME", "name": same.name, "category": "lamps"}},  # no-op
    ]

    with CaptureQueriesContext(connection) as queries:
        response = staff_api.post("/api/products/bulk/", operations, format="json")

    items = response.json()["items"]
    assert [item["status"] for item in items] == [200, 201, 400, 409, 200, 200]
    assert items[5]["result"] == "noop"
    inserts = [query for query in queries if query["sql"].startswith("INSERT INTO `catalog_productchange`")]
    assert len(inserts) == 2  # chunks 1 and 3 changed products; chunk 2 (refused, repeated) did not

    updated = _history(auditor, lamp.pk)[0]
    assert (updated["channel"], updated["username"], updated["version"]) == (
        "bulk",
        staff_api.user.username,
        2,
    )
    assert _fields(updated) == {("name",): ("Desk lamp", "Bulk lamp"), ("tags",): (["desk"], [])}
    new_id = response.json()["items"][1]["id"]
    assert [change["action"] for change in _history(auditor, new_id)] == ["created"]
    assert [change["action"] for change in _history(auditor, doomed.pk)] == ["deleted", "created"]
    assert not ProductChange.objects.filter(sku="NEW-BAD").exists()
    assert [change["action"] for change in _history(auditor, same.pk)] == ["created"]


def test_an_inventory_feed_records_the_variants_and_summary_it_changed(staff_api, auditor, lamp):
    response = staff_api.post(
        "/api/products/inventory/",
        [{"sku": "LAMP-1", "stock": 40, "compare_at_price": "30.00"}],
        format="json",
    )
    assert response.json()["items"][0]["result"] == "updated"

    latest = _history(auditor, lamp.pk)[0]
    assert (latest["channel"], latest["username"], latest["version"]) == (
        "inventory",
        staff_api.user.username,
        2,
    )
    assert _fields(latest) == {
        ("stock",): (5, 40),
        ("variants", "LAMP-1", "stock"): (5, 40),
        ("variants", "LAMP-1", "compare_at_price"): (None, "30.00"),
    }


def test_imports_record_the_import_channel_and_the_uploader(tmp_path, lamp):
    # the command line: no catalog user
    feed = tmp_path / "feed.csv"
    feed.write_text("sku,name,category,price\nLAMP-1,Imported lamp,lamps,20.00\n")
    imports.import_feed(path=feed, state_path=tmp_path / "state")
    change = ProductChange.objects.filter(product_id=lamp.pk).first()
    assert (change.channel, change.user_id, change.username) == ("import", None, "")
    assert change.changes == [{"field": ["name"], "before": "Desk lamp", "after": "Imported lamp"}]

    # an upload to POST /api/imports/, run by a worker: its uploader
    uploader = factories.user("catalog.add_product", "catalog.change_product", username="feeder")
    job = imports.import_job_create(
        user_id=uploader.pk, filename="feed.csv", content=b"sku,name,category\nLAMP-1,Uploaded lamp,lamps\n"
    )
    imports.import_job_run(job_id=job.pk)
    change = ProductChange.objects.filter(product_id=lamp.pk).first()
    assert (change.channel, change.user_id, change.username, change.version) == (
        "import",
        uploader.pk,
        "feeder",
        3,
    )


def test_the_purge_removes_only_what_is_older_than_the_retention(lamp, settings):
    services.product_update(product_id=lamp.pk, changes={"name": "Kept lamp"})
    services.product_update(product_id=lamp.pk, changes={"name": "Recent lamp"})
    old, kept = timezone.now() - timedelta(days=31), timezone.now() - timedelta(days=29)
    ProductChange.objects.filter(product_id=lamp.pk, version__lte=2).update(changed_at=old)
    ProductChange.objects.filter(product_id=lamp.pk, version=3).update(changed_at=kept)
    settings.CATALOG_HISTORY_RETENTION_DAYS = 30

    assert maintenance.purge_product_history() == 2

    assert list(ProductChange.objects.values_list("version", flat=True)) == [3]
    assert services.product_changes_purge(older_than_days=30) == 0


def test_beat_purges_the_history_hourly():
    entry = celery_app.conf.beat_schedule["purge-product-history"]
    assert (entry["task"], entry["schedule"]) == (maintenance.purge_product_history.name, 3600.0)


def test_an_origin_without_a_signed_in_user_names_nobody():
    assert history.Origin.of(AnonymousUser(), channel="api") == history.Origin(channel="api")
