"""`GET /api/products/<id>/history/`: a product's change history, for staff only, newest first,
paged as the other lists are, also once the product is deleted; documented in the schema."""

import pytest
from rest_framework.test import APIClient

from catalog import services
from tests import factories

pytestmark = pytest.mark.django_db


def _url(product_id: int) -> str:
    return f"/api/products/{product_id}/history/"


def test_only_staff_read_the_history(staff_api, auditor):
    product = factories.product()

    # anonymous: sign in first; a user holding every catalog permission but not staff: refused
    assert APIClient().get(_url(product.pk)).status_code == 401
    refused = staff_api.get(_url(product.pk))
    assert refused.status_code == 403
    assert refused.json() == {"detail": "The change history is for staff users only.", "code": "staff_only"}
    assert auditor.get(_url(product.pk)).status_code == 200
    # and a browser gets DRF's page around the same answer
    page = auditor.get(_url(product.pk), HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and product.sku in page.content.decode()


def test_an_id_no_product_has_had_is_404_and_a_deleted_products_history_stays(auditor):
    assert auditor.get(_url(987654)).status_code == 404

    product = factories.product()
    services.product_delete(product_id=product.pk)

    answer = auditor.get(_url(product.pk)).json()
    assert [change["action"] for change in answer["results"]] == ["deleted", "created"]


def test_the_history_is_paged_newest_first(auditor):
    product = factories.product()
    for number in range(24):
        services.product_update(product_id=product.pk, changes={"stock": number})

    first = auditor.get(_url(product.pk), {"page_size": 10}).json()
    assert first["count"] == 25 and first["previous"] is None
    assert [change["version"] for change in first["results"]] == list(range(25, 15, -1))
    last = auditor.get(first["next"].replace("http://testserver", "")).json()
    last = auditor.get(last["next"].replace("http://testserver", "")).json()
    assert [change["version"] for change in last["results"]] == [5, 4, 3, 2, 1]
    assert last["next"] is None
    assert auditor.get(_url(product.pk), {"page": 9}).status_code == 404


def test_the_schema_documents_the_history(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/products/{product_id}/history/"]["get"]
    assert {"200", "401", "403", "404"} <= set(operation["responses"])
    assert {"page", "page_size"} <= {parameter["name"] for parameter in operation["parameters"]}
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"count", "next", "previous", "results"} <= set(
        schema["components"]["schemas"][page]["properties"]
    )
    change = schema["components"]["schemas"]["ProductChange"]["properties"]
    assert {"action", "channel", "user_id", "username", "changed_at", "changes", "version"} <= set(change)
    assert set(schema["components"]["schemas"]["FieldChange"]["properties"]) == {"field", "before", "after"}
