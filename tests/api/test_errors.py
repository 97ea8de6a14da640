"""Every error the API answers is JSON, including those Django raises before a view runs."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def too_big() -> str:
    return '{"name": "' + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + '"}'


@pytest.mark.parametrize("url", ["/api/products/", "/api/brands/", "/api/categories/"])
def test_a_body_over_the_upload_limit_is_a_json_413(staff_api, url, too_big):
    response = staff_api.post(url, too_big, content_type="application/json")

    assert response.status_code == 413, response.content
    assert response["Content-Type"].startswith("application/json")
    assert "too large" in response.json()["detail"]


def test_a_body_over_the_upload_limit_to_the_token_endpoint_is_json(api, too_big):
    response = api.post("/api/auth/token/", too_big, content_type="application/json")

    assert response.status_code == 413, response.content
    assert "too large" in response.json()["detail"]


def test_a_form_with_too_many_fields_to_the_token_endpoint_is_a_json_400(api):
    fields = "&".join(f"f{n}=x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))

    response = api.post("/api/auth/token/", fields, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "bad_request"
