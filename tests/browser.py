"""Browser fixtures for the end-to-end tests (the storefront, the admin's dashboard): a headless
Chromium (Debian's, never one a test tool downloads) driven by Playwright, for pages served by
pytest-django's live server, with a screenshot of the page kept for CI when a test fails.
Loaded by tests/conftest.py as a plugin."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / ".var" / "artifacts"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[pytest.TestReport]:
    """Keep each phase's report on the test, so the page fixture knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Playwright's sync API keeps an asyncio loop marked as running in this thread between its
    # calls, which Django's guard against blocking the loop takes for an async context and so
    # refuses every query of the test's own ORM calls. Nothing runs on that loop while the test
    # queries, so the guard is lifted for as long as the browser lives, and only then.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            yield chromium
            chromium.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser tab. It records console errors and uncaught exceptions in
    `page.console_errors`; a test that fails leaves `.var/artifacts/<test>.png` behind."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    errors: list[str] = []
    tab.on("console", lambda message: _record_error(errors, message))
    tab.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    tab.console_errors = errors
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is None or report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        tab.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    context.close()


def _record_error(errors: list[str], message: ConsoleMessage) -> None:
    if message.type == "error":
        errors.append(f"console: {message.text} ({message.location.get('url')})")
