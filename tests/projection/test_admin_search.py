"""The product list's search box searches through Elasticsearch (typos, skus), best match
first, and falls back to MySQL with a visible notice when Elasticsearch is unreachable."""

import socket

import pytest

from search.client import get_client
from tests import factories
from tests.search.conftest import project

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CHANGELIST = "/admin/catalog/product/"


def _listed(page: str, *names: str) -> list[str]:
    """The given product names in the order the change list shows them."""
    return sorted((name for name in names if name in page), key=page.index)


@pytest.fixture
def catalog(search_index):
    products = {
        "keyboard": factories.product(name="Acme Mechanical Keyboard", sku="KB-MECH-1"),
        "keycaps": factories.product(name="Keycap Set for Mechanical Keyboards", sku="KC-SET-2"),
        "lamp": factories.product(name="Desk Lamp", sku="LAMP-3", is_active=False),
    }
    project()
    return products


def test_the_changelist_finds_a_product_by_a_misspelled_name(admin_client, api, catalog):
    # when staff search for a misspelled name
    page = admin_client.get(CHANGELIST, {"q": "mechanicl keybord"}).content.decode()

    # then both keyboards are listed, in the order the storefront search ranks them
    ranked = api.get("/api/products/search/", {"q": "mechanicl keybord"}).json()["results"]
    names = [product["name"] for product in ranked]
    assert sorted(names) == ["Acme Mechanical Keyboard", "Keycap Set for Mechanical Keyboards"]
    assert _listed(page, *names, "Desk Lamp") == names
    assert "Elasticsearch is unreachable" not in page


def test_the_changelist_finds_skus_and_inactive_products(admin_client, catalog):
    # staff look after inactive products too, and search them by sku
    page = admin_client.get(CHANGELIST, {"q": "LAMP-3"}).content.decode()

    assert _listed(page, "Acme Mechanical Keyboard", "Desk Lamp") == ["Desk Lamp"]


def test_the_changelist_falls_back_to_mysql_with_a_notice_when_elasticsearch_is_down(
    admin_client, catalog, settings
):
    # given Elasticsearch unreachable (the client pointed at a port that refuses connections)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = settings.ELASTICSEARCH_URL
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{port}"
    get_client.cache_clear()
    try:
        # when staff search
        page = admin_client.get(CHANGELIST, {"q": "keyboard"}).content.decode()
        misspelled = admin_client.get(CHANGELIST, {"q": "keybord"}).content.decode()
    finally:
        settings.ELASTICSEARCH_URL = url
        get_client.cache_clear()

    # then MySQL answers the plain match, not the typo, and the page says why
    assert "Elasticsearch is unreachable: this search ran in MySQL" in page
    assert _listed(page, "Acme Mechanical Keyboard", "Keycap Set", "Desk Lamp") == [
        "Acme Mechanical Keyboard",
        "Keycap Set",
    ] or _listed(page, "Acme Mechanical Keyboard", "Keycap Set") == ["Keycap Set", "Acme Mechanical Keyboard"]
    assert "Desk Lamp" not in page
    assert "Acme Mechanical Keyboard" not in misspelled


def test_a_search_longer_than_the_storefront_allows_is_cut_to_its_length_with_a_notice(admin_client, catalog):
    # given a search term of thousands of letters (a word that long made Elasticsearch's fuzzy
    # matching need more memory than its circuit breaker allows)
    term = "keyboard" * 700

    # when staff search for it
    response = admin_client.get(CHANGELIST, {"q": term})

    # then Elasticsearch answers the first 256 characters, and the page says so
    page = response.content.decode()
    assert response.status_code == 200
    assert "Searched for the first 256 characters only" in page
    assert "Elasticsearch is unreachable" not in page
