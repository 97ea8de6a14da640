"""Search analytics end to end: a search through the API hands its record to Redis, the beat
flush stores it in MySQL, and the admin's report shows it; old records are purged."""

import datetime
import time

import pytest
from django.db import OperationalError
from django.utils import timezone

from analytics import services as analytics_services
from analytics.models import SearchClick, SearchRecord
from search import recording
from tasks import analytics as analytics_tasks
from tests import factories
from tests.search.conftest import project

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REPORT = "/admin/analytics/searchrecord/"


def test_a_zero_result_query_shows_in_the_admin_report_after_the_flush(
    api, admin_client, search_index, search_records, settings
):
    # given a shop with headphones of two brands
    acme, northwind = factories.brand("Acme"), factories.brand("Northwind")
    studio = factories.product(name="Acme Studio Headphones", brand=acme)
    factories.product(name="Northwind Travel Headphones", brand=northwind)
    project()

    # and shoppers searching: twice for something the shop lacks, once for headphones
    # (with a filter), and one of them opening a result
    for _ in range(2):
        assert api.get("/api/products/search/", {"q": "  Flux  CAPACITOR "}).json()["count"] == 0
    found = api.get("/api/products/search/", {"q": "headphones", "brand": "acme"}).json()
    assert found["count"] == 1
    api.get(f"/api/products/{studio.pk}/", {"ref": "headphones"})
    assert search_records.llen(settings.ANALYTICS_QUEUE_KEY) == 4

    # when the beat flush runs
    assert analytics_tasks.flush_search_records() == 4

    # then MySQL holds the normalized searches, with their hits, filters and latency
    stored = {record.query: record for record in SearchRecord.objects.all()}
    assert stored["flux capacitor"].hits == 0
    assert stored["headphones"].filters == {"brands": ["acme"]} and stored["headphones"].hits == 1
    assert all(record.latency_ms > 0 for record in stored.values())
    assert SearchClick.objects.get().product_id == studio.pk

    # and the admin report lists the query among the top zero-result ones, in both windows
    for days in (7, 30):
        page = admin_client.get(REPORT, {"days": days}).content.decode()
        zero_results = page.split('id="zero-result-queries"')[1].split("</table>")[0]
        assert "<td>flux capacitor</td><td>2</td>" in zero_results
        top = page.split('id="top-queries"')[1].split("</table>")[0]
        assert "<td>headphones</td><td>1</td>" in top and "100 %" in top


def test_records_past_the_retention_are_purged(settings, db, search_records):
    # given one search from long ago and one from today
    now = timezone.now()
    for days_ago in (settings.ANALYTICS_RETENTION_DAYS + 1, 0):
        SearchRecord.objects.create(
            query="lamp", hits=3, latency_ms=4.0, searched_at=now - datetime.timedelta(days=days_ago)
        )

    # when the purge task runs
    assert analytics_tasks.purge_search_records() == 1

    # then only today's is left
    assert SearchRecord.objects.get().searched_at == now


def test_the_report_needs_the_view_permission(client, db):
    # given a staff member without permission on the analytics
    user = factories.user("catalog.view_product")
    user.is_staff = True
    user.save()
    client.force_login(user)

    # then the report is refused
    assert client.get(REPORT).status_code == 403


def test_a_query_longer_once_lower_cased_is_stored_cut_to_the_column(api, search_index, search_records):
    # given a search of the longest text the API takes, which lower case makes twice as long
    # ("İ" lower-cased is "i" and a combining dot)
    assert api.get("/api/products/search/", {"q": "İ" * 256}).status_code == 200
    assert api.get("/api/products/search/", {"q": "lamp"}).status_code == 200

    # when the beat flush runs
    assert analytics_tasks.flush_search_records() == 2

    # then both searches are stored, the long one cut to the column's length
    queries = sorted(SearchRecord.objects.values_list("query", flat=True), key=len)
    assert queries[0] == "lamp"
    assert len(queries[1]) == SearchRecord._meta.get_field("query").max_length
    assert queries[1].startswith("i̇i̇")


def test_a_record_mysql_refuses_is_dropped_and_the_rest_of_its_batch_stored(db, search_records, caplog):
    # given a record MySQL cannot store (a query past its column, as an older version of the
    # read side might have written) between two good ones
    for text in ("lamp", "x" * 300, "desk"):
        recording._push(
            {"kind": recording.SEARCH, "q": text, "hits": 1, "filters": {}, "ms": 2.0, "at": time.time()}
        )

    # when the beat flush runs
    stored = analytics_tasks.flush_search_records()

    # then the good ones are stored, the bad one is dropped with a log line, and the queue is
    # empty: one bad record does not block the flush for good
    assert stored == 2
    assert set(SearchRecord.objects.values_list("query", flat=True)) == {"lamp", "desk"}
    assert "dropped a record MySQL refused" in caplog.text
    assert analytics_tasks.flush_search_records() == 0


def test_a_batch_mysql_cannot_take_stays_queued_for_the_next_flush(db, search_records, settings, monkeypatch):
    # given three waiting records, and MySQL failing as when it is down (an injected fault)
    for text in ("lamp", "desk", "chair"):
        recording._push(
            {"kind": recording.SEARCH, "q": text, "hits": 1, "filters": {}, "ms": 2.0, "at": time.time()}
        )
    failures = []

    def mysql_down(records):
        failures.append(len(records))
        raise OperationalError(2003, "Can't connect to MySQL server")

    monkeypatch.setattr(analytics_services, "_store", mysql_down)

    # when the flush runs, it fails
    with pytest.raises(OperationalError):
        analytics_tasks.flush_search_records()
    assert failures == [3]

    # then every record is still queued, in order, and the next flush stores them
    assert search_records.llen(settings.ANALYTICS_QUEUE_KEY) == 3
    monkeypatch.undo()
    assert analytics_tasks.flush_search_records() == 3
    assert list(SearchRecord.objects.order_by("id").values_list("query", flat=True)) == [
        "lamp",
        "desk",
        "chair",
    ]
