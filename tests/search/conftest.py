"""Helpers for the read-side tests: projecting what the services wrote into the real index
without a worker, and loading large demo catalogs straight into MySQL."""

from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from catalog import demo, services
from catalog.models import Category, Product
from projection import drain, maintenance
from search.client import get_client
from tests import factories
from tests.conftest import refresh

# Lines the relevance test leaves for the end of the run, so its figures show in every run's
# output, not only with -s or on failure.
relevance_report: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if relevance_report:
        terminalreporter.write_sep("-", "search relevance")
        for line in relevance_report:
            terminalreporter.write_line(line)


@pytest.fixture
def elasticsearch_at(settings) -> Iterator[Callable[..., None]]:
    """Points the read side at another address for one test (the client is cached per process,
    so it is rebuilt on the way in and out), with another query timeout when given one."""

    def point_at(url: str, *, query_timeout: float | None = None) -> None:
        settings.ELASTICSEARCH_URL = url
        if query_timeout is not None:
            settings.ELASTICSEARCH_QUERY_TIMEOUT = query_timeout
        get_client.cache_clear()

    yield point_at
    get_client.cache_clear()


def project() -> None:
    """Carry every pending outbox row into Elasticsearch now (the worker's job, done
    synchronously) and make it searchable."""
    result = drain.drain_outbox(max_batches=1000)
    assert result.failed == 0 and result.retry_in is None, result
    refresh()


def demo_categories() -> dict[str, Category]:
    """The demo category tree, created through the services; name → category."""
    categories: dict[str, Category] = {}
    for top, seconds in demo.CATEGORY_TREE:
        categories[top] = services.category_create(name=top)
        for second, leaves in seconds:
            categories[second] = services.category_create(name=second, parent=categories[top])
            for leaf in leaves:
                categories[leaf] = services.category_create(name=leaf, parent=categories[second])
    return categories


def load_demo_catalog(count: int, *, extra: Iterable[dict[str, Any]] = (), seed: int = 42) -> None:
    """`count` demo products plus the `extra` ones (demo-style dicts naming brand and category),
    bulk-inserted into MySQL and indexed with a rebuild, as an operator would after a bulk load
    (bulk_create bypasses the outbox). Far faster than going through the services one by one."""
    brands = {name: services.brand_create(name=name) for name in demo.BRANDS}
    categories = demo_categories()

    def row(item: dict[str, Any]) -> Product:
        fields = {"stock": 10, "tags": [], "attributes": {}, "is_active": True, "description": "", **item}
        brand, category = fields.pop("brand", None), fields.pop("category")
        fields["price"] = Decimal(fields["price"])
        return Product(**fields, brand=brands[brand] if brand else None, category=categories[category])

    items = [vars(product) for product in demo.demo_products(count, seed=seed)]
    Product.objects.bulk_create([row(item) for item in [*items, *extra]], batch_size=2000)
    services.default_variants_create()
    maintenance.rebuild()


@pytest.fixture
def shop(search_index: str) -> dict[str, Product]:
    """A small shop written through the services and projected into a fresh index: products by
    key, with every filterable property varied. Every description mentions "gear", so searching
    for it finds the whole (active) shop. `retired` is deleted, `trail` is inactive."""
    electronics = factories.category("Electronics")
    headphones = factories.category("Headphones", parent=factories.category("Audio", parent=electronics))
    keyboards = factories.category("Keyboards", parent=factories.category("Computers", parent=electronics))
    running_shoes = factories.category("Running Shoes", parent=factories.category("Sports"))
    acme, northwind = factories.brand("Acme"), factories.brand("Northwind")

    products = {
        "studio": factories.product(
            name="Acme Studio Headphones",
            brand=acme,
            category=headphones,
            price=Decimal("99.00"),
            stock=5,
            tags=["wireless", "sale"],
            attributes={"color": "black"},
            description="Closed-back studio gear with deep bass.",
        ),
        "travel": factories.product(
            name="Northwind Noise Cancelling Headphones",
            brand=northwind,
            category=headphones,
            price=Decimal("249.00"),
            stock=0,
            tags=["wireless"],
            attributes={"color": "white"},
            description="Travel gear that shuts out engine noise.",
        ),
        "mechanical": factories.product(
            name="Acme Mechanical Keyboard K1",
            brand=acme,
            category=keyboards,
            price=Decimal("49.50"),
            stock=12,
            tags=["wired"],
            attributes={"color": "black", "switch": "brown"},
            description="Desk gear with tactile switches.",
        ),
        "wireless": factories.product(
            name="Northwind Wireless Keyboard",
            brand=northwind,
            category=keyboards,
            price=Decimal("19.99"),
            stock=3,
            tags=["wireless", "sale"],
            attributes={"color": "white"},
            description="Quiet gear for shared offices.",
        ),
        "run": factories.product(
            name="Stride Run Shoe",
            category=running_shoes,
            price=Decimal("120.00"),
            stock=0,
            tags=["sale"],
            attributes={"color": "red"},
            description="Road gear for daily runs.",
        ),
        "trail": factories.product(
            name="Acme Trail Shoe",
            brand=acme,
            category=running_shoes,
            price=Decimal("80.00"),
            stock=7,
            is_active=False,
            description="Trail gear, no longer sold.",
        ),
        "retired": factories.product(
            name="Acme Retired Headphones",
            brand=acme,
            category=headphones,
            price=Decimal("10.00"),
            stock=1,
            description="Old gear.",
        ),
    }
    services.product_delete(product_id=products["retired"].pk)
    project()
    return products
