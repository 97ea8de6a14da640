"""Writers racing: on the same product with the same If-Match exactly one wins; with the same
Idempotency-Key every one gets the answer of the command, never a deadlock's 500."""

import threading

import pytest
from django.db import OperationalError, connection, transaction
from rest_framework.test import APIClient

from catalog.models import Product
from catalog.versions import product_versions_changed
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_writers_with_the_same_if_match_one_wins_one_gets_412():
    product = factories.product(stock=1)
    user = factories.user("catalog.change_product")
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def writer(stock: int) -> None:
        client = APIClient()
        client.force_authenticate(user)
        barrier.wait()
        try:
            response = client.patch(
                f"/api/products/{product.pk}/", {"stock": stock}, format="json", HTTP_IF_MATCH='"1"'
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(stock,)) for stock in (10, 20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses) == [200, 412]
    product.refresh_from_db()
    assert product.version == 2
    assert product.stock in (10, 20)


def test_many_writers_without_if_match_each_bump_the_version_once():
    product = factories.product()
    user = factories.user("catalog.change_product")

    def writer(stock: int) -> None:
        client = APIClient()
        client.force_authenticate(user)
        try:
            assert (
                client.patch(f"/api/products/{product.pk}/", {"stock": stock}, format="json").status_code
                == 200
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert Product.objects.get(pk=product.pk).version == 9


def _post_concurrently(user, body: dict, *, key: str, threads: int = 50) -> list[int]:
    """`threads` clients POST the same body with the same Idempotency-Key at once."""
    barrier = threading.Barrier(threads)
    statuses: list[int] = []

    def poster() -> None:
        client = APIClient()
        client.force_authenticate(user)
        barrier.wait()
        try:
            statuses.append(
                client.post("/api/products/", body, format="json", HTTP_IDEMPOTENCY_KEY=key).status_code
            )
        finally:
            connection.close()

    workers = [threading.Thread(target=poster) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return statuses


def test_concurrent_refused_commands_with_the_same_idempotency_key_all_get_400():
    # given 50 retries of one command the serializer refuses, sent at once with one key
    user = factories.user("catalog.add_product")
    category = factories.category()
    body = {"sku": "BAD SKU", "name": "Refused", "category": category.slug, "price": "1.00"}

    # when they race for the key (each refusal rolls back its key, and the waiters take it)
    statuses = _post_concurrently(user, body, key="refused-1")

    # then every one is refused as the first was, and none deadlocks into a 500
    assert sorted(statuses) == [400] * 50
    assert not Product.objects.exists()


def test_concurrent_accepted_commands_with_the_same_idempotency_key_create_one_product():
    user = factories.user("catalog.add_product")
    category = factories.category()
    body = {"sku": "GOOD-1", "name": "Accepted", "category": category.slug, "price": "1.00"}

    statuses = _post_concurrently(user, body, key="accepted-1")

    assert sorted(statuses) == [201] * 50
    assert Product.objects.count() == 1


def test_a_command_on_a_product_locks_neither_its_brand_nor_its_category():
    # given a product of a brand, and a look from another connection at which rows are locked
    # while a PATCH of it is being written (when it announces its new version, in its transaction)
    product = factories.product(brand=factories.brand("Acme"), category=factories.category("Desks"))
    user = factories.user("catalog.change_product")
    locked: dict[str, bool] = {}

    def lockable(table: str, row_id: int) -> bool:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SELECT id FROM `{table}` WHERE id = %s FOR UPDATE NOWAIT", [row_id])
            return True
        except OperationalError:
            return False
        finally:
            connection.close()

    def look(**_: object) -> None:
        rows = {"product": ("catalog_product", product.pk), "brand": ("catalog_brand", product.brand_id)}
        rows["category"] = ("catalog_category", product.category_id)

        def from_another_connection() -> None:
            locked.update({name: not lockable(*row) for name, row in rows.items()})

        other = threading.Thread(target=from_another_connection)
        other.start()
        other.join(timeout=30)

    product_versions_changed.connect(look, dispatch_uid="test-look-at-locks")
    try:
        client = APIClient()
        client.force_authenticate(user)
        # when the PATCH runs
        response = client.patch(f"/api/products/{product.pk}/", {"stock": 8}, format="json")
    finally:
        product_versions_changed.disconnect(dispatch_uid="test-look-at-locks")

    # then it held the product's row and nothing else, and still answered with both slugs:
    # commands on other products of one brand or category do not wait for each other
    assert response.status_code == 200
    assert (response.json()["brand"], response.json()["category"]) == ("acme", "desks")
    assert locked == {"product": True, "brand": False, "category": False}
