"""The search preview in a real browser (Debian's chromium through Playwright): staff sign in,
search, and open a result's explanation. Skipped where Playwright is not installed."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth.models import User

from tests import factories
from tests.search.conftest import project

sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"


@contextmanager
def browser_page() -> Iterator[Any]:
    """A chromium page. Playwright's sync API runs an event loop in this thread, where Django
    then refuses the ORM: write the test's data before opening it."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("no chromium at /usr/bin/chromium")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_staff_preview_a_search_and_read_why_a_product_matched(live_server, search_index):
    # given a catalog and a staff member
    factories.product(name="Acme Studio Headphones")
    factories.product(name="Northwind Desk Lamp")
    project()
    User.objects.create_superuser("boss", "boss@example.com", "secret-pass-123")

    with browser_page() as page:
        _sign_in_and_preview(page, live_server.url)


def _sign_in_and_preview(page: Any, base: str) -> None:
    # when they sign in, follow the admin home's link to the preview and search with a typo
    page.goto(f"{base}/admin/login/")
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
