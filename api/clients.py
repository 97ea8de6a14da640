"""Who is asking: the client's address, trusting X-Forwarded-For only as far as NUM_PROXIES says.

With NUM_PROXIES = 0 (the default) the header is ignored: any client can write it, so reading
it would let one give itself a fresh throttle bucket, or a loopback address, per request. Behind
N proxies that each append the address they received from, the client is the N-th from the end.
"""

from django.http import HttpRequest
from rest_framework.settings import api_settings


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = api_settings.NUM_PROXIES or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    addresses = [address.strip() for address in forwarded.split(",")]
    return addresses[-min(proxies, len(addresses))]
