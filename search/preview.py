"""The admin's search preview: staff type a query and see what the storefront search answers,
best first, with each product's score and highlights, the synonyms that applied,
Elasticsearch's explanation of every score and the did-you-mean correction shoppers are offered
(or the products with most of the words, when none has them all), so they can tune relevance
(synonym rules, product texts) without a developer. Served under /admin/ to signed-in staff
only."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import queries
from .exceptions import SearchUnavailable
from .text import MAX_QUERY_LENGTH

RESULTS = 20
# search.query_building marks highlights with these, around words of unescaped product text.
MARKS = {escape("<em>"): "<em>", escape("</em>"): "</em>"}


class PreviewForm(forms.Form):
    q = forms.CharField(label="Query", max_length=MAX_QUERY_LENGTH)
    include_inactive = forms.BooleanField(label="Include inactive products", required=False)


def search_preview(request: HttpRequest) -> HttpResponse:
    form = PreviewForm(request.GET or None)
    search = None
    if form.is_valid():
        try:
            search = queries.explained_search(
                text=form.cleaned_data["q"],
                limit=RESULTS,
                include_inactive=form.cleaned_data["include_inactive"],
            )
            for product in search["results"]:
                product["highlight"] = {
                    field: [_marked(fragment) for fragment in fragments]
                    for field, fragments in product["highlight"].items()
                }
        except SearchUnavailable:
            messages.error(request, "Elasticsearch is unreachable: no preview until it is back.")
    context = {
        **admin.site.each_context(request),
        "title": "Search preview",
        "form": form,
        "search": search,
    }
    return TemplateResponse(request, "search/preview.html", context)


def _marked(fragment: str) -> SafeString:
    """A highlight fragment escaped, but for the highlight marks."""
    escaped: str = escape(fragment)
    for escaped_mark, mark in MARKS.items():
        escaped = escaped.replace(escaped_mark, mark)
    # Safe: everything but the marks is escaped above.
    return mark_safe(escaped)
