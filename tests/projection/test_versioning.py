"""The versioning rules of the projection, against a real Elasticsearch: no duplicate, late or
reordered write can regress a document, and deletes stay deleted past `index.gc_deletes`."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.utils import timezone

from catalog import services
from catalog.models import Product, ProductTombstone
from projection import drain, reading
from search import index, indexing, queries
from search.client import get_client
from tests import factories

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _document(product: Product) -> dict:
    return reading.build_documents({product.pk}, indexed_at=timezone.now())[product.pk]


def _held(product_id: int) -> dict | None:
    return queries.indexed_state(product_id=product_id)


def test_an_older_version_never_replaces_a_newer_one(search_index):
    product = factories.product(name="Version One")
    stale = _document(product)
    services.product_update(product_id=product.pk, changes={"name": "Version Two"})
    drain.drain_outbox()

    outcome = indexing.bulk_write([stale])

    assert outcome.errors == {}  # a conflict means "already newer": success, not an error
    assert outcome.newer_held == {product.pk: 2}
    assert _held(product.pk)["version"] == 2
    assert queries.get_product(product_id=product.pk)["name"] == "Version Two"


def test_duplicates_of_the_same_version_are_harmless(search_index):
    product = factories.product()
    drain.drain_outbox()
    document = _document(Product.objects.get(pk=product.pk))
    assert indexing.bulk_write([document, document]).errors == {}
    assert _held(product.pk)["version"] == 1


def test_a_stale_upsert_long_after_a_delete_does_not_resurrect_the_product(search_index):
    # given an index that forgets plain deletes after one second (the default is 60 s)
    get_client().indices.put_settings(index=search_index, settings={"index.gc_deletes": "1s"})
    product = factories.product(name="Gone For Good")
    stale = _document(product)
    drain.drain_outbox()

    services.product_delete(product_id=product.pk)
    drain.drain_outbox()
    assert ProductTombstone.objects.get(pk=product.pk).version == 2
    time.sleep(2.5)  # well past gc_deletes

    # when a stale upsert of version 1 arrives
    indexing.bulk_write([stale])
    get_client().indices.refresh(index=index.alias_name())

    # then the product stays deleted for get and search
    assert _held(product.pk) == {"version": 2, "indexed_at": _held(product.pk)["indexed_at"], "deleted": True}
    assert queries.get_product(product_id=product.pk) is None
    hits = get_client().search(index=index.alias_name(), query={"term": {"id": product.pk}})["hits"]["hits"]
    assert [hit["_source"].get("deleted") for hit in hits] == [True]


def test_a_renamed_brand_reaches_every_product_document_with_bumped_versions(search_index):
    brand = factories.brand("Nordlys")
    products = [factories.product(brand=brand) for _ in range(25)]
    drain.drain_outbox()

    services.brand_update(slug=brand.slug, changes={"name": "Nordlys Audio"})
    result = drain.drain_outbox()

    assert result.bulk_requests == 1  # one bulk request for all 25 documents, no task per product
    for product in products:
        document = queries.get_product(product_id=product.pk)
        assert document["brand"] == {"slug": "nordlys", "name": "Nordlys Audio"}
        assert document["version"] == 2


def test_moving_a_category_rewrites_the_path_of_the_products_below_it(search_index):
    electronics, home = factories.category("Electronics"), factories.category("Home")
    audio = factories.category("Audio", parent=electronics)
    speakers = factories.category("Speakers", parent=audio)
    product = factories.product(category=speakers)
    drain.drain_outbox()
    assert queries.get_product(product_id=product.pk)["category"]["path"] == [
        "Electronics",
        "Audio",
        "Speakers",
    ]

    services.category_update(slug=audio.slug, changes={"parent": home, "name": "Sound"})
    drain.drain_outbox()

    assert queries.get_product(product_id=product.pk)["category"] == {
        "slug": speakers.slug,
        "name": "Speakers",
        "path": ["Home", "Sound", "Speakers"],
    }


@contextmanager
def _committed_between_the_reads(change: Callable[[], object]) -> Iterator[None]:
    """Run `change` (its own committed transaction) right after the first of the statements a
    worker reads a document's product rows and category tree with, whichever comes first."""
    done: list[bool] = []

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        read_table = sql.split(" FROM ", 1)[-1].split()[0]
        if not done and read_table in ("`catalog_product`", "`catalog_category`"):
            done.append(True)
            change()
        return result

    with connection.execute_wrapper(wrapper):
        yield
    assert done, "the change was not injected"


def test_a_category_renamed_while_a_document_is_built_never_leaves_the_old_name_behind(search_index):
    # given an indexed product whose next change is waiting in the outbox
    lamps = factories.category("Lamps", parent=factories.category("Home"))
    product = factories.product(category=lamps)
    drain.drain_outbox()
    services.product_update(product_id=product.pk, changes={"stock": 9})

    # when a rename (which bumps the product's version) commits in the middle of building its
    # document, and the rest drains
    with _committed_between_the_reads(
        lambda: services.category_update(slug=lamps.slug, changes={"name": "Desk Lamps"})
    ):
        drain.drain_outbox()
    drain.drain_outbox()

    # then the index holds the newest version, and it carries the new name
    document = queries.get_product(product_id=product.pk)
    assert document["version"] == Product.objects.get(pk=product.pk).version == 3
    assert document["category"]["name"] == "Desk Lamps"
    assert document["category"]["path"] == ["Home", "Desk Lamps"]


def test_a_product_moved_out_of_a_category_deleted_mid_build_is_indexed_in_its_new_one(search_index):
    # given a pending change of a product in a category that is about to go
    home = factories.category("Home")
    old, new = factories.category("Old Shelf", parent=home), factories.category("New Shelf", parent=home)
    product = factories.product(category=old)

    def move_and_delete_the_old_category() -> None:
        services.product_update(product_id=product.pk, changes={"category": new})
        services.category_delete(slug=old.slug)

    # when the product moves and its old category is deleted while its document is built
    with _committed_between_the_reads(move_and_delete_the_old_category):
        result = drain.drain_outbox()
    drain.drain_outbox()

    # then nothing fails and the document is in the new category
    assert result.failed == 0
    document = queries.get_product(product_id=product.pk)
    assert document["version"] == 2
    assert document["category"]["slug"] == new.slug
