"""HTTP caching of the query endpoints' answers: what browsers, nginx or a CDN may keep, and
conditional requests answered with 304 Not Modified, before any Elasticsearch query where the
validator allows it.

- Anonymous reads are shared: `Cache-Control: public, max-age=HTTP_CACHE_MAX_AGE,
  stale-while-revalidate=HTTP_CACHE_STALE_WHILE_REVALIDATE`. A product carries its version as
  ETag (the one `If-Match` writes compare); lists, searches, suggestions, brands and categories
  carry an ETag and Last-Modified of the read side's settled generation (`search.freshness`),
  the answer's language and format, and for a search the merchandising rules in effect. A
  request whose `If-None-Match` (else `If-Modified-Since`) still matches gets a 304.
- Signed-in reads (staff may see inactive products) and read-your-writes (`min_version`) are
  `private, no-cache` and never answered from a validator: they get the index's answer now.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from rest_framework.request import Request
from rest_framework.response import Response

from search import freshness, queries


@dataclass(frozen=True)
class Validators:
    etag: str
    # Seconds since the epoch; None: the answer has no Last-Modified.
    last_modified: int | None = None


def shared(request: Request, *, min_version: int | None = None) -> bool:
    """May shared caches keep this request's answer (and validators answer it)?"""
    return not request.user.is_authenticated and min_version is None


def generation_validators(
    request: Request, *, language: str | None = None, search_text: str | None = None
) -> Validators | None:
    """Validators of an answer computed from the whole index, or None when the request is not
    shared or the read side has no settled generation to vouch for. A search's answer (for
    `search_text`) also changes when a merchandising rule starts or ends, so it carries no
    Last-Modified, and its ETag names the rules in effect."""
    if not shared(request):
        return None
    generation = freshness.settled_generation()
    if generation is None:
        return None
    tag = f"{generation}-{language or ''}-{request.accepted_renderer.format}"
    if search_text is None:
        return Validators(etag=f'W/"{tag}"', last_modified=generation // 1000)
    merchandising = queries.merchandising_in_effect(text=search_text)
    rules = hashlib.sha256(",".join(merchandising).encode()).hexdigest()[:12]
    return Validators(etag=f'W/"{tag}-{rules}"')


def product_validators(version: int) -> Validators:
    return Validators(etag=f'"{version}"')


def finish(
    response: Response,
    request: Request,
    *,
    validators: Validators | None = None,
    language: str | None = None,
    min_version: int | None = None,
) -> Response:
    """The answer's caching headers (the same on a 304 as on the 200 it stands for)."""
    if validators is not None:
        response["ETag"] = validators.etag
        if validators.last_modified is not None and shared(request, min_version=min_version):
            response["Last-Modified"] = http_date(validators.last_modified)
    if language is not None:
        response["Content-Language"] = language
        # Shared caches keep one answer per Accept-Language, which may pick the language.
        patch_vary_headers(response, ["Accept-Language"])
    if shared(request, min_version=min_version):
        patch_cache_control(
            response,
            public=True,
            max_age=settings.HTTP_CACHE_MAX_AGE,
            stale_while_revalidate=settings.HTTP_CACHE_STALE_WHILE_REVALIDATE,
        )
    else:
        patch_cache_control(response, private=True, no_cache=True)
    return response


def not_modified(
    request: Request,
    validators: Validators | None,
    *,
    language: str | None = None,
    min_version: int | None = None,
) -> Response | None:
    """A 304 (with the headers of the 200 it stands for) when the client or cache asking already
    holds the answer these validators describe; None when it must be computed."""
    if validators is None or not shared(request, min_version=min_version):
        return None
    conditional = get_conditional_response(
        request._request, etag=validators.etag, last_modified=validators.last_modified
    )
    if conditional is None or conditional.status_code != 304:
        return None
    return finish(
        Response(status=304), request, validators=validators, language=language, min_version=min_version
    )
