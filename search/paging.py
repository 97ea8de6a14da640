"""Paging of list and search results: the page asked for, the page answered, and the opaque
cursor that carries Elasticsearch's `search_after` from one page to the next. No I/O: it adds
the paging to a request body and reads it back from the answer.

Page numbers reach only the first MAX_RESULT_WINDOW hits (Elasticsearch refuses `from` past
it); cursors reach every hit, and their sort always ends with the id, so pages never overlap.
"""

import base64
import binascii
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .exceptions import InvalidCursor
from .query_building import ORDERINGS

MAX_RESULT_WINDOW = 10_000


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: the sort values of the last hit (search_after)."""

    after: list[Any]
    page: int
    ordering: str

    def encode(self) -> str:
        raw = json.dumps({"a": self.after, "p": self.page, "o": self.ordering}).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> "Cursor":
        try:
            raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
            after, page, ordering = raw["a"], raw["p"], raw["o"]
        # RecursionError: a token can nest lists deeper than the parser goes.
        except (ValueError, TypeError, KeyError, RecursionError, binascii.Error) as error:
            raise InvalidCursor("Not a cursor written by this service.") from error
        valid = (
            isinstance(page, int)
            and page >= 2
            and ordering in ORDERINGS
            and isinstance(after, list)
            and _valid_sort_values(after, ordering)
        )
        if not valid:
            raise InvalidCursor("Not a cursor written by this service.")
        return cls(after=after, page=page, ordering=ordering)


def _valid_sort_values(after: list[Any], ordering: str) -> bool:
    """Whether `after` has the shape Elasticsearch writes for the ordering's sort: a score, a
    name or a long (prices, dates in milliseconds), then the id. Anything else would make it
    refuse the query, so a tampered cursor is refused here, as bad input."""
    sort = [next(iter(clause)) for clause in ORDERINGS[ordering]]
    if len(after) != len(sort):
        return False
    kinds = {"_score": _is_score, "name.sort": lambda value: isinstance(value, str)}
    return all(kinds.get(name, _is_long)(value) for name, value in zip(sort, after, strict=True))


def _is_long(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


def _is_score(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class PageRequest:
    page_size: int = 20
    page: int = 1
    cursor: Cursor | None = None

    @property
    def number(self) -> int:
        """The page number, also when a cursor (which carries it) asks for the page."""
        return self.cursor.page if self.cursor is not None else self.page


@dataclass
class ResultPage:
    count: int
    page: int
    page_size: int
    results: list[dict[str, Any]]
    next_cursor: str | None
    facets: dict[str, Any] | None = None
    # A corrected query that finds more ("did you mean"), on a search that found few.
    suggestion: dict[str, Any] | None = None
    # The correction whose results a search that found nothing answers instead.
    showing_results_for: str | None = None
    # Whether a search whose every word found nothing (nor its correction) answers the products
    # matching most of its words instead.
    matched_most_words: bool = False
    has_previous: bool = False


def paged_body(body: dict[str, Any], *, sort: list[dict[str, Any]], page: PageRequest) -> dict[str, Any]:
    """`body` asking for one page in the order of `sort`, with an exact total for the `count`."""
    body = {**body, "sort": sort, "size": page.page_size, "track_total_hits": True}
    if page.cursor is not None:
        body["search_after"] = page.cursor.after
    else:
        body["from"] = (page.page - 1) * page.page_size
    return body


def result_page(
    response: dict[str, Any],
    *,
    ordering: str,
    page: PageRequest,
    result: Callable[[dict[str, Any]], dict[str, Any]],
) -> ResultPage:
    """The page a `paged_body` search answered, each hit made a result by `result`, with the
    cursor of the next page unless this one is the last."""
    hits = response["hits"]["hits"]
    total = response["hits"]["total"]["value"]
    number = page.number
    seen = (number - 1) * page.page_size + len(hits)
    next_cursor = None
    if hits and seen < total:
        next_cursor = Cursor(after=hits[-1]["sort"], page=number + 1, ordering=ordering).encode()
    return ResultPage(
        count=total,
        page=number,
        page_size=page.page_size,
        results=[result(hit) for hit in hits],
        next_cursor=next_cursor,
        has_previous=number > 1,
    )
