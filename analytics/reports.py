"""What staff read of the search analytics: the top queries, the top queries that found
nothing, each with its count in the window before (the trend), and searches per day."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import SearchClick, SearchRecord

WINDOWS = (7, 30)


@dataclass
class Report:
    days: int
    since: datetime.datetime
    searches: int
    zero_result_searches: int
    clicks: int
    top_queries: list[dict[str, Any]]
    zero_result_queries: list[dict[str, Any]]
    daily: list[dict[str, Any]]


def search_report(*, days: int, limit: int = 25, now: datetime.datetime | None = None) -> Report:
    """The last `days` days (up to `now`) against the `days` days before them."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=days)
    before = since - datetime.timedelta(days=days)
    window = SearchRecord.objects.filter(searched_at__gte=since, searched_at__lte=now)
    clicks = SearchClick.objects.filter(clicked_at__gte=since, clicked_at__lte=now)
    totals = window.aggregate(searches=Count("id"), zero=Count("id", filter=Q(hits=0)))

    top = list(
        window.values("query")
        .annotate(searches=Count("id"), zero=Count("id", filter=Q(hits=0)), avg_hits=Avg("hits"))
        .order_by("-searches", "query")[:limit]
    )
    zero = list(
        window.filter(hits=0)
        .values("query")
        .annotate(searches=Count("id"))
        .order_by("-searches", "query")[:limit]
    )
    queries = {row["query"] for row in (*top, *zero)}
    earlier = SearchRecord.objects.filter(searched_at__gte=before, searched_at__lt=since, query__in=queries)
    previous = dict(earlier.values_list("query").annotate(count=Count("id")))
    previous_zero = dict(earlier.filter(hits=0).values_list("query").annotate(count=Count("id")))
    clicked = dict(clicks.filter(query__in=queries).values_list("query").annotate(count=Count("id")))
    for row in top:
        row["previous"] = previous.get(row["query"], 0)
        row["clicks"] = clicked.get(row["query"], 0)
        row["click_rate"] = row["clicks"] / row["searches"]
    for row in zero:
        row["previous"] = previous_zero.get(row["query"], 0)
    return Report(
        days=days,
        since=since,
        searches=totals["searches"],
        zero_result_searches=totals["zero"],
        clicks=clicks.count(),
        top_queries=top,
        zero_result_queries=zero,
        daily=_daily(window, since=since, now=now),
    )


def _daily(window, *, since: datetime.datetime, now: datetime.datetime) -> list[dict[str, Any]]:
    """Searches and zero-result searches per day (UTC), days without any included."""
    counted = {
        row["day"]: row
        for row in window.annotate(day=TruncDate("searched_at"))
        .values("day")
        .annotate(searches=Count("id"), zero=Count("id", filter=Q(hits=0)))
    }
    days = []
    day = since.date()
    while day <= now.date():
        row = counted.get(day, {"searches": 0, "zero": 0})
        days.append({"day": day, "searches": row["searches"], "zero": row["zero"]})
        day += datetime.timedelta(days=1)
    return days
