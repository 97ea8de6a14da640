"""`GET /api/brands/` and `GET /api/categories/` against a real Elasticsearch: what a storefront
sees of the brands and the category tree of the products on sale, counted from the read side
alone, at the URLs the brand and category commands share."""

import pytest

from catalog import services
from tests import factories
from tests.search.conftest import project

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BRANDS = "/api/brands/"
CATEGORIES = "/api/categories/"


def _leaf(slug: str, name: str, count: int) -> dict:
    return {"slug": slug, "name": name, "count": count, "children": []}


# The `shop` fixture's tree: its inactive trail shoe and deleted headphones are not counted.
SHOP_TREE = [
    {
        "slug": "electronics",
        "name": "Electronics",
        "count": 4,
        "children": [
            {
                "slug": "audio",
                "name": "Audio",
                "count": 2,
                "children": [_leaf("headphones", "Headphones", 2)],
            },
            {
                "slug": "computers",
                "name": "Computers",
                "count": 2,
                "children": [_leaf("keyboards", "Keyboards", 2)],
            },
        ],
    },
    {
        "slug": "sports",
        "name": "Sports",
        "count": 1,
        "children": [_leaf("running-shoes", "Running Shoes", 1)],
    },
]


# --- brands ---------------------------------------------------------------------------------------


def test_brands_lists_each_brand_with_its_active_products_by_name(shop, api):
    # given the shop, whose Acme also has an inactive and a deleted product
    # when an anonymous client lists the brands
    response = api.get(BRANDS)

    # then each brand shows with the number of products on sale
    assert response.status_code == 200
    assert response.json() == {
        "brands": [
            {"slug": "acme", "name": "Acme", "count": 2},
            {"slug": "northwind", "name": "Northwind", "count": 2},
        ]
    }


def test_a_brand_without_products_on_sale_is_not_listed(shop, api):
    # given a brand with only an inactive product, one with a deleted one and one with none
    dormant, gone = factories.brand("Dormant"), factories.brand("Gone")
    factories.brand("Empty")
    factories.product(brand=dormant, is_active=False)
    services.product_delete(product_id=factories.product(brand=gone).pk)
    project()

    # when the brands are listed
    listed = [brand["slug"] for brand in api.get(BRANDS).json()["brands"]]

    # then none of them is
    assert listed == ["acme", "northwind"]


def test_brands_are_sorted_by_name_not_by_count(shop, api):
    # given a brand whose name sorts first, with one product (fewer than the others)
    factories.product(brand=factories.brand("aardvark"), name="Aardvark Mug")
    project()

    # when the brands are listed
    brands = api.get(BRANDS).json()["brands"]

    # then it comes first: by name, ignoring case
    assert [(brand["name"], brand["count"]) for brand in brands] == [
        ("aardvark", 1),
        ("Acme", 2),
        ("Northwind", 2),
    ]


def test_a_renamed_brand_is_listed_under_its_new_name(shop, api):
    # given Acme renamed to Acme Audio, and the change projected
    services.brand_update(slug="acme", changes={"name": "Acme Audio"})
    project()

    # when the brands are listed
    brands = api.get(BRANDS).json()["brands"]

    # then it shows its new name with the same products
    assert {"slug": "acme", "name": "Acme Audio", "count": 2} in brands


# --- categories -------------------------------------------------------------------------------


def test_the_category_tree_counts_each_categorys_products_and_those_below_it(shop, api):
    # given the shop; when an anonymous client reads the category tree
    response = api.get(CATEGORIES)

    # then each category shows under its parent, counting the products on sale in it and below
    assert response.status_code == 200
    assert response.json() == {"categories": SHOP_TREE}


def test_a_product_directly_in_a_parent_counts_there_and_in_its_ancestors_only(shop, api):
    # given a product placed in Audio itself, not in one of its children
    factories.product(name="Cable", category=shop["studio"].category.parent)
    project()

    # when the tree is read
    (electronics, _) = api.get(CATEGORIES).json()["categories"]

    # then Audio and Electronics count it, Headphones does not
    audio_node = electronics["children"][0]
    assert (electronics["count"], audio_node["count"]) == (5, 3)
    assert audio_node["children"] == [_leaf("headphones", "Headphones", 2)]


def test_categories_without_products_on_sale_are_not_in_the_tree(shop, api):
    # given an empty category, and one below Sports whose only product is inactive
    factories.category("Garden")
    cycling = factories.category("Cycling", parent=shop["run"].category.parent)
    factories.product(category=cycling, is_active=False)
    project()

    # when the tree is read
    tree = api.get(CATEGORIES).json()["categories"]

    # then neither is in it
    assert tree == SHOP_TREE


def test_a_moved_category_shows_under_its_new_parent_with_its_counts(shop, api):
    # given Computers moved from Electronics to the top of the tree
    services.category_update(slug="computers", changes={"parent": None})
    project()

    # when the tree is read
    tree = api.get(CATEGORIES).json()["categories"]

    # then it is a top category, and Electronics no longer counts its products
    assert [(node["slug"], node["count"]) for node in tree] == [
        ("computers", 2),
        ("electronics", 2),
        ("sports", 1),
    ]
    assert [child["slug"] for child in tree[1]["children"]] == ["audio"]


# --- both -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [BRANDS, CATEGORIES])
def test_anonymous_reads_are_answered_from_elasticsearch_alone(shop, api, url, django_assert_num_queries):
    # given the shop; when an anonymous client reads the brands or categories
    with django_assert_num_queries(0):
        response = api.get(url)

    # then no MySQL query was made, and shared caches may keep the answer briefly
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=5, stale-while-revalidate=10"


@pytest.mark.parametrize("url", [BRANDS, CATEGORIES])
def test_signed_in_reads_are_private(shop, staff_api, url):
    response = staff_api.get(url)

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize("url", [BRANDS, CATEGORIES])
def test_an_empty_catalog_has_no_brands_or_categories(search_index, api, url):
    body = api.get(url).json()

    assert body in ({"brands": []}, {"categories": []})


@pytest.mark.parametrize(("url", "body"), [(BRANDS, {"name": "Zenith"}), (CATEGORIES, {"name": "Garden"})])
def test_the_shared_urls_still_take_create_commands(search_index, api, staff_api, url, body):
    # when an anonymous client and a catalog manager post a new brand or category
    anonymous = api.post(url, body, format="json")
    staff = staff_api.post(url, body, format="json")

    # then only the manager's is created
    assert anonymous.status_code == 401
    assert staff.status_code == 201
    assert staff.json()["slug"] == body["name"].lower()
