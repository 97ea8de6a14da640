"""Statements built once (shared.statements): run with other values, they load what the
queryset would, and the queryset is built at the first call only; an instance written back is
stored as save() stores it."""

from decimal import Decimal

import pytest
from django.db import DatabaseError
from django.forms.models import model_to_dict

from catalog import services
from catalog.models import Product, ProductVariant
from shared.statements import built_once, write_back
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


def test_an_instance_written_back_is_stored_as_save_stores_it():
    # given two like products, each loaded from the database
    brand, category = factories.brand(), factories.category()
    twins = [
        factories.product(sku=f"TWIN-{n}", name="Twin", brand=brand, category=category, tags=["a"])
        for n in (1, 2)
    ]
    saved, written = [Product.objects.get(pk=twin.pk) for twin in twins]
    stamped_before = written.updated_at

    # when each gets the same changes to fields of every kind (JSON, decimal, a foreign key
    # cleared, text, integer), one stored by save() and the other written back
    for product in (saved, written):
        product.attributes = {"color": "grün", "size": [1, 2]}
        product.tags = []
        product.price = Decimal("12.30")
        product.brand = None
        product.description = "Neu"
        product.version += 1
    saved.save()
    write_back(written)

    # then the two rows hold the same values, and the written one's updated_at was stamped anew
    def stored(product: Product) -> dict:
        return model_to_dict(Product.objects.get(pk=product.pk), exclude=["id", "sku"])

    assert stored(written) == stored(saved)
    assert stored(written)["attributes"] == {"color": "grün", "size": [1, 2]}
    assert stored(written)["brand"] is None
    assert Product.objects.get(pk=written.pk).updated_at > stamped_before


def test_writing_back_an_instance_whose_row_is_gone_fails():
    # given a product loaded, then deleted
    product = Product.objects.get(pk=factories.product().pk)
    Product.objects.filter(pk=product.pk).delete()

    # when it is written back, then that is an error, and no row comes back
    with pytest.raises(DatabaseError, match="is not in the database"):
        write_back(product)
    assert not Product.objects.filter(pk=product.pk).exists()
