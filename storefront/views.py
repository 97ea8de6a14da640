"""The storefront's two pages. Each renders the page's frame with the URLs of the public query API
it needs; the page's script asks those for the products, so a page is served without a query of
its own and the storefront sees the catalog exactly as any API client does."""

from typing import Any

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import reverse
from django.views.generic import TemplateView

# Stands for a product's id in URL patterns handed to the page's script, which fills it in.
ID_PLACEHOLDER = 999999999


def _url_pattern(name: str) -> str:
    return reverse(name, args=[ID_PLACEHOLDER]).replace(str(ID_PLACEHOLDER), "{id}")


class SearchPage(TemplateView):
    """`/`: search as you type, facets, sorting and paging; the state lives in the query string
    (`q`, `brand`, `category`, `min_price`, `max_price`, `in_stock`, `ordering`, `cursor`), so a
    search can be bookmarked and the back button works."""

    template_name = "storefront/search.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "api": {
                "search": reverse("product-search"),
                "list": reverse("product-collection"),
                "suggest": reverse("product-suggest"),
                "categories": reverse("category-collection"),
                "brands": reverse("brand-collection"),
            },
            "product_page": _url_pattern("storefront:product"),
        }


class ProductPage(TemplateView):
    """`/products/<id>/`: one product, its variants, attributes and stock."""

    template_name = "storefront/product.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "api": {"product": reverse("product-item", args=[kwargs["product_id"]])},
        }


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """The site's icon, looked up when the request comes: in production its static name carries
    a hash that exists only once collectstatic has run."""
    return HttpResponsePermanentRedirect(static("storefront/favicon.svg"))
