"""The API for people and for programs: a browser (asking for text/html) gets DRF's browsable
page, a client that sends no Accept header or asks for JSON gets JSON, errors included; and an
anonymous browser's page of a query is still answered without MySQL."""

import pytest

from catalog.models import Product
from tests import factories
from tests.search.conftest import project

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# What a browser sends when following a link.
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# Each query's URL, and what its page shows of the product in the index.
READS = [
    ("/api/products/", "Acme Studio Headphones"),
    ("/api/products/search/?q=gear", "Acme Studio Headphones"),
    ("/api/products/suggest/?q=acme", "Acme Studio Headphones"),
    ("/api/products/{product}/", "Acme Studio Headphones"),
    ("/api/brands/", "Acme"),
    ("/api/categories/", "Headphones"),
]


@pytest.fixture
def product(search_index: str) -> Product:
    """One product on sale, in the index."""
    headphones = factories.category("Headphones", parent=factories.category("Audio"))
    made = factories.product(
        name="Acme Studio Headphones", brand=factories.brand("Acme"), category=headphones, description="Gear."
    )
    project()
    return made


def _url(template: str, product: Product) -> str:
    return template.format(product=product.pk)


@pytest.mark.parametrize(("url", "shown"), READS)
def test_a_browser_gets_the_browsable_page_without_a_mysql_query(
    product, api, url, shown, django_assert_num_queries
):
    # given a product on sale; when an anonymous browser opens a query's URL
    with django_assert_num_queries(0):
        response = api.get(_url(url, product), HTTP_ACCEPT=BROWSER)

    # then it gets an HTML page showing the answer, built from Elasticsearch alone
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Django REST framework" in page
    assert shown in page


@pytest.mark.parametrize("accept", [None, "application/json", "*/*"])
@pytest.mark.parametrize("url", [url for url, _ in READS])
def test_programs_get_json(product, api, url, accept):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}

    response = api.get(_url(url, product), **headers)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()


def test_shared_caches_keep_the_page_and_the_json_apart(product, api):
    # given an answer that shared caches may keep
    response = api.get("/api/products/")

    # then it tells them that it depends on the Accept header
    assert response["Cache-Control"] == "public, max-age=5, stale-while-revalidate=10"
    assert "Accept" in response["Vary"]


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/api/products/999999/", 404),
        ("get", "/api/products/search/", 400),
        ("get", "/api/products/?is_active=all", 403),
        ("post", "/api/brands/", 401),
    ],
)
@pytest.mark.parametrize("accept", [None, "application/json"])
def test_errors_stay_json_for_programs(search_index, api, method, url, status, accept):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}

    response = getattr(api, method)(url, **headers)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()


def test_a_catalog_manager_browsing_a_collection_gets_its_create_form(product, api, staff_api):
    # when an anonymous visitor and a catalog manager open the brands in a browser
    anonymous = api.get("/api/brands/", HTTP_ACCEPT=BROWSER).content.decode()
    manager = staff_api.get("/api/brands/", HTTP_ACCEPT=BROWSER).content.decode()

    # then only the manager, who may create brands, is offered the form to post one
    assert 'name="_content"' not in anonymous
    assert 'name="_content"' in manager


@pytest.mark.parametrize("url", [url for url, _ in READS])
def test_the_format_parameter_picks_the_rendering(product, api, url):
    separator = "&" if "?" in url else "?"

    as_json = api.get(f"{_url(url, product)}{separator}format=json")
    as_page = api.get(f"{_url(url, product)}{separator}format=api")

    assert as_json.status_code == 200 and as_json["Content-Type"] == "application/json"
    assert as_page.status_code == 200 and as_page["Content-Type"].startswith("text/html")
