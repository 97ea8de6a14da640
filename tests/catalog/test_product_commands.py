"""Product commands over the REST API: every status a client can get, and what each leaves in
MySQL and the outbox."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from api.throttling import ClientRateThrottle
from catalog.models import Product
from projection.models import OutboxEntry
from tests import factories

pytestmark = pytest.mark.django_db


def _messages(errors) -> list[str]:
    """Error messages of a field, flattened (list items report theirs by index)."""
    if isinstance(errors, dict):
        return [message for nested in errors.values() for message in _messages(nested)]
    if isinstance(errors, list):
        return [message for nested in errors for message in _messages(nested)]
    return [str(errors)]


@pytest.fixture
def category():
    return factories.category("Laptops")


@pytest.fixture
def body(category):
    return {"sku": "LT-100", "name": "Featherlight Laptop 14", "category": category.slug, "price": "999.50"}


def test_create_answers_201_with_location_etag_and_the_stored_product(
    staff_api, body, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = staff_api.post("/api/products/", body, format="json")

    assert response.status_code == 201
    product = response.json()
    assert response["Location"] == f"/api/products/{product['id']}/"
    assert response["ETag"] == '"1"'
    assert product["version"] == 1
    assert product["price"] == "999.50"
    assert product["currency"] == "USD"
    assert product["tags"] == [] and product["attributes"] == {}
    assert Product.objects.get(pk=product["id"]).name == "Featherlight Laptop 14"
    assert OutboxEntry.objects.filter(product_id=product["id"], version=1).count() == 1
    assert len(callbacks) == 1  # the projection is requested once, after commit


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"sku": "has space"}, "sku", "letters, digits"),
        ({"sku": "x" * 65}, "sku", "64"),
        ({"name": ""}, "name", "blank"),
        ({"name": "n" * 201}, "name", "200"),
        ({"description": "d" * 10_001}, "description", "10000"),
        ({"price": "-1.00"}, "price", "greater than or equal to 0"),
        ({"price": "1.999"}, "price", "decimal places"),
        ({"price": "cheap"}, "price", "valid number"),
        ({"currency": "XYZ"}, "currency", "ISO 4217"),
        ({"stock": -1}, "stock", "greater than or equal to 0"),
        ({"tags": ["ok"] * 21}, "tags", "20"),
        ({"tags": ["t" * 51]}, "tags", "50"),
        ({"attributes": {"color": 5}}, "attributes", "string"),
        ({"attributes": {f"k{i}": "v" for i in range(51)}}, "attributes", "50"),
        ({"brand": "no-such-brand"}, "brand", "does not exist"),
        ({"category": "no-such-category"}, "category", "does not exist"),
        ({"colour": "red"}, "colour", "Unknown field"),
    ],
)
def test_each_invalid_field_gets_400_naming_it_and_stores_nothing(staff_api, body, change, field, reason):
    response = staff_api.post("/api/products/", {**body, **change}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert any(reason.lower() in message.lower() for message in _messages(response.json()[field])), (
        response.json()
    )
    assert not Product.objects.exists()
    assert not OutboxEntry.objects.exists()


def test_a_duplicate_sku_gets_400(staff_api, body):
    assert staff_api.post("/api/products/", body, format="json").status_code == 201
    response = staff_api.post("/api/products/", body, format="json")
    assert response.status_code == 400
    assert "sku" in response.json()
    assert Product.objects.count() == 1


def test_a_body_that_is_not_json_gets_415(staff_api):
    response = staff_api.post("/api/products/", "sku=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_a_json_body_that_is_not_an_object_gets_400(staff_api):
    response = staff_api.post("/api/products/", [1, 2], format="json")
    assert response.status_code == 400


def test_without_credentials_401_and_without_permission_403(body):
    anonymous = APIClient()
    assert anonymous.post("/api/products/", body, format="json").status_code == 401

    reader = APIClient()
    reader.force_authenticate(factories.user("catalog.change_product"))
    assert reader.post("/api/products/", body, format="json").status_code == 403
    assert not Product.objects.exists()


def test_session_authentication_works_for_commands(body):
    client = APIClient(enforce_csrf_checks=False)
    user = factories.user("catalog.add_product", username="staffer")
    client.force_login(user)
    assert client.post("/api/products/", body, format="json").status_code == 201


def test_token_from_the_auth_endpoint_authenticates(api, body):
    factories.user("catalog.add_product", username="integrator")
    token = api.post(
        "/api/auth/token/", {"username": "integrator", "password": "secret-pass-123"}, format="json"
    )
    assert token.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    assert api.post("/api/products/", body, format="json").status_code == 201


def test_patch_put_and_delete_bump_the_version_by_one_and_return_the_etag(staff_api):
    product = factories.product(tags=["a"], stock=3)

    patched = staff_api.patch(f"/api/products/{product.pk}/", {"stock": 7}, format="json")
    assert patched.status_code == 200
    assert patched.json()["version"] == 2 and patched["ETag"] == '"2"'
    assert patched.json()["tags"] == ["a"]

    put = staff_api.put(
        f"/api/products/{product.pk}/",
        {"sku": product.sku, "name": "Replaced", "category": product.category.slug, "price": "5.00"},
        format="json",
    )
    assert put.status_code == 200
    assert put.json()["version"] == 3
    assert put.json()["tags"] == [] and put.json()["stock"] == 0  # a PUT replaces the whole product

    assert staff_api.delete(f"/api/products/{product.pk}/").status_code == 204
    assert not Product.objects.filter(pk=product.pk).exists()
    assert list(OutboxEntry.objects.filter(product_id=product.pk).values_list("version", flat=True)) == [
        1,
        2,
        3,
        4,
    ]


def test_a_patch_to_the_sku_of_another_product_gets_400_and_changes_nothing(staff_api):
    taken, product = factories.product(sku="TAKEN-1"), factories.product(sku="MINE-1", stock=2)

    response = staff_api.patch(f"/api/products/{product.pk}/", {"sku": taken.sku, "stock": 9}, format="json")

    assert response.status_code == 400
    assert "already exists" in " ".join(_messages(response.json()["sku"]))
    product.refresh_from_db()
    assert (product.sku, product.stock, product.version) == ("MINE-1", 2, 1)


@pytest.mark.django_db(transaction=True)
def test_a_price_and_stock_patch_reads_the_product_once_and_writes_it_once(staff_api):
    # given a product of a brand, with its one variant
    product = factories.product(stock=3, brand=factories.brand("Acme"), category=factories.category("Desks"))

    # when a client changes its price and stock (the inventory systems' everyday command)
    with CaptureQueriesContext(connection) as queries:
        patched = staff_api.patch(
            f"/api/products/{product.pk}/", {"stock": 7, "price": "12.00"}, format="json"
        )

    # then the answer is the new version, as stored and announced to the projection, with the
    # brand and the category by slug
    assert patched.status_code == 200 and patched.json()["version"] == 2
    assert (patched.json()["brand"], patched.json()["category"]) == ("acme", "desks")
    product.refresh_from_db()
    assert (product.version, product.stock, str(product.price)) == (2, 7, "12.00")
    assert list(OutboxEntry.objects.filter(product_id=product.pk).values_list("version", flat=True)) == [1, 2]
    # and it took one locking read and one UPDATE of the product (its new version included), in
    # no savepoint: no sku, brand or category changed, so the database had nothing to refuse
    statements = [query["sql"] for query in queries]
    product_reads = [
        sql for sql in statements if sql.startswith("SELECT") and "FROM `catalog_product`" in sql
    ]
    assert len(product_reads) == 1 and product_reads[0].endswith("FOR UPDATE"), product_reads
    assert sum(sql.startswith("UPDATE `catalog_product` ") for sql in statements) == 1, statements
    assert not [sql for sql in statements if "SAVEPOINT" in sql]
    # and its outbox row was inserted with the version it holds, reading nothing back
    outbox_writes = [sql for sql in statements if "projection_outboxentry" in sql]
    assert len(outbox_writes) == 1 and "SELECT" not in outbox_writes[0], outbox_writes
    # and the answer's slugs came with that read, not from a query each after it
    assert not [
        sql for sql in statements if sql.startswith(("SELECT `catalog_brand`", "SELECT `catalog_category`"))
    ]


def test_a_missing_product_gets_404(staff_api):
    assert staff_api.patch("/api/products/999999/", {"stock": 1}, format="json").status_code == 404
    assert staff_api.delete("/api/products/999999/").status_code == 404


def test_a_stale_if_match_gets_412_and_changes_nothing(staff_api):
    product = factories.product(stock=1)
    staff_api.patch(f"/api/products/{product.pk}/", {"stock": 2}, format="json")

    stale = staff_api.patch(f"/api/products/{product.pk}/", {"stock": 99}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    assert staff_api.delete(f"/api/products/{product.pk}/", HTTP_IF_MATCH='"1"').status_code == 412

    product.refresh_from_db()
    assert (product.stock, product.version) == (2, 2)

    fresh = staff_api.patch(f"/api/products/{product.pk}/", {"stock": 99}, format="json", HTTP_IF_MATCH='"2"')
    assert fresh.status_code == 200 and fresh.json()["version"] == 3


def test_a_malformed_if_match_gets_400(staff_api):
    product = factories.product()
    response = staff_api.patch(
        f"/api/products/{product.pk}/", {"stock": 1}, format="json", HTTP_IF_MATCH="yesterday"
    )
    assert response.status_code == 400
    assert "If-Match" in response.json()


def test_an_idempotent_retry_replays_the_first_answer_and_creates_nothing_twice(staff_api, body):
    first = staff_api.post("/api/products/", body, format="json", HTTP_IDEMPOTENCY_KEY="order-7")
    retry = staff_api.post("/api/products/", body, format="json", HTTP_IDEMPOTENCY_KEY="order-7")

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert retry["Location"] == first["Location"]
    assert Product.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_gets_422(staff_api, body):
    staff_api.post("/api/products/", body, format="json", HTTP_IDEMPOTENCY_KEY="order-8")
    other = staff_api.post(
        "/api/products/", {**body, "sku": "LT-200"}, format="json", HTTP_IDEMPOTENCY_KEY="order-8"
    )
    assert other.status_code == 422
    assert Product.objects.count() == 1


def test_idempotency_keys_differing_only_in_case_or_accents_are_different_keys(staff_api, body):
    # given a command sent with one key
    first = staff_api.post("/api/products/", body, format="json", HTTP_IDEMPOTENCY_KEY="CAFE-x")

    # when other commands use keys a case- or accent-insensitive comparison would equate
    second = staff_api.post(
        "/api/products/", {**body, "sku": "LT-201"}, format="json", HTTP_IDEMPOTENCY_KEY="cafe-x"
    )
    third = staff_api.post(
        "/api/products/", {**body, "sku": "LT-202"}, format="json", HTTP_IDEMPOTENCY_KEY="CAFÉ-x"
    )

    # then each is a command of its own, neither a replay nor a reused key
    assert [first.status_code, second.status_code, third.status_code] == [201, 201, 201]
    assert "Idempotent-Replayed" not in second and "Idempotent-Replayed" not in third
    assert Product.objects.count() == 3


def test_an_idempotency_key_with_surrounding_whitespace_gets_400(staff_api, body):
    response = staff_api.post("/api/products/", body, format="json", HTTP_IDEMPOTENCY_KEY="order-9 ")

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert not Product.objects.exists()


def test_a_failed_command_does_not_burn_its_idempotency_key(staff_api, body):
    bad = staff_api.post("/api/products/", {**body, "price": "-1"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert bad.status_code == 400
    good = staff_api.post(
        "/api/products/", {**body, "price": "1.00"}, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert good.status_code == 201


def test_commands_are_throttled_with_429_and_retry_after(staff_api, body, monkeypatch):
    monkeypatch.setattr(ClientRateThrottle, "THROTTLE_RATES", {"user": "2/min", "anon": "2/min"})
    statuses = [staff_api.post("/api/products/", {**body, "sku": f"T-{i}"}, format="json") for i in range(3)]
    assert [r.status_code for r in statuses] == [201, 201, 429]
    assert int(statuses[-1]["Retry-After"]) > 0
