"""What staff see of the projection in the admin: dead letters they can send back, a summary
that warns when something is stuck, and the dashboard (backlog, lag, dead letters with retry,
when the index was built, verify now)."""

import re

import pytest
from django.utils import timezone

from catalog.models import Product
from projection import drain
from projection.models import OutboxEntry
from search import queries
from tests import factories
from tests.conftest import refresh

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


DASHBOARD = "/admin/projection/outboxentry/dashboard/"


def _dead_letter(name: str) -> OutboxEntry:
    product = factories.product(name=name)
    OutboxEntry.objects.filter(product_id=product.pk).update(
        state=OutboxEntry.State.DEAD, attempts=8, last_error="mapper_parsing_exception: field [x]"
    )
    return OutboxEntry.objects.get(product_id=product.pk)


def test_the_dashboard_sums_up_the_projection(admin_client, search_index):
    # given one product indexed, and another one's change parked as a dead letter
    factories.product()
    drain.drain_outbox()
    refresh()
    entry = _dead_letter("Parked Lamp")

    page = admin_client.get(DASHBOARD).content.decode()

    assert re.search(r'id="documents">1<', page)
    assert re.search(r'id="backlog">0 change\(s\) waiting<', page)
    assert re.search(r'id="dead-count">1<', page)
    assert re.search(r'id="lag">p50 [\d.]+ s, p99 [\d.]+ s<', page)
    assert f'value="{entry.pk}"' in page and "mapper_parsing_exception" in page
    # when the index was built, in words, and that no verify has run yet
    assert re.search(r'id="built-at">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(0.minutes ago\)<', page)
    assert "checked never" in page
    # and every projection summary links here
    products_page = admin_client.get("/admin/catalog/product/").content.decode()
    assert f'<a href="{DASHBOARD}">Dashboard</a>' in products_page


def test_dead_letters_are_retried_from_the_dashboard(admin_client, search_index):
    entry = _dead_letter("Parked Lamp")

    nothing_chosen = admin_client.post(DASHBOARD, {"action": "retry"}, follow=True).content.decode()
    retried = admin_client.post(DASHBOARD, {"action": "retry", "entries": [entry.pk]}, follow=True)

    assert "Choose the dead letters to retry." in nothing_chosen
    assert "1 dead letter(s) queued again for indexing." in retried.content.decode()
    entry.refresh_from_db()
    assert (entry.state, entry.attempts) == (OutboxEntry.State.PENDING, 0)


def test_verify_now_counts_the_drift_and_publishes_it(admin_client, search_index, client):
    # given a product renamed behind the services' back
    product = factories.product(name="Brass Lamp")
    drain.drain_outbox()
    Product.objects.filter(pk=product.pk).update(name="Copper Lamp")

    response = admin_client.post(DASHBOARD, {"action": "verify"}, follow=True).content.decode()

    assert "Verified: 0 missing, 0 stale, 1 drifted, 0 orphaned, 0 resurrected." in response
    assert re.search(r'id="drift">1 document\(s\), checked [^<]+ \(0.minutes ago\)<', response)
    assert "catalog_search_drift 1.0" in client.get("/metrics").content.decode()


def test_the_dashboard_is_for_staff_who_may_see_the_outbox(client):
    assert client.get(DASHBOARD).status_code == 302  # to the sign-in page

    staff = factories.user("catalog.change_product")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)

    assert client.get(DASHBOARD).status_code == 403
