"""Sign-in: the token endpoint (`POST /api/auth/token/`)."""

from rest_framework import parsers
from rest_framework.authtoken.views import ObtainAuthToken

from api.parsers import JSONParser


class TokenView(ObtainAuthToken):
    """DRF's token endpoint, reading JSON with the API's parser (it lists its own parsers, so
    the default would not reach it); forms are still accepted, as DRF's are."""

    parser_classes = (parsers.FormParser, parsers.MultiPartParser, JSONParser)
