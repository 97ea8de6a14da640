"""The storefront's pages as the server sends them: open to anonymous visitors, served without a
query of their own (the browser asks the public API), pointing at the API's real URLs, and
loading nothing from outside the service."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

PAGES = ["/", "/products/42/"]
STATIC_FILES = ["common.js", "search.js", "product.js", "storefront.css", "favicon.svg"]


def _json_script(html: str, element_id: str):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no #{element_id} in the page"
    return json.loads(match.group(1))


def test_the_search_page_names_the_public_query_api_and_needs_no_database(client):
    # No django_db mark: any query of MySQL would fail the test.
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert _json_script(html, "storefront-api") == {
        "search": "/api/products/search/",
        "list": "/api/products/",
        "suggest": "/api/products/suggest/",
        "categories": "/api/categories/",
        "brands": "/api/brands/",
    }
    assert _json_script(html, "storefront-product-page") == "/products/{id}/"
    assert 'role="search"' in html and 'id="unavailable"' in html


def test_the_product_page_names_its_products_api_url(client):
    response = client.get("/products/42/")

    assert response.status_code == 200
    assert _json_script(response.content.decode(), "storefront-api") == {"product": "/api/products/42/"}


def test_a_product_page_url_needs_a_numeric_id(client):
    assert client.get("/products/abc/").status_code == 404


@pytest.mark.parametrize("url", PAGES)
def test_pages_load_nothing_from_other_hosts(client, url):
    html = client.get(url).content.decode()

    external = re.findall(r'(?:src|href)="((?:https?:)?//[^"]*)"', html)
    assert external == []


@pytest.mark.parametrize("name", STATIC_FILES)
def test_the_pages_files_are_served_locally(client, name):
    assert finders.find(f"storefront/{name}"), name
    response = client.get(f"/static/storefront/{name}")

    assert response.status_code == 200


def test_the_site_icon_is_where_browsers_look_for_it(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/storefront/favicon.svg"


@pytest.mark.django_db
def test_the_admins_view_site_link_leads_to_the_storefront(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    assert '<a href="/">View site</a>' in html
