"""Sign-in: the token endpoint (`POST /api/auth/token/`) and the admin's login form, both
throttled per client address and per username (api.throttling.LoginRateThrottle), so neither
is a place to guess passwords at full speed."""

import math

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import parsers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken

from api.parsers import JSONParser
from api.throttling import LoginRateThrottle, seconds_to_wait


@extend_schema_view(
    post=extend_schema(
        responses={
            200: AuthTokenSerializer,
            400: OpenApiResponse(description="Missing fields or wrong credentials: {field: [reasons]}."),
            415: OpenApiResponse(description="The body is neither JSON nor a form."),
            429: OpenApiResponse(description="Too many sign-in attempts; see Retry-After."),
        }
    )
)
class TokenView(ObtainAuthToken):
    """DRF's token endpoint, reading JSON with the API's parser (it lists its own parsers, so
    the default would not reach it); forms are still accepted, as DRF's are. Throttled: 429
    with Retry-After."""

    parser_classes = (parsers.FormParser, parsers.MultiPartParser, JSONParser)
    throttle_classes = (LoginRateThrottle,)


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's login form; an attempt over the sign-in rates is refused before the password
    is checked, with the form's error saying when to try again."""

    def clean(self):
        username = self.cleaned_data.get("username")
        wait = seconds_to_wait(LoginRateThrottle().login_buckets(self.request, username))
        if wait:
            raise ValidationError(
                "Too many sign-in attempts. Try again in %(seconds)d seconds.",
                code="throttled",
                params={"seconds": math.ceil(wait)},
            )
        return super().clean()
