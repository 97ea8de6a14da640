"""The interactive API docs load nothing from outside the service, so they work offline."""

import re

import pytest

pytestmark = pytest.mark.django_db

URL = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|\b(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s"'<>]*""")


def test_the_docs_page_references_only_local_static_files(api):
    page = api.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()

    references = [match.group(1) or match.group(0) for match in URL.finditer(html)]
    external = [url for url in references if re.match(r"(?:https?:)?//", url)]
    assets = [url for url in references if url.endswith((".js", ".css", ".png"))]

    assert external == []
    assert assets, html
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert api.get(asset).status_code == 200, asset
