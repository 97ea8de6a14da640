"""`/api/`, the API's entry point: a link to every resource that leads somewhere real, as JSON
to programs and as the browsable page to browsers."""

import pytest

from tests.api.test_browsable_api import BROWSER

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = "/api/"
RESOURCES = {
    "products": "/api/products/",
    "search": "/api/products/search/",
    "suggest": "/api/products/suggest/",
    "brands": "/api/brands/",
    "categories": "/api/categories/",
    "attributes": "/api/attributes/",
    "synonyms": "/api/synonyms/",
    "merchandising": "/api/merchandising/",
    "auth_token": "/api/auth/token/",
    "schema": "/api/schema/",
    "docs": "/api/docs/",
}


def test_the_root_links_every_resource_by_its_absolute_url(api):
    # when a client without an Accept header opens the root
    response = api.get(ROOT)

    # then it gets JSON naming every resource with its full URL
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {name: f"http://testserver{path}" for name, path in RESOURCES.items()}


def test_every_link_of_the_root_leads_to_its_resource(search_index, api):
    links = api.get(ROOT).json()

    # then following each one reaches an endpoint: the token endpoint only takes POST, search
    # and suggest need their `q`, staff configuration needs a sign-in, and everything else answers
    statuses = {name: api.get(url).status_code for name, url in links.items()}
    assert statuses == {
        "products": 200,
        "search": 400,
        "suggest": 400,
        "brands": 200,
        "categories": 200,
        "attributes": 401,
        "synonyms": 401,
        "merchandising": 401,
        "auth_token": 405,
        "schema": 200,
        "docs": 200,
    }


def test_a_browser_gets_the_root_as_the_browsable_page(api, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = api.get(ROOT, HTTP_ACCEPT=BROWSER)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Product catalog API" in page
    assert "http://testserver/api/categories/" in page


def test_the_root_is_not_an_operation_of_the_schema(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    assert ROOT not in schema["paths"]
