"""Pagination of the list and search endpoints over Elasticsearch's `search_after`, in the
spirit of DRF's CursorPagination: the page the validated parameters ask for, and the
`count`/`next`/`previous` envelope of the page answered, with its schema.

`next` always carries a cursor, so a walk reaches every result however deep; `previous` uses a
page number (a cursor only leads forward), so it is left out where page numbers cannot reach.
"""

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param

from search.paging import MAX_RESULT_WINDOW, PageRequest, ResultPage


class SearchAfterPagination:
    page_query_param = "page"
    page_size_query_param = "page_size"
    cursor_query_param = "cursor"

    def page_request(self, params: Mapping[str, Any]) -> PageRequest:
        """The page asked for by validated parameters (whose cursor is decoded already)."""
        return PageRequest(
            page_size=params[self.page_size_query_param],
            page=params[self.page_query_param],
            cursor=params.get(self.cursor_query_param),
        )

    def envelope(
        self, request: Request, page: ResultPage, *, query: Mapping[str, str | None] | None = None
    ) -> dict[str, Any]:
        """What a paged answer carries besides its results (described by PageEnvelopeSerializer);
        its links carry `query`'s parameters in place of the request's (a None value: as asked)."""
        url = request.build_absolute_uri()
        for name, value in (query or {}).items():
            if value is not None:
                url = replace_query_param(url, name, value)
        return {
            "count": page.count,
            "next": self.get_next_link(url, page),
            "previous": self.get_previous_link(url, page),
        }

    def get_next_link(self, url: str, page: ResultPage) -> str | None:
        if not page.next_cursor:
            return None
        return replace_query_param(
            remove_query_param(url, self.page_query_param), self.cursor_query_param, page.next_cursor
        )

    def get_previous_link(self, url: str, page: ResultPage) -> str | None:
        if not page.has_previous or (page.page - 1) * page.page_size > MAX_RESULT_WINDOW:
            return None
        return replace_query_param(
            remove_query_param(url, self.cursor_query_param), self.page_query_param, page.page - 1
        )


# The schema of `SearchAfterPagination.envelope`; the shapes of paged answers extend it with their
# results. A comment, not a docstring: the schema generator would give the docstring to every
# shape that extends it as its description.
class PageEnvelopeSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
