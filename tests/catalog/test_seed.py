"""The demo catalog `make run` seeds: realistic products through the services, once."""

import pytest
from django.core.management import call_command

from catalog.models import AttributeDefinition, Category, Product
from projection.models import OutboxEntry

pytestmark = pytest.mark.django_db


def test_seeding_creates_a_projected_catalog_once(capsys):
    call_command("seed_catalog", products=30)
    call_command("seed_catalog", products=30)

    assert Product.objects.count() == 30
    assert OutboxEntry.objects.count() == 30  # through the services, so projected like any write
    assert Category.objects.filter(parent__isnull=False, children__isnull=True).exists()
    assert all(len(product.description) > 100 for product in Product.objects.all())
    assert "nothing seeded" in capsys.readouterr().out
    # and the demo's attributes are defined, named and labelled in the demo's languages
    color = AttributeDefinition.objects.get(code="color")
    assert (color.type, color.choice_labels["navy"]) == ("enum", "Navy")
    assert color.translations["de"]["name"] == "Farbe"
    assert color.translations["de"]["choice_labels"]["navy"] == "Marineblau"
    assert (
        AttributeDefinition.objects.get(code="material").translations["fr"]["choice_labels"]["oak"] == "Chêne"
    )
