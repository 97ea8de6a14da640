"""The search analytics in the admin: the searches' page is a report (top queries, top
zero-result queries, their trend over 7 or 30 days, clicks), not a list of rows to edit."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from . import reports
from .models import SearchRecord


@admin.register(SearchRecord)
class SearchRecordAdmin(admin.ModelAdmin):
    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if not self.has_view_permission(request):
            return super().changelist_view(request, extra_context)  # answers 403
        days = int(request.GET["days"]) if request.GET.get("days") in {"7", "30"} else reports.WINDOWS[0]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Search analytics: the last {days} days",
            "opts": self.model._meta,
            "report": reports.search_report(days=days),
            "windows": reports.WINDOWS,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "analytics/report.html", context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SearchRecord | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SearchRecord | None = None) -> bool:
        return False
