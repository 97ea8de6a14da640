"""Token authentication (api.authentication): a token authenticates as its user in one
statement; an unknown or revoked token, or an inactive user's, gets DRF's 401."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from catalog.models import ProductChange
from tests import factories

pytestmark = pytest.mark.django_db


def _client_of(token: Token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_a_token_authenticates_as_its_user_in_one_statement():
    # given a user holding the permission to change products, and a token of theirs
    user = factories.user("catalog.change_product", username="stock-keeper")
    product = factories.product(stock=1)
    client = _client_of(Token.objects.create(user=user))

    # when they change a product with the token
    with CaptureQueriesContext(connection) as queries:
        response = client.patch(f"/api/products/{product.pk}/", {"stock": 4}, format="json")

    # then the change is theirs, and reading the token and its user took one statement
    assert response.status_code == 200
    change = ProductChange.objects.filter(product_id=product.pk).latest("id")
    assert (change.user_id, change.username) == (user.pk, "stock-keeper")
    token_reads = [query["sql"] for query in queries if "authtoken_token" in query["sql"]]
    assert len(token_reads) == 1 and "auth_user" in token_reads[0], token_reads


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        ("unknown", "Invalid token."),
        ("revoked", "Invalid token."),
        ("inactive", "User inactive or deleted."),
    ],
)
def test_a_token_that_is_no_longer_good_gets_401_and_changes_nothing(spoil, reason):
    user = factories.user("catalog.change_product")
    product = factories.product(stock=1)
    token = Token.objects.create(user=user)
    if spoil == "unknown":
        token = Token(key="0" * 40)
    elif spoil == "revoked":
        Token.objects.filter(pk=token.pk).delete()
    else:
        user.is_active = False
        user.save()

    response = _client_of(token).patch(f"/api/products/{product.pk}/", {"stock": 4}, format="json")

    assert response.status_code == 401
    assert response.json()["detail"] == reason
    assert response["WWW-Authenticate"] == "Token"
    product.refresh_from_db()
    assert (product.stock, product.version) == (1, 1)
