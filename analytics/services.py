"""Writes of the search analytics: moving the records searches handed to Redis into MySQL in
batches (the beat flush), and deleting those past their retention."""

import datetime
import logging
from typing import Any

from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from search import recording

from .models import SearchClick, SearchRecord

logger = logging.getLogger(__name__)

# Rows per DELETE, so a purge never holds long locks on a busy table.
PURGE_CHUNK = 5000


def records_flush(*, batch_size: int, max_batches: int = 100) -> int:
    """Store up to `max_batches` batches of waiting records; returns how many were stored. A
    batch MySQL cannot take (it is down) goes back to the head of the list, and the error is
    raised. A batch holding a record MySQL refuses (DataError, IntegrityError) is stored a
    record at a time instead, and the refused records are dropped with a log line: they would
    be refused again at every flush, and block every record behind them."""
    stored = 0
    for _ in range(max_batches):
        records = recording.take(batch_size)
        if not records:
            break
        try:
            _store(records)
        except (DataError, IntegrityError):
            stored += _store_each(records)
            continue
        except Exception:
            recording.give_back(records)
            raise
        stored += len(records)
    return stored


def _store_each(records: list[dict[str, Any]]) -> int:
    stored = 0
    for index, record in enumerate(records):
        try:
            _store([record])
        except (DataError, IntegrityError) as error:
            logger.error("search analytics: dropped a record MySQL refused (%s): %r", error, record)
        except Exception:
            recording.give_back(records[index:])
            raise
        else:
            stored += 1
    return stored


def _at(record: dict[str, Any]) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(record["at"], tz=datetime.UTC)


def _store(records: list[dict[str, Any]]) -> None:
    searches, clicks = [], []
    for record in records:
        if record.get("kind") == recording.SEARCH:
            searches.append(
                SearchRecord(
                    query=record["q"],
                    hits=record["hits"],
                    filters=record["filters"],
                    latency_ms=record["ms"],
                    searched_at=_at(record),
                )
            )
        elif record.get("kind") == recording.CLICK:
            clicks.append(
                SearchClick(query=record["q"], product_id=record["product"], clicked_at=_at(record))
            )
        else:
            # Written by another version of the read side: dropping it beats blocking the queue.
            logger.warning("search analytics: dropped a record of unknown kind %r", record.get("kind"))
    with transaction.atomic():
        SearchRecord.objects.bulk_create(searches)
        SearchClick.objects.bulk_create(clicks)


def records_purge(*, older_than_days: int) -> int:
    """Delete searches and clicks older than `older_than_days`; returns how many went."""
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    deleted = 0
    for model, field in ((SearchRecord, "searched_at"), (SearchClick, "clicked_at")):
        old = model.objects.filter(**{f"{field}__lt": cutoff})
        while ids := list(old.values_list("pk", flat=True)[:PURGE_CHUNK]):
            deleted += model.objects.filter(pk__in=ids).delete()[0]
    return deleted
