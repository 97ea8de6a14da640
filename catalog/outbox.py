"""The transactional outbox: every product change leaves a row in the same MySQL transaction,
and a projection task is requested only after that transaction commits.

Bulk changes (a brand renamed, a category moved) bump the version of every affected product and
record their outbox rows with one UPDATE and one INSERT ... SELECT, never a row at a time in Python.
"""

import logging
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from config.celery import app as celery_app

from .models import Brand, Category, OutboxEntry, Product, ProductTombstone

logger = logging.getLogger(__name__)

DRAIN_TASK = "tasks.projection.drain_outbox"


def request_projection() -> None:
    """Ask a worker to drain the outbox. A broker outage only delays the change: the relay on
    Celery beat re-requests every pending row, so the error is logged, never raised."""
    try:
        celery_app.send_task(DRAIN_TASK)
    except Exception as error:
        logger.warning("projection request not sent (%s); the outbox relay will deliver it", error)


def record_product_change(*, product_id: int, version: int) -> None:
    now = timezone.now()
    OutboxEntry.objects.create(product_id=product_id, version=version, committed_at=now, available_at=now)
    transaction.on_commit(request_projection)


def record_product_deletion(*, product: Product) -> None:
    """Keep the deleted product's last version, so no stale write can bring it back."""
    version = product.version + 1
    ProductTombstone.objects.update_or_create(
        product_id=product.pk,
        defaults={"sku": product.sku, "version": version, "deleted_at": timezone.now()},
    )
    record_product_change(product_id=product.pk, version=version)


def record_bulk_product_change(*, products: QuerySet[Product]) -> int:
    """Bump the version of every product in `products` and record an outbox row for each."""
    now = timezone.now()
    changed = products.update(version=F("version") + 1, updated_at=now)
    if not changed:
        return 0
    select_sql, select_params = products.values("id", "version").query.sql_with_params()
    table = OutboxEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (product_id, version, state, committed_at, available_at, "
            f"attempts, last_error) SELECT changed.id, changed.version, %s, %s, %s, 0, '' "
            f"FROM ({select_sql}) AS changed",
            [OutboxEntry.State.PENDING, now, now, *select_params],
        )
    transaction.on_commit(request_projection)
    return changed


def record_brand_change(*, brand: Brand) -> int:
    return record_bulk_product_change(products=Product.objects.filter(brand_id=brand.pk))


def record_category_change(*, category: Category) -> int:
    """A category's name and path appear in the documents of its products and of every product
    below it in the tree."""
    subtree = category_subtree_ids(category_id=category.pk)
    return record_bulk_product_change(products=Product.objects.filter(category_id__in=subtree))


def purge_done(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Forget changes indexed long ago (recent ones feed the admin's lag figures)."""
    cutoff = timezone.now() - older_than
    deleted, _ = OutboxEntry.objects.filter(state=OutboxEntry.State.DONE, processed_at__lt=cutoff).delete()
    return deleted


def category_subtree_ids(*, category_id: int) -> list[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Category.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    subtree, frontier = [category_id], [category_id]
    while frontier:
        frontier = [child for parent in frontier for child in children.get(parent, [])]
        subtree.extend(frontier)
    return subtree
