"""The search preview in a real browser (Debian's Chromium through Playwright, tests/browser.py):
staff sign in, search, and open a result's explanation."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from tests import factories
from tests.search.conftest import project

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_staff_preview_a_search_and_read_why_a_product_matched(live_server, search_index, page: Page):
    # given a catalog and a staff member
    factories.product(name="Acme Studio Headphones")
    factories.product(name="Northwind Desk Lamp")
    project()
    User.objects.create_superuser("boss", "boss@example.com", "secret-pass-123")

    # when they sign in, follow the admin home's link to the preview and search with a typo
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "secret-pass-123")
    page.click("input[type=submit]")
    page.click("text=Search preview")
    page.fill("#id_q", "hedphones")
    page.click("#search-preview input[type=submit]")

    # then the headphones are listed with a score, and opening "Why it matched" shows the
    # explanation of that score
    results = page.locator("#results li.preview-hit")
    assert results.count() == 1
    assert "Acme Studio Headphones" in results.first.inner_text()
    explanation = results.first.locator("details.explanation")
    assert not explanation.locator("ul").first.is_visible()
    explanation.locator("summary").click()
    assert explanation.locator("ul").first.is_visible()
    assert "weight(" in explanation.inner_text()
    assert page.console_errors == []
