"""Two writers racing on the same product with the same If-Match: exactly one wins."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from catalog.models import Product
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
