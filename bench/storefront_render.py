"""python -m bench.storefront_render [BASE_URL] [--runs N]

How soon the storefront shows what a shopper came for, in Debian's headless Chromium: for a few
pages of a running service (`make run` serves the demo catalog at http://127.0.0.1:8000), the
time from the start of navigation to the HTML received, to DOMContentLoaded and to the first
result (or the product) drawn from the API's answer; medians over N loads in one browser (its
cache warm, as for a returning shopper), after one load that warms the caches. Console errors
are counted too."""

import argparse
import statistics

from playwright.sync_api import ConsoleMessage, Page, sync_playwright

PAGES = ["/", "/?q=mechanical+keyboard", "/?q=keybord&category=computers", "/products/42/"]
SHOWN = "#results .result, #product:not([hidden])"
TIMINGS = """() => {
  const navigation = performance.getEntriesByType("navigation")[0];
  return [navigation.responseEnd, navigation.domContentLoadedEventEnd, performance.now()];
}"""


def _record_console_errors(page: Page, errors: list[str]) -> None:
    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", record)


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.storefront_render", description=__doc__.splitlines()[0]
    )
    parser.add_argument("base_url", nargs="?", default="http://127.0.0.1:8000")
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        context = browser.new_context()
        print("| page | HTML | DOMContentLoaded | first result (median) | slowest | console errors |")
        print("| --- | --- | --- | --- | --- | --- |")
        for path in PAGES:
            timings, errors = [], []
            for run in range(options.runs + 1):
                page = context.new_page()
                _record_console_errors(page, errors)
                page.goto(options.base_url + path)
                page.wait_for_selector(SHOWN)
                if run:
                    timings.append(page.evaluate(TIMINGS))
                page.close()
            html, loaded, shown = (statistics.median(column) for column in zip(*timings, strict=True))
            slowest = max(timing[2] for timing in timings)
            figures = f"{html:.0f} ms | {loaded:.0f} ms | {shown:.0f} ms | {slowest:.0f} ms"
            print(f"| `{path}` | {figures} | {len(errors)} |")
        browser.close()


if __name__ == "__main__":
    main()
