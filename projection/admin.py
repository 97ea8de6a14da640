"""What staff see of the projection in the admin: the outbox (backlog, lag, dead letters), and
on the product pages the version the search index holds and a re-index action. The product
list's search box searches through Elasticsearch, as shoppers do (typos, skus, synonyms),
falling back to MySQL only when Elasticsearch is unreachable."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse

from catalog import versions
from catalog.admin import EstimatedCountPaginator, ProductAdmin
from catalog.models import Product
from search import queries
from search.exceptions import SearchUnavailable

from . import maintenance, outbox
from .models import OutboxEntry


def projection_summary() -> tuple[str, int]:
    """The projection's state in a sentence, and the message level to show it at: a warning when
    a change is parked as a dead letter or has waited longer than the relay allows."""
    state = maintenance.status()
    lag = (
        f"lag p50 {state['lag_p50_seconds']:.2f} s, p99 {state['lag_p99_seconds']:.2f} s (last 1,000 changes)"
        if state["lag_p50_seconds"] is not None
        else "no recent changes"
    )
    text = (
        f"Search index: {state['outbox_backlog']} change(s) waiting "
        f"(oldest {state['oldest_pending_seconds']:.1f} s), {state['dead_letters']} dead letter(s); {lag}."
    )
    lagging = state["oldest_pending_seconds"] > settings.PROJECTION_RELAY_AFTER_SECONDS
    if state["dead_letters"] or lagging:
        return f"{text} Dead letters wait for a retry (Outbox entries, state dead).", messages.WARNING
    return text, messages.INFO


class ProjectionSummaryMixin:
    """Shows the projection's backlog and lag above the change list."""

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        text, level = projection_summary()
        self.message_user(request, text, level)
        return super().changelist_view(request, extra_context)


class IndexedProductAdmin(ProjectionSummaryMixin, ProductAdmin):
    """The catalog's product admin, plus what the search index holds of each product, and a
    search box answered by Elasticsearch."""

    readonly_fields = [*ProductAdmin.readonly_fields, "search_status"]
    actions = ["reindex_selected"]
    # The best matches a search in the list shows (the list's filters then apply to them).
    search_limit = 500

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Product], search_term: str
    ) -> tuple[QuerySet[Product], bool]:
        """The products Elasticsearch ranks best for `search_term`, in its order (unless staff
        sort by a column); MySQL's name contains / sku starts with only while it is down."""
        if not search_term.strip():
            return super().get_search_results(request, queryset, search_term)
        try:
            ids = queries.ranked_product_ids(text=search_term, limit=self.search_limit)
        except SearchUnavailable:
            self.message_user(
                request,
                "Elasticsearch is unreachable: this search ran in MySQL (name contains, sku starts "
                "with), without typo tolerance, synonyms or ranking.",
                messages.WARNING,
            )
            return super().get_search_results(request, queryset, search_term)
        found = queryset.filter(pk__in=ids)
        # Nothing to rank, or staff sorted by a column.
        if not ids or ORDER_VAR in request.GET:
            return found, False
        rank = Case(*(When(pk=pk, then=Value(n)) for n, pk in enumerate(ids)), output_field=IntegerField())
        return found.annotate(search_rank=rank).order_by("search_rank"), False

    @admin.display(description="Search index")
    def search_status(self, product: Product) -> str:
        if not product.pk:
            return "-"
        try:
            state = queries.indexed_state(product_id=product.pk)
        except SearchUnavailable:
            return "Elasticsearch is unreachable."
        if state is None:
            return f"Not indexed yet (current version {product.version})."
        freshness = "up to date" if state["version"] >= product.version else "behind"
        return (
            f"Indexed version {state['version']} at {state['indexed_at']}; "
            f"current version {product.version} ({freshness})."
        )

    @admin.action(description="Re-index selected products")
    def reindex_selected(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        # New versions, not the current ones again: Elasticsearch keeps a document at its
        # version, so only a newer one replaces a document that differs from its row.
        queued = versions.bump(queryset)
        self.message_user(request, f"{queued} product(s) queued for re-indexing.")


admin.site.unregister(Product)
admin.site.register(Product, IndexedProductAdmin)


@admin.register(OutboxEntry)
class OutboxEntryAdmin(ProjectionSummaryMixin, admin.ModelAdmin):
    """Pending changes, their lag, and dead letters (read-only: the projection owns them)."""

    list_display = [
        "product_id",
        "version",
        "state",
        "attempts",
        "committed_at",
        "processed_at",
        "short_error",
    ]
    list_filter = ["state"]
    search_fields = ["=product_id"]
    readonly_fields = ["last_error"]
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    actions = ["retry_dead_letters"]

    @admin.display(description="last error")
    def short_error(self, entry: OutboxEntry) -> str:
        return entry.last_error[:120]

    @admin.action(description="Retry selected dead letters")
    def retry_dead_letters(self, request: HttpRequest, queryset: QuerySet[OutboxEntry]) -> None:
        retried = outbox.retry_dead(entries=queryset)
        self.message_user(request, f"{retried} dead letter(s) queued again for indexing.")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutboxEntry | None = None) -> bool:
        return False
