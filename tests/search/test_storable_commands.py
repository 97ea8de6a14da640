"""Property: every product a command accepts becomes searchable at its version. Hypothesis
writes products with arbitrary (valid) text, numbers at their limits and odd attribute keys
through the API; each one the API accepts must reach Elasticsearch and read back as written."""

from decimal import Decimal
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog import validators
from tests import factories
from tests.search.conftest import project

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TEXT = st.characters(exclude_categories=("Cc", "Cs"))
skus = count(1)


def _text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(TEXT, min_size=1, max_size=max_size).filter(lambda text: text.strip() == text and text)


bodies = st.fixed_dictionaries(
    {
        "name": _text(200),
        "description": st.text(st.one_of(TEXT, st.sampled_from("\n\t")), max_size=300),
        "price": st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2),
        "stock": st.integers(min_value=0, max_value=validators.MAX_STOCK),
        "tags": st.lists(_text(validators.MAX_TAG_LENGTH), max_size=5, unique=True),
        "attributes": st.dictionaries(_text(validators.MAX_ATTRIBUTE_KEY_LENGTH), _text(100), max_size=4),
    }
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies)
def test_an_accepted_product_reads_back_from_search_as_written(staff_api, api, search_index, body):
    category = factories.category()
    sent = {**body, "sku": f"PROP-{next(skus)}", "category": category.slug, "price": str(body["price"])}

    response = staff_api.post("/api/products/", sent, format="json")

    assert response.status_code == 201, response.json()
    project()
    shown = api.get(f"/api/products/{response.json()['id']}/")
    assert shown.status_code == 200
    product = shown.json()
    assert product["version"] == 1
    # text fields are trimmed, as DRF trims them
    assert (product["name"], product["description"]) == (body["name"], body["description"].strip())
    assert (product["stock"], product["tags"], product["attributes"]) == (
        body["stock"],
        body["tags"],
        body["attributes"],
    )
    assert Decimal(product["price"]) == body["price"]
