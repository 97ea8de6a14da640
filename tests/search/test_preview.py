"""The admin's search preview: ranked results with scores, highlights, the synonyms that
applied and Elasticsearch's explanation of each score; staff only."""

import pytest

from catalog import services
from projection import search_configuration
from tests import factories
from tests.search.conftest import project

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PREVIEW = "/admin/search-preview/"


def test_the_preview_shows_ranked_results_synonyms_and_why_each_matched(admin_client, search_index, settings):
    settings.SEARCH_CONFIGURATION_CACHE_SECONDS = 0
    # given a television, and a rule that makes "tv" find televisions
    factories.product(name="Northwind Television 55", description="A <b>bright</b> screen.")
    factories.product(name="Acme Radio")
    services.synonym_create(rule="tv, television")
    search_configuration.publish()
    project()

    # when staff preview a search for "tv"
    page = admin_client.get(PREVIEW, {"q": "tv"}).content.decode()

    # then they see the synonym that applied, the television with its score and highlight,
    # and the explanation of its score
    assert "Synonym rules also searched for:" in page and "<strong>television</strong>" in page
    assert "Northwind Television 55" in page and "Acme Radio" not in page
    assert "score <strong>" in page
    assert "<em>Television</em>" in page
    assert "Why it matched" in page and "weight(" in page


def test_the_preview_shows_the_correction_shoppers_are_offered(admin_client, search_index):
    # given headphones
    factories.product(name="Studio Headphones")
    project()

    # when staff preview a misspelling that finds nothing
    page = admin_client.get(PREVIEW, {"q": "hedfones"}).content.decode()

    # then they see what shoppers get instead, and can preview it
    assert "Nothing matches." in page
    assert "Shoppers are offered the correction <strong>headphones</strong>" in page
    assert "shown in place of this search" in page and 'href="?q=headphones"' in page
    # and a search that finds enough offers none
    assert "Shoppers are offered" not in admin_client.get(PREVIEW, {"q": "headphones"}).content.decode()


def test_the_preview_shows_the_products_with_most_of_the_words_as_shoppers_see_them(
    admin_client, search_index
):
    # given headphones
    factories.product(name="Studio Headphones")
    project()

    # when staff preview a sentence no product has every word of
    page = admin_client.get(PREVIEW, {"q": "quiet studio headphones for my office"}).content.decode()

    # then they see the products shoppers get, and why
    assert "Studio Headphones" in page and "score <strong>" in page
    assert "shoppers see the products with most of the words" in page
    # and a search that matches every word says nothing of it
    assert (
        "shoppers see the products with most"
        not in admin_client.get(PREVIEW, {"q": "studio"}).content.decode()
    )


def test_the_preview_escapes_product_text(admin_client, search_index):
    factories.product(name="Lamp <script>alert(1)</script>")
    project()

    page = admin_client.get(PREVIEW, {"q": "lamp"}).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_the_preview_is_for_staff_only(client, db):
    # a signed-in shopper (not staff) is sent to the admin's sign-in page
    client.force_login(factories.user())

    response = client.get(PREVIEW, {"q": "tv"})

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_admin_home_links_to_the_search_tools(admin_client):
    page = admin_client.get("/admin/").content.decode()

    assert f'href="{PREVIEW}"' in page and 'href="/admin/analytics/searchrecord/"' in page
