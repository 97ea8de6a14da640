"""Statements built once (shared.statements): run with other values, they load what the
queryset would, and the queryset is built at the first call only."""

from decimal import Decimal

import pytest

from catalog import services
from catalog.models import ProductVariant
from shared.statements import built_once
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_statement_built_once_loads_what_its_queryset_would_for_each_value():
    # given two products, each with a variant of options (JSON) and a price (decimal)
    first = services.product_create(
        sku="TEE",
        name="Tee",
        category=factories.category(),
        variants=[{"sku": "TEE-S", "options": {"size": "S"}, "price": Decimal("9.50"), "stock": 1}],
    )
    second = factories.product(sku="MUG-1", price=Decimal("4.25"))
    builds = []

    def variants_of_a_product():
        builds.append(1)
        return ProductVariant.objects.filter(product_id=0)

    variants_of = built_once(variants_of_a_product)

    # when it is run for each product
    loaded = {product.pk: list(variants_of(product.pk)) for product in (first, second)}

    # then each gets its own variants, as the queryset loads them, and it was built once
    assert loaded[first.pk] == list(ProductVariant.objects.filter(product=first))
    assert (loaded[first.pk][0].options, loaded[first.pk][0].price) == ({"size": "S"}, Decimal("9.50"))
    assert [variant.sku for variant in loaded[second.pk]] == ["MUG-1"]
    assert len(builds) == 1
