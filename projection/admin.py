"""What staff see of the projection in the admin: a dashboard (backlog, lag, dead letters with
retry, when the index was built, verify now), the outbox, and on the product pages the version
the search index holds and a re-index action. The product list's search box searches through
Elasticsearch, as shoppers do (typos, skus, synonyms), falling back to MySQL only when
Elasticsearch is unreachable."""

from datetime import UTC, datetime

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timesince import timesince
from elasticsearch import ApiError, TransportError

from catalog import versions
from catalog.admin import EstimatedCountPaginator, ProductAdmin
from catalog.models import Product
from search import queries
from search.exceptions import SearchUnavailable
from search.text import MAX_QUERY_LENGTH

from . import maintenance, metrics, outbox
from .models import OutboxEntry

# Dead letters listed on the dashboard, the most recent first; the outbox page has them all.
DASHBOARD_DEAD_LETTERS = 50


def when(moment: datetime | None) -> str:
    """A moment as staff read it: the date and time in the site's zone, and how long ago."""
    if moment is None:
        return "never"
    local = timezone.localtime(moment)
    return f"{date_format(local, 'Y-m-d H:i:s T')} ({timesince(moment)} ago)"


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


class ProjectionSummaryMixin(admin.ModelAdmin):
    """Shows the projection's backlog and lag above the change list, with a link to the dashboard."""

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        text, level = projection_summary()
        dashboard = reverse("admin:projection_dashboard")
        self.message_user(request, format_html('{} <a href="{}">Dashboard</a>', text, dashboard), level)
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
        if len(search_term) > MAX_QUERY_LENGTH:
            # As long as the storefront's searches may be: a word of thousands of letters made
            # Elasticsearch's fuzzy matching ask for more than a gigabyte (its circuit breaker
            # refused it).
            self.message_user(
                request,
                f"Searched for the first {MAX_QUERY_LENGTH} characters only: searches are at most that long.",
                messages.WARNING,
            )
            search_term = search_term[:MAX_QUERY_LENGTH]
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
            f"Indexed version {state['version']} on {when(parse_datetime(state['indexed_at']))}; "
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


class DashboardActionForm(forms.Form):
    """What the dashboard's buttons send: retry the chosen dead letters, or verify now."""

    action = forms.ChoiceField(choices=[("retry", "Retry the chosen dead letters"), ("verify", "Verify now")])
    entries = forms.ModelMultipleChoiceField(
        queryset=OutboxEntry.objects.filter(state=OutboxEntry.State.DEAD), required=False
    )

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("action") == "retry" and not cleaned.get("entries"):
            raise forms.ValidationError("Choose the dead letters to retry.")
        return cleaned


@admin.register(OutboxEntry)
class OutboxEntryAdmin(ProjectionSummaryMixin, admin.ModelAdmin):
    """Pending changes, their lag, and dead letters (read-only: the projection owns them), and
    the projection's dashboard."""

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

    def get_urls(self) -> list[URLPattern]:
        dashboard = path(
            "dashboard/", self.admin_site.admin_view(self.dashboard_view), name="projection_dashboard"
        )
        return [dashboard, *super().get_urls()]

    def dashboard_view(self, request: HttpRequest) -> HttpResponse:
        """The projection at a glance (maintenance.status); its buttons retry dead letters
        (outbox.retry_dead) and verify the index against MySQL (maintenance.verify_and_publish),
        as the outbox page's action and `search_index verify` do."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            self._dashboard_action(request, DashboardActionForm(request.POST))
            return HttpResponseRedirect(request.path)
        state = maintenance.status()
        checked_at = metrics.stat(metrics.DRIFT_CHECKED_AT)
        dead_letters = OutboxEntry.objects.filter(state=OutboxEntry.State.DEAD)
        context = {
            **self.admin_site.each_context(request),
            "title": "Search projection",
            "opts": self.model._meta,
            "state": state,
            "lagging": state["oldest_pending_seconds"] > settings.PROJECTION_RELAY_AFTER_SECONDS,
            "built": when(state["built_at"]),
            "drift": int(metrics.stat(metrics.DRIFT)),
            "drift_checked": when(datetime.fromtimestamp(checked_at, tz=UTC) if checked_at else None),
            "dead_letters": dead_letters.order_by("-committed_at")[:DASHBOARD_DEAD_LETTERS],
        }
        return TemplateResponse(request, "admin/projection/dashboard.html", context)

    def _dashboard_action(self, request: HttpRequest, form: DashboardActionForm) -> None:
        if not form.is_valid():
            reasons = form.errors.get("__all__", ["Nothing done."])
            self.message_user(request, " ".join(str(reason) for reason in reasons), messages.ERROR)
        elif form.cleaned_data["action"] == "retry":
            retried = outbox.retry_dead(entries=form.cleaned_data["entries"])
            self.message_user(request, f"{retried} dead letter(s) queued again for indexing.")
        else:
            try:
                drift = maintenance.verify_and_publish()
            except (TransportError, ApiError) as error:
                self.message_user(
                    request, f"Not verified: Elasticsearch did not answer ({error}).", messages.ERROR
                )
                return
            found = ", ".join(f"{len(getattr(drift, kind))} {kind}" for kind in drift.KINDS)
            if drift.total:
                self.message_user(
                    request,
                    f"Verified: {found}. Repair with `manage.py search_index verify --repair`.",
                    messages.WARNING,
                )
            else:
                self.message_user(request, f"Verified: the index matches MySQL ({found}).")
