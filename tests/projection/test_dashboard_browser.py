"""The projection dashboard in a real browser (headless Chromium), as staff use it: sign in, read
the backlog and dead letters, retry one, verify the index."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from projection.models import OutboxEntry
from tests import factories
from tests.conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_staff_retry_a_dead_letter_and_verify_the_index_from_the_dashboard(
    live_server, page, celery_worker, search_index
):
    # given a product whose change was parked as a dead letter
    User.objects.create_superuser("operator", "operator@example.com", "secret-pass-123")
    product = factories.product(name="Parked Lamp")
    wait_until(lambda: OutboxEntry.objects.filter(product_id=product.pk, state="done").exists(), timeout=15)
    OutboxEntry.objects.filter(product_id=product.pk).update(
        state=OutboxEntry.State.DEAD, attempts=8, last_error="mapper_parsing_exception: field [x]"
    )

    # when staff sign in and open the dashboard from the outbox page's summary
    page.goto(f"{live_server.url}/admin/projection/outboxentry/")
    page.get_by_label("Username").fill("operator")
    page.get_by_label("Password").fill("secret-pass-123")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Dashboard").click()

    # then they see the dead letter and why it is parked
    expect(page.get_by_role("heading", name="Search projection")).to_be_visible()
    expect(page.locator("#dead-count")).to_have_text("1")
    expect(page.locator("#projection-dead-letters tbody tr")).to_contain_text("mapper_parsing_exception")

    # when they retry it, it leaves the dead letters and the worker indexes it
    page.get_by_label(f"Retry product {product.pk}").check()
    page.get_by_role("button", name="Retry the chosen dead letters").click()
    expect(page.locator(".messagelist")).to_contain_text("1 dead letter(s) queued again for indexing.")
    expect(page.locator("#dead-count")).to_have_text("0")
    wait_until(lambda: OutboxEntry.objects.filter(product_id=product.pk, state="done").exists(), timeout=15)
    page.reload()
    expect(page.locator("#backlog")).to_have_text("0 change(s) waiting")

    # and verifying finds the index in step with MySQL
    page.get_by_role("button", name="Verify now").click()
    expect(page.locator(".messagelist")).to_contain_text("Verified: the index matches MySQL")
    expect(page.locator("#drift")).to_have_text(re.compile(r"^0 document\(s\), checked \d{4}-"))
    expect(page.locator("#documents")).to_have_text("1")
    assert page.console_errors == []
