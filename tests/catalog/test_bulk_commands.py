"""`POST /api/products/bulk/`: many product commands in one request, each answered on its own;
what the request leaves in MySQL and the outbox, its limits, permissions and Idempotency-Key."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalog import services
from catalog.models import IdempotencyRecord, Product, ProductChange, ProductTombstone, ProductVariant
from projection.models import OutboxEntry
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/products/bulk/"


def _new(sku: str, category, **fields) -> dict:
    return {
        "op": "create",
        "product": {
            "sku": sku,
            "name": f"Product {sku}",
            "category": category.slug,
            "price": "10.00",
            **fields,
        },
    }


def _statuses(response) -> list[int]:
    return [item["status"] for item in response.json()["items"]]


@pytest.fixture
def category():
    return factories.category("Lamps")


def test_mixed_valid_and_invalid_items_are_each_answered_and_exactly_the_valid_ones_stored(
    staff_api, category
):
    # given two products, one of which is at version 2
    kept = factories.product(sku="KEPT", category=category)
    doomed = factories.product(sku="DOOMED", category=category)
    services.product_update(product_id=kept.pk, changes={"name": "Kept lamp"})

    # when one request creates, updates, upserts and deletes, some of it invalid
    operations = [
        _new("NEW-1", category),
        _new("NEW-BAD", category, price="-1"),
        {"op": "update", "id": kept.pk, "expected_version": 2, "product": {"stock": 9}},
        {"op": "update", "sku": "DOOMED", "expected_version": 1, "product": {"name": "x"}, "extra": 1},
        {
            "op": "upsert",
            "product": {"sku": "NEW-2", "name": "Upserted", "category": category.slug, "price": "5"},
        },
        {"op": "delete", "sku": "DOOMED", "expected_version": 7},
        {"op": "delete", "id": 999_999},
        {"op": "rename"},
        "not an object",
    ]
    response = staff_api.post(URL, operations, format="json")

    # then each item gets the status it would have had alone, in order
    assert response.status_code == 200
    body = response.json()
    assert body["errors"] is True
    assert _statuses(response) == [201, 400, 200, 400, 201, 412, 404, 400, 400]
    items = body["items"]
    assert items[0] | {"id": None} == {
        "op": "create",
        "status": 201,
        "result": "created",
        "id": None,
        "sku": "NEW-1",
        "version": 1,
    }
    assert "greater than or equal to 0" in items[1]["error"]["product"]["price"][0]
    assert items[2] == {
        "op": "update",
        "status": 200,
        "result": "updated",
        "id": kept.pk,
        "sku": "KEPT",
        "version": 3,
    }
    assert items[3]["error"] == {"extra": ["Unknown field."]}
    assert items[4]["result"] == "created"
    assert items[5]["error"]["code"] == "version_mismatch" and items[5]["error"]["current_version"] == 1
    assert items[6]["error"]["code"] == "not_found"
    assert "op" in items[7]["error"]
    assert "non_field_errors" in items[8]["error"]

    # and MySQL holds exactly the valid changes, each with its outbox row at its version
    assert set(Product.objects.values_list("sku", flat=True)) == {"KEPT", "DOOMED", "NEW-1", "NEW-2"}
    assert Product.objects.get(sku="KEPT").stock == 9
    assert Product.objects.get(sku="DOOMED").version == 1
    for item in (items[0], items[2], items[4]):
        assert OutboxEntry.objects.filter(product_id=item["id"], version=item["version"]).count() == 1
    assert not OutboxEntry.objects.filter(product_id=doomed.pk, version__gt=1).exists()


def test_deletes_leave_tombstones_and_updates_that_change_nothing_are_noops(staff_api, category):
    # given two products
    lamp = factories.product(sku="LAMP", category=category, price=Decimal("10.00"), stock=5)
    gone = factories.product(sku="GONE", category=category)

    # when one is sent again as it is and the other deleted
    response = staff_api.post(
        URL,
        [
            {"op": "upsert", "product": {"sku": "LAMP", "price": "10.00", "stock": 5}},
            {"op": "delete", "id": gone.pk, "expected_version": 1},
        ],
        format="json",
    )

    # then the first is a no-op at its version, the second deleted at the next version
    assert [
        (item["status"], item.get("result"), item.get("version")) for item in response.json()["items"]
    ] == [
        (200, "noop", 1),
        (200, "deleted", 2),
    ]
    assert response.json()["errors"] is False
    assert Product.objects.get(pk=lamp.pk).version == 1
    assert not OutboxEntry.objects.filter(product_id=lamp.pk, version=2).exists()
    assert ProductTombstone.objects.get(pk=gone.pk).version == 2
    assert OutboxEntry.objects.filter(product_id=gone.pk, version=2).count() == 1


def test_variants_and_attributes_go_through_as_in_single_commands(staff_api, category):
    # when a product with variants is created in bulk, and one with clashing variants
    variants = [
        {"sku": "TEE-S", "options": {"size": "S"}, "price": "12.00", "stock": 1},
        {"sku": "TEE-M", "options": {"size": "M"}, "price": "11.00", "stock": 2},
    ]
    clash = [{**variants[0], "sku": "CLASH-1"}, {**variants[0], "sku": "CLASH-2"}]
    response = staff_api.post(
        URL,
        [
            {
                "op": "create",
                "product": {"sku": "TEE", "name": "Tee", "category": category.slug, "variants": variants},
            },
            {
                "op": "create",
                "product": {"sku": "CLASH", "name": "Tee", "category": category.slug, "variants": clash},
            },
        ],
        format="json",
    )

    # then the first is stored with its summary, the second refused naming its variants, and
    # nothing of it is left behind (no half-written item)
    assert _statuses(response) == [201, 400]
    assert "variants" in response.json()["items"][1]["error"]
    tee = Product.objects.get(sku="TEE")
    assert (tee.price, tee.stock, tee.variants.count()) == (Decimal("11.00"), 3, 2)
    assert not Product.objects.filter(sku="CLASH").exists()


def test_an_item_failing_after_it_wrote_part_of_itself_leaves_nothing_and_the_others_stay(
    staff_api, category
):
    # given a product whose variant holds the sku TAKEN
    factories.product(sku="TAKEN", category=category)

    # when a chunk creates three products, the second with a variant sku only MySQL's unique
    # index refuses, after its product row was written
    second = {
        "op": "create",
        "product": {
            "sku": "SECOND",
            "name": "Second",
            "category": category.slug,
            "variants": [{"sku": "TAKEN", "price": "3.00", "stock": 1}],
        },
    }
    response = staff_api.post(URL, [_new("FIRST", category), second, _new("THIRD", category)], format="json")

    # then the second is refused naming its variant, nothing of it is stored, and the others are
    assert _statuses(response) == [201, 400, 201]
    assert "TAKEN" in json.dumps(response.json()["items"][1]["error"])
    stored = dict(Product.objects.values_list("sku", "pk"))
    assert stored.keys() == {"TAKEN", "FIRST", "THIRD"}
    assert set(OutboxEntry.objects.values_list("product_id", flat=True)) == set(stored.values())


def test_an_upsert_of_a_sku_stored_after_its_chunk_looked_updates_it(staff_api, category, monkeypatch):
    # given a product, which another writer stores between the chunk's look at its skus (made
    # blind here) and its writes
    stored = factories.product(sku="RACED", category=category, stock=1)
    monkeypatch.setattr(services, "_stored_skus", lambda chunk: set())

    # when a request upserts it with another new product
    response = staff_api.post(
        URL,
        [
            {"op": "upsert", "product": {"sku": "RACED", "stock": 7}},
            _new("FRESH", category),
        ],
        format="json",
    )

    # then it is updated, not refused as a taken sku, and the new one created
    assert _statuses(response) == [200, 201]
    assert response.json()["items"][0] | {"id": stored.pk} == {
        "op": "upsert",
        "status": 200,
        "result": "updated",
        "id": stored.pk,
        "sku": "RACED",
        "version": 2,
    }
    assert Product.objects.get(sku="RACED").stock == 7
    assert Product.objects.filter(sku="FRESH").exists()


@pytest.mark.parametrize("returning", [True, False], ids=["ids returned (MariaDB)", "no ids (MySQL)"])
def test_a_chunk_whose_items_all_succeed_is_written_together(
    staff_api, category, settings, monkeypatch, returning
):
    # given chunks of 20, on a database that does or does not give the ids of rows inserted
    # in one statement
    settings.CATALOG_BULK_CHUNK_SIZE = 20
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", returning)

    # when 40 products are created and upserted in one request
    operations = [_new(f"NEW-{number}", category) for number in range(20)]
    upserted = {"name": "Up", "category": category.slug, "price": "2"}
    operations += [{"op": "upsert", "product": {"sku": f"UP-{number}", **upserted}} for number in range(20)]
    with CaptureQueriesContext(connection) as queries:
        response = staff_api.post(URL, operations, format="json")

    # then every item is stored under the id it was answered with, with its variant, outbox row
    # and history
    assert _statuses(response) == [201] * 40
    answered = {item["sku"]: item["id"] for item in response.json()["items"]}
    assert dict(Product.objects.values_list("sku", "pk")) == answered
    assert set(ProductVariant.objects.values_list("sku", "product_id")) == set(answered.items())
    assert set(OutboxEntry.objects.values_list("product_id", flat=True)) == set(answered.values())
    assert set(ProductChange.objects.values_list("product_id", flat=True)) == set(answered.values())
    # and each of the two chunks took two savepoints (its attempt's, and its transaction's,
    # nested in the test's), not two per item; with the ids returned, one INSERT of products
    sql = [query["sql"] for query in queries]
    assert sum(statement.startswith("SAVEPOINT") for statement in sql) == 2 * 2
    product_inserts = sum(statement.startswith("INSERT INTO `catalog_product` ") for statement in sql)
    assert product_inserts == (2 if returning else 40)


def test_a_create_of_a_stored_sku_is_refused_alone(staff_api, category):
    # given a stored product
    factories.product(sku="STORED", category=category)

    # when a request creates it again between two new ones
    response = staff_api.post(
        URL, [_new("BEFORE", category), _new("STORED", category), _new("AFTER", category)], format="json"
    )

    # then only that item is refused, naming its sku, and the others are stored
    assert _statuses(response) == [201, 400, 201]
    assert "sku" in response.json()["items"][1]["error"]
    assert set(Product.objects.values_list("sku", flat=True)) == {"STORED", "BEFORE", "AFTER"}


def test_a_second_operation_on_one_product_in_a_request_is_refused_with_409(staff_api, category):
    # given a product
    lamp = factories.product(sku="LAMP", category=category)

    # when a request names a sku twice, and a product by its id and by its sku
    response = staff_api.post(
        URL,
        [
            _new("TWICE", category),
            _new("TWICE", category, name="Again"),
            {"op": "update", "sku": "LAMP", "product": {"stock": 1}},
            {"op": "update", "id": lamp.pk, "product": {"stock": 2}},
        ],
        format="json",
    )

    # then the later ones are refused, naming the first, and only the first ones are stored
    assert _statuses(response) == [201, 409, 200, 409]
    assert "Item 0" in response.json()["items"][1]["error"]["detail"]
    assert response.json()["items"][3]["error"]["code"] == "duplicate_target"
    assert Product.objects.get(sku="TWICE").name == "Product TWICE"
    assert Product.objects.get(pk=lamp.pk).stock == 1


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ([], 400, "no operation"),
        ({"op": "create"}, 400, "Expected a list"),
        ([{"op": "delete", "id": 1}] * 4, 413, "At most 3 operations"),
    ],
)
def test_a_request_that_is_no_list_of_operations_or_too_long_is_refused_whole(
    staff_api, settings, body, status, reason
):
    # given a limit of 3 operations
    settings.CATALOG_BULK_MAX_OPERATIONS = 3

    # when the body breaks a rule of the whole request
    response = staff_api.post(URL, body, format="json")

    # then the answer is a clear 4xx with the reason, and nothing is written
    assert response.status_code == status
    assert reason in json.dumps(response.json())
    assert not OutboxEntry.objects.exists()


@pytest.mark.parametrize("sku", [["LAMP"], {"sku": "LAMP"}, 7])
def test_an_upsert_whose_sku_is_no_text_is_that_items_400(staff_api, category, sku):
    # when an upsert names its product by what no sku is, beside a good one
    upsert = {"op": "upsert", "product": {**_new("ANY", category)["product"], "sku": sku}}
    response = staff_api.post(URL, [upsert, _new("GOOD-1", category)], format="json")

    # then that item is refused naming the field, and the other is written
    assert response.status_code == 200
    assert _statuses(response) == [400, 201]
    assert "sku" in response.json()["items"][0]["error"]["product"]
    assert Product.objects.filter(sku="GOOD-1").exists()


def test_an_id_past_what_mysql_holds_is_that_items_400(staff_api, category):
    # when a delete names a product by an id no BIGINT holds, beside a good creation
    operations = [{"op": "delete", "id": 10**30}, _new("GOOD-2", category)]
    response = staff_api.post(URL, operations, format="json")

    # then that item is refused naming the field, and the other is written
    assert response.status_code == 200
    assert _statuses(response) == [400, 201]
    assert "less than or equal to" in response.json()["items"][0]["error"]["id"][0]
    assert Product.objects.filter(sku="GOOD-2").exists()


def test_json_lines_are_accepted_and_a_malformed_line_gets_400_naming_it(staff_api, category):
    # when operations come as JSON lines (blank lines allowed)
    lines = "\n".join([json.dumps(_new("L-1", category)), "", json.dumps(_new("L-2", category)), ""])
    response = staff_api.post(URL, lines, content_type="application/x-ndjson")

    # then each is answered
    assert response.status_code == 200
    assert _statuses(response) == [201, 201]

    # when the second line is not JSON
    broken = "\n".join([json.dumps(_new("L-3", category)), '{"op": "create", "product": {'])
    response = staff_api.post(URL, broken, content_type="application/x-ndjson")

    # then the whole request is refused, naming the line, and nothing is written
    assert response.status_code == 400
    assert "line 2" in response.json()["detail"]
    assert not Product.objects.filter(sku="L-3").exists()


def test_an_idempotent_retry_gets_the_same_answer_and_writes_nothing_twice(staff_api, category):
    # given a bulk request sent with an Idempotency-Key
    operations = [_new("ONCE-1", category), _new("ONCE-BAD", category, price="x"), _new("ONCE-2", category)]
    first = staff_api.post(URL, operations, format="json", HTTP_IDEMPOTENCY_KEY="bulk-1")
    outbox = OutboxEntry.objects.count()

    # when it is sent again with the same key
    again = staff_api.post(URL, operations, format="json", HTTP_IDEMPOTENCY_KEY="bulk-1")

    # then the answer is the same, marked as replayed, and nothing new is written
    assert again.status_code == first.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Product.objects.filter(sku__startswith="ONCE").count() == 2
    assert OutboxEntry.objects.count() == outbox

    # and the key with another body is refused
    other = staff_api.post(URL, operations[:1], format="json", HTTP_IDEMPOTENCY_KEY="bulk-1")
    assert other.status_code == 422


def test_a_retry_after_an_interruption_carries_on_where_the_committed_chunks_stopped(
    staff_api, category, settings, monkeypatch
):
    # given chunks of two operations, and a process that dies while writing the second chunk
    settings.CATALOG_BULK_CHUNK_SIZE = 2
    operations = [_new(f"CHUNK-{number}", category) for number in range(5)]
    real_created = services._product_created

    def dies_at_the_fourth(**fields):
        if fields["sku"] == "CHUNK-3":
            raise SystemExit("killed")
        return real_created(**fields)

    monkeypatch.setattr(services, "_product_created", dies_at_the_fourth)
    with pytest.raises(SystemExit):
        staff_api.post(URL, operations, format="json", HTTP_IDEMPOTENCY_KEY="resume-1")
    assert set(Product.objects.values_list("sku", flat=True)) == {"CHUNK-0", "CHUNK-1"}

    # when the client retries with the same key
    monkeypatch.setattr(services, "_product_created", real_created)
    response = staff_api.post(URL, operations, format="json", HTTP_IDEMPOTENCY_KEY="resume-1")

    # then every item is answered created, once, and each product has one outbox row
    assert _statuses(response) == [201] * 5
    assert Product.objects.filter(sku__startswith="CHUNK-").count() == 5
    ids = [item["id"] for item in response.json()["items"]]
    assert sorted(
        OutboxEntry.objects.filter(product_id__in=ids).values_list("product_id", flat=True)
    ) == sorted(ids)
    assert IdempotencyRecord.objects.get(key="resume-1").status_code == 200


def test_a_request_refused_whole_does_not_burn_its_idempotency_key(staff_api, category):
    assert staff_api.post(URL, [], format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    response = staff_api.post(URL, [_new("FREE", category)], format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert _statuses(response) == [201]


OPERATIONS = ("create", "update", "upsert", "delete")
# The permissions a user holds -> the status of each operation kind (created/changed when allowed).
PERMISSION_MATRIX = [
    (("catalog.add_product",), {"create": 201, "update": 403, "upsert": 403, "delete": 403}),
    (("catalog.change_product",), {"create": 403, "update": 200, "upsert": 403, "delete": 403}),
    (("catalog.delete_product",), {"create": 403, "update": 403, "upsert": 403, "delete": 200}),
    (
        ("catalog.add_product", "catalog.change_product"),
        {"create": 201, "update": 200, "upsert": 201, "delete": 403},
    ),
]


@pytest.mark.parametrize(("permissions", "expected"), PERMISSION_MATRIX)
def test_each_operation_needs_the_permission_of_its_kind(category, permissions, expected):
    # given two products, and a user holding some of the product permissions
    updated = factories.product(sku="UPD", category=category)
    deleted = factories.product(sku="DEL", category=category)
    client = APIClient()
    client.force_authenticate(factories.user(*permissions))

    # when the user sends one operation of each kind
    response = client.post(
        URL,
        [
            _new("CRE", category),
            {"op": "update", "id": updated.pk, "product": {"stock": 3}},
            {"op": "upsert", "product": {"sku": "UPS", "name": "U", "category": category.slug, "price": "1"}},
            {"op": "delete", "id": deleted.pk},
        ],
        format="json",
    )

    # then each is answered by the permission of its kind, and only the allowed ones happen
    assert dict(zip(OPERATIONS, _statuses(response), strict=True)) == expected
    forbidden = [item for item in response.json()["items"] if item["status"] == 403]
    assert all(item["error"]["code"] == "permission_denied" for item in forbidden)
    assert Product.objects.filter(sku="CRE").exists() == (expected["create"] == 201)
    assert (Product.objects.get(pk=updated.pk).stock == 3) == (expected["update"] == 200)
    assert Product.objects.filter(sku="UPS").exists() == (expected["upsert"] == 201)
    assert Product.objects.filter(pk=deleted.pk).exists() == (expected["delete"] == 403)


def test_without_credentials_401_and_without_any_product_permission_403(category):
    body = [_new("NOPE", category)]
    assert APIClient().post(URL, body, format="json").status_code == 401
    reader = APIClient()
    reader.force_authenticate(factories.user("catalog.add_brand"))
    assert reader.post(URL, body, format="json").status_code == 403
    assert not Product.objects.exists()
