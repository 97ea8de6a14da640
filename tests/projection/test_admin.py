"""What staff see of the projection in the admin: dead letters they can send back, and a
summary that warns when something is stuck."""

import pytest
from django.utils import timezone

from catalog.models import Product
from projection import drain
from projection.models import OutboxEntry
from search import queries
from tests import factories

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_dead_letter_shows_its_reason_warns_and_can_be_retried(admin_client, search_index):
    # given a change parked as a dead letter (say, a mapping the operator has since fixed)
    product = factories.product(name="Parked Lamp")
    OutboxEntry.objects.filter(product_id=product.pk).update(
        state=OutboxEntry.State.DEAD, attempts=8, last_error="mapper_parsing_exception: field [x]"
    )
    entry = OutboxEntry.objects.get(product_id=product.pk)

    # then the outbox list warns (not the green info of a healthy projection) and shows why
    page = admin_client.get("/admin/projection/outboxentry/").content.decode()
    assert 'class="warning"' in page and "1 dead letter(s)" in page
    assert (
        "mapper_parsing_exception"
        in admin_client.get(f"/admin/projection/outboxentry/{entry.pk}/change/").content.decode()
    )

    # when the operator retries it
    response = admin_client.post(
        "/admin/projection/outboxentry/",
        {"action": "retry_dead_letters", "_selected_action": [entry.pk]},
        follow=True,
    )

    # then it is pending with fresh attempts, and the next drain indexes it
    assert "1 dead letter(s) queued again" in response.content.decode()
    entry.refresh_from_db()
    assert (entry.state, entry.attempts) == (OutboxEntry.State.PENDING, 0)
    assert drain.drain_outbox().indexed == 1
    assert queries.get_product(product_id=product.pk)["name"] == "Parked Lamp"


def test_a_healthy_projection_is_summed_up_as_information(admin_client, search_index):
    factories.product()
    drain.drain_outbox()
    OutboxEntry.objects.update(processed_at=timezone.now())

    page = admin_client.get("/admin/projection/outboxentry/").content.decode()

    assert 'class="info"' in page and "0 dead letter(s)" in page and 'class="warning"' not in page


def test_reindex_replaces_a_document_that_differs_from_its_row(admin_client, search_index):
    # given a product renamed behind the services' back: its document still has the old name
    product = factories.product(name="Brass Lamp")
    drain.drain_outbox()
    Product.objects.filter(pk=product.pk).update(name="Copper Lamp")

    # when staff re-index it from the product list
    admin_client.post(
        "/admin/catalog/product/", {"action": "reindex_selected", "_selected_action": [product.pk]}
    )
    drain.drain_outbox()

    # then the read side shows the row as it is, at a new version
    shown = queries.get_product(product_id=product.pk)
    assert (shown["name"], shown["version"]) == ("Copper Lamp", 2)
