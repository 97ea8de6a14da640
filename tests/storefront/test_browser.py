"""The storefront in a real browser (headless Chromium), against the live server, the real
Celery worker and Elasticsearch: what a shopper types, clicks and sees."""

import re
import socket
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from rest_framework.authtoken.models import Token

from catalog import services
from catalog.models import Category
from search.client import get_client
from tests import factories
from tests.conftest import refresh, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# How the pages join the names of a category path.
IN = " \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK}"

# name, brand, category, price, stock
PRODUCTS = [
    ("Thunderclap Mechanical Keyboard", "Acme", "Keyboards", "89.00", 5),
    ("Whisper Membrane Keyboard", "Zorg", "Keyboards", "25.00", 0),
    ("Featherlight Wireless Mouse", "Zorg", "Mice", "19.99", 12),
    ("Mechanical Pencil Set", "Initech", "Stationery", "7.50", 10),
    ("Mechanical Watch Winder", "Initech", "Stationery", "120.00", 0),
    ("Arctic Down Sleeping Bag", "Acme", "Sleeping Bags", "249.00", 3),
]


@pytest.fixture
def catalog(celery_worker, search_index, api) -> dict[str, int]:
    """The products above, created through the services and projected by the worker; name → id."""
    computers = factories.category("Computers")
    office = factories.category("Office")
    outdoors = factories.category("Outdoors")
    categories = {
        "Keyboards": factories.category("Keyboards", parent=computers),
        "Mice": factories.category("Mice", parent=computers),
        "Stationery": factories.category("Stationery", parent=office),
        "Sleeping Bags": factories.category("Sleeping Bags", parent=outdoors),
    }
    brands = {name: factories.brand(name) for name in ("Acme", "Zorg", "Initech")}
    ids = {
        name: factories.product(
            name=name, brand=brands[brand], category=categories[category], price=Decimal(price), stock=stock
        ).pk
        for name, brand, category, price, stock in PRODUCTS
    }

    def all_indexed() -> bool:
        refresh()
        return api.get("/api/products/").json()["count"] == len(PRODUCTS)

    wait_until(all_indexed, timeout=20)
    return ids


def result_names(page: Page):
    return page.locator("#results .result-name")


def facet_option(page: Page, facet: str, label: str):
    return page.locator(f"#facet-{facet} li").filter(
        has=page.locator(":scope > label .facet-label", has_text=re.compile(f"^{re.escape(label)}$"))
    )


def test_a_misspelled_query_typed_in_the_box_shows_the_intended_product_first(live_server, page, catalog):
    page.goto(live_server.url)
    expect(page.locator("#result-summary")).to_have_text("6 products")

    page.locator("#q").press_sequentially("thundreclap keybord", delay=20)

    expect(page.locator("#result-summary")).to_have_text("1 product for “thundreclap keybord”")
    first = page.locator("#results .result").first
    expect(first.locator(".result-name")).to_have_text("Thunderclap Mechanical Keyboard")
    expect(first.locator(".price")).to_have_text("$89.00")
    expect(first.locator(".stock")).to_have_text("Only 5 left")
    expect(first.locator(".result-category")).to_have_text(f"Computers{IN} Keyboards")
    assert "q=thundreclap+keybord" in page.url
    assert page.console_errors == []


def test_a_query_that_finds_nothing_shows_its_correction_and_offers_the_words_typed(
    live_server, page, catalog
):
    # given a query whose misspelt first letter no typo tolerance forgives
    page.goto(f"{live_server.url}/?q=hunderclap")

    # then the page shows the products of the catalog's own word, and says so
    expect(page.locator("#result-summary")).to_have_text("1 product for “thunderclap”")
    expect(result_names(page)).to_have_text(["Thunderclap Mechanical Keyboard"])
    expect(page.locator("#showing-results-for strong")).to_have_text("thunderclap")

    # when the shopper insists on the words typed
    typed = page.locator("#showing-results-for a")
    expect(typed).to_have_text("hunderclap")
    typed.click()

    # then the search finds nothing, and offers the correction as "did you mean"
    expect(page.locator("#result-summary")).to_have_text(
        "0 products for “hunderclap”. Try fewer words or fewer filters."
    )
    expect(page.locator("#showing-results-for")).to_be_hidden()
    expect(page.locator("#did-you-mean a")).to_have_text("thunderclap")
    assert "autocorrect=false" in page.url

    # when the shopper takes the suggestion after all
    page.locator("#did-you-mean a").click()

    # then the search is for the catalog's word, with corrections on again
    expect(page.locator("#result-summary")).to_have_text("1 product for “thunderclap”")
    expect(page.locator("#did-you-mean")).to_be_hidden()
    assert "q=thunderclap" in page.url and "autocorrect" not in page.url
    assert page.console_errors == []


def test_a_query_no_product_matches_whole_shows_those_with_most_of_its_words(live_server, page, catalog):
    # given a query in a shopper's words, more than any product has
    page.goto(f"{live_server.url}/?q=wireless+mouse+for+my+laptop")

    # then the page shows the product with most of them, and says so
    expect(page.locator("#result-summary")).to_have_text("1 product for “wireless mouse for my laptop”")
    expect(result_names(page)).to_have_text(["Featherlight Wireless Mouse"])
    expect(page.locator("#matched-most-words")).to_be_visible()

    # when the shopper asks for every word
    page.locator("#matched-most-words a").click()

    # then nothing has them all, and the notice is gone
    expect(page.locator("#result-summary")).to_have_text(
        "0 products for “wireless mouse for my laptop”. Try fewer words or fewer filters."
    )
    expect(page.locator("#matched-most-words")).to_be_hidden()
    assert "autocorrect=false" in page.url
    assert page.console_errors == []


def test_suggestions_as_you_type_lead_to_the_product_page(live_server, page, catalog):
    page.goto(live_server.url)

    page.locator("#q").press_sequentially("arct", delay=20)

    suggestion = page.locator("#suggestions [role=option]")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_contain_text("Arctic Down Sleeping Bag")
    expect(suggestion).to_contain_text("Acme · Sleeping Bags")
    page.locator("#q").press("ArrowDown")
    page.locator("#q").press("Enter")

    expect(page).to_have_url(f"{live_server.url}/products/{catalog['Arctic Down Sleeping Bag']}/")
    expect(page.locator("h1")).to_have_text("Arctic Down Sleeping Bag")
    expect(page.locator(".product-buy .price")).to_have_text("$249.00")
    expect(page.locator(".product-buy .stock")).to_have_text("Only 3 left")
    expect(page.locator(".breadcrumbs")).to_have_text(f"Outdoors{IN} Sleeping Bags")
    expect(page.locator(".product-brand")).to_have_text("by Acme")
    assert page.title() == "Arctic Down Sleeping Bag"
    assert page.console_errors == []


def test_facets_refine_the_results_and_their_counts(live_server, page, catalog):
    page.goto(f"{live_server.url}/?q=mechanical")
    expect(page.locator("#result-summary")).to_have_text("3 products for “mechanical”")
    expect(result_names(page).first.locator("mark").first).to_have_text(re.compile("mechanical", re.I))
    expect(facet_option(page, "brand", "Initech").locator(".facet-count").first).to_have_text("(2)")
    expect(facet_option(page, "brand", "Acme").locator(".facet-count").first).to_have_text("(1)")
    expect(facet_option(page, "category", "Computers").locator(".facet-count").first).to_have_text("(1)")
    expect(facet_option(page, "category", "Stationery").locator(".facet-count").first).to_have_text("(2)")
    expect(facet_option(page, "stock", "In stock only").locator(".facet-count")).to_have_text("(2)")

    facet_option(page, "brand", "Initech").get_by_role("checkbox").check()

    expect(page.locator("#result-summary")).to_have_text("2 products for “mechanical”")
    expect(result_names(page)).to_have_count(2)
    assert sorted(result_names(page).all_inner_texts()) == [
        "Mechanical Pencil Set",
        "Mechanical Watch Winder",
    ]
    expect(facet_option(page, "category", "Computers")).to_have_count(0)
    expect(facet_option(page, "stock", "In stock only").locator(".facet-count")).to_have_text("(1)")
    # The brand facet still offers the other brands, counted without its own choice.
    expect(facet_option(page, "brand", "Acme").locator(".facet-count").first).to_have_text("(1)")

    facet_option(page, "price", "Under 25").get_by_role("radio").check()

    expect(page.locator("#result-summary")).to_have_text("1 product for “mechanical”")
    expect(result_names(page)).to_have_text(["Mechanical Pencil Set"])
    assert "brand=initech" in page.url and "max_price=24.99" in page.url
    assert page.console_errors == []


@pytest.fixture
def jackets(celery_worker, search_index, api, settings) -> None:
    """Jackets in colours and sizes (variants), of a material and a length (attributes), with
    the names and labels staff gave them, projected and published by the worker."""
    settings.SEARCH_CONFIGURATION_CACHE_SECONDS = 0
    services.attribute_create(
        code="material", name="Material", type="enum", choices=["wool", "cotton"],
        choice_labels={"wool": "Wool", "cotton": "Cotton"},
    )  # fmt: skip
    services.attribute_create(code="length", name="Length", type="number", unit="cm")
    services.attribute_create(
        code="color", name="Colour", type="enum", choices=["blue", "red", "green"],
        choice_labels={"blue": "Blue", "red": "Red", "green": "Green"},
    )  # fmt: skip
    category = factories.category("Jackets")
    for key, material, length, options in [
        ("A", "wool", 70, [("blue", "M"), ("red", "L")]),
        ("B", "cotton", 75, [("blue", "L")]),
        ("C", "wool", 80, [("green", "M")]),
    ]:
        services.product_create(
            sku=f"J-{key}",
            name=f"Trail Jacket {key}",
            category=category,
            attributes={"material": material, "length": length},
            variants=[
                {
                    "sku": f"J-{key}-{color}-{size}",
                    "options": {"color": color, "size": size},
                    "price": Decimal(90),
                }
                for color, size in options
            ],
        )

    def labelled_and_indexed() -> bool:
        refresh()
        facets = api.get("/api/products/search/", {"q": "trail jacket"}).json()["facets"]
        return facets["option_names"].get("color") == "Colour" and len(facets["attributes"]) == 2

    wait_until(labelled_and_indexed, timeout=20)


def described_facet(page: Page, name: str):
    return page.locator(f"#facets-described section[data-filter='{name}']")


def test_option_and_attribute_facets_are_named_by_staff_and_refine_the_results(live_server, page, jackets):
    # given a search for the jackets, whose facets show their option axes and attributes
    page.goto(f"{live_server.url}/?q=trail+jacket")
    expect(page.locator("#result-summary")).to_have_text("3 products for “trail jacket”")
    colour = described_facet(page, "option.color")
    expect(colour.locator("h3")).to_have_text("Colour")
    expect(colour.locator(".facet-label")).to_have_text(["Blue", "Green", "Red"])
    expect(described_facet(page, "option.size").locator("h3")).to_have_text("size")
    material = described_facet(page, "attr.material")
    expect(material.locator("h3")).to_have_text("Material")
    expect(material.locator("li", has_text="Wool").locator(".facet-count")).to_have_text("(2)")
    expect(described_facet(page, "attr.length").locator("h3")).to_have_text("Length (cm)")

    # when the shopper chooses blue
    colour.locator("li", has_text="Blue").get_by_role("checkbox").check()

    # then two jackets have a blue variant, and the materials count them
    expect(page.locator("#result-summary")).to_have_text("2 products for “trail jacket”")
    expect(material.locator("li", has_text="Wool").locator(".facet-count")).to_have_text("(1)")
    expect(material.locator("li", has_text="Cotton").locator(".facet-count")).to_have_text("(1)")
    assert "option.color=blue" in page.url

    # when the shopper also chooses the shortest length bucket
    described_facet(page, "attr.length").get_by_role("checkbox").first.check()

    # then only the 70 cm jacket is left, and "Clear all" undoes every choice
    expect(result_names(page)).to_have_text(["Trail Jacket A"])
    assert "attr.length__gte=70" in page.url
    page.locator("#clear-filters").click()
    expect(page.locator("#result-summary")).to_have_text("3 products for “trail jacket”")
    assert "option.color" not in page.url and "attr.length" not in page.url
    assert page.console_errors == []


def test_sorting_and_paging_follow_the_apis_links(live_server, page, catalog):
    page.goto(f"{live_server.url}/?q=mechanical&page_size=2")
    expect(result_names(page)).to_have_count(2)

    page.locator("#ordering").select_option("price")

    expect(result_names(page)).to_have_text(["Mechanical Pencil Set", "Thunderclap Mechanical Keyboard"])
    expect(page.locator("#previous-page")).to_be_hidden()
    page.locator("#next-page").click()
    expect(result_names(page)).to_have_text(["Mechanical Watch Winder"])
    expect(page.locator("#next-page")).to_be_hidden()
    assert "cursor=" in page.url and "ordering=price" in page.url

    page.go_back()
    expect(result_names(page)).to_have_text(["Mechanical Pencil Set", "Thunderclap Mechanical Keyboard"])
    page.locator("#ordering").select_option("-price")
    expect(result_names(page).first).to_have_text("Mechanical Watch Winder")
    assert page.console_errors == []


def test_a_product_created_through_the_api_appears_on_the_page(live_server, page, catalog):
    token = Token.objects.create(user=factories.user(*factories.CATALOG_PERMISSIONS)).key
    page.goto(f"{live_server.url}/?q=lantern")
    expect(page.locator("#result-summary")).to_have_text(
        "0 products for “lantern”. Try fewer words or fewer filters."
    )

    created = page.request.post(
        f"{live_server.url}/api/products/",
        headers={"Authorization": f"Token {token}"},
        data={
            "sku": "LANTERN-1",
            "name": "Glowworm Camping Lantern",
            "category": "sleeping-bags",
            "price": "34.50",
        },
    )
    assert created.status == 201, created.text()

    def shown_after_searching_again() -> bool:
        page.locator("#q").press("Enter")
        expect(page.locator("#results")).not_to_have_attribute("aria-busy", "true")
        return result_names(page).all_inner_texts() == ["Glowworm Camping Lantern"]

    wait_until(shown_after_searching_again, timeout=15, interval=0.5)
    expect(page.locator("#results .price")).to_have_text("$34.50")
    expect(facet_option(page, "category", "Outdoors").locator(".facet-count").first).to_have_text("(1)")
    result_names(page).get_by_role("link").click()
    expect(page.locator("h1")).to_have_text("Glowworm Camping Lantern")
    assert page.console_errors == []


@pytest.fixture
def elasticsearch_down(settings):
    """Points the server's read side at a local port nothing listens on, as if Elasticsearch had
    stopped; `elasticsearch_down.restore()` brings it back."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    running = settings.ELASTICSEARCH_URL

    class Switch:
        @staticmethod
        def stop() -> None:
            settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{dead_port}"
            get_client.cache_clear()

        @staticmethod
        def restore() -> None:
            settings.ELASTICSEARCH_URL = running
            get_client.cache_clear()

    yield Switch
    Switch.restore()


def test_search_unavailable_shows_a_clear_message_and_recovers(
    live_server, page, catalog, elasticsearch_down
):
    elasticsearch_down.stop()

    page.goto(f"{live_server.url}/?q=keyboard")

    message = page.get_by_role("alert")
    expect(message).to_be_visible()
    expect(message).to_have_text(
        "Search is unavailable right now. We are on it; please try again in a minute."
    )
    expect(page.locator("#results .result")).to_have_count(0)

    page.goto(f"{live_server.url}/products/{catalog['Thunderclap Mechanical Keyboard']}/")
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("h1")).to_be_hidden()

    elasticsearch_down.restore()
    page.goto(f"{live_server.url}/?q=keyboard")
    expect(page.locator("#result-summary")).to_have_text("2 products for “keyboard”")
    expect(page.get_by_role("alert")).to_be_hidden()
    # The browser logs each 503 it was answered; the page's own script raised nothing.
    assert [
        error for error in page.console_errors if not error.startswith("console: Failed to load resource")
    ] == []


def test_markup_in_product_text_is_shown_as_text_never_run(live_server, page, catalog, api):
    # given a product whose name and description carry markup (highlights come back unescaped)
    name = '<img src=x onerror="window.injected = true"> Lantern'
    factories.product(
        name=name,
        description="<script>window.injected = true</script> A lantern for the tent.",
        category=Category.objects.get(slug="sleeping-bags"),
    )

    def indexed() -> bool:
        refresh()
        return api.get("/api/products/").json()["count"] == len(PRODUCTS) + 1

    wait_until(indexed, timeout=20)

    page.goto(f"{live_server.url}/?q=lantern")

    result = page.locator("#results .result")
    expect(result.locator(".result-name")).to_have_text(name)
    expect(result.locator(".result-name mark")).to_have_text("Lantern")
    expect(result.locator(".result-description")).to_contain_text("<script>window.injected = true</script>")
    assert page.locator("#results img, #results script").count() == 0
    assert page.evaluate("window.injected") is None
    assert page.console_errors == []
