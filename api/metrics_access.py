"""Who may read /metrics: clients from METRICS_ALLOWED_NETWORKS (loopback by default) and, when
METRICS_TOKEN is set, only those that also send `Authorization: Bearer <token>`.

The metrics name no customer data, but they show the catalog's size, write rate and backlog,
which are nobody else's business, and scraping them costs MySQL and Elasticsearch queries.
"""

import hmac
import ipaddress
from collections.abc import Callable
from functools import cache, wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from .clients import client_address

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(allowed: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(network.strip(), strict=False) for network in allowed)


def _from_allowed_network(request: HttpRequest) -> bool:
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(address in network for network in _networks(tuple(settings.METRICS_ALLOWED_NETWORKS)))


def _has_token(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        return True
    sent = request.headers.get("Authorization", "")
    return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())


def metrics_access(view: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    @wraps(view)
    def guarded(request: HttpRequest) -> HttpResponse:
        if not _from_allowed_network(request):
            return JsonResponse(
                {"detail": "Metrics are not served to this address.", "code": "forbidden"}, status=403
            )
        if not _has_token(request):
            response = JsonResponse(
                {
                    "detail": "Metrics need `Authorization: Bearer <METRICS_TOKEN>`.",
                    "code": "not_authenticated",
                },
                status=401,
            )
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
        return view(request)

    return guarded
