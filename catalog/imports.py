"""Feed imports: a CSV or JSON lines file of products, upserted by sku through
`services.products_bulk` in batches, with a summary (created, updated, unchanged, rejected with
their reasons) and a state file that lets an interrupted import carry on where it stopped.

This module is to a feed what a view is to a request: it reads the rows, validates them with the
API's serializers (as upsert operations, so a row is checked exactly as the API would check it)
and calls the bulk service. Brands and categories are named by slug, and created at the top of
the tree when `create_missing` asks for it.

CSV columns: sku, name, description, brand, category, price, compare_at_price, currency, stock,
tags (separated by `|`), is_active (true/false), and `attributes.<code>` for each attribute; an
empty cell leaves the field out. A JSON line is a product as `POST /api/products/` takes it
(variants included).

`POST /api/imports/` runs the same import in a worker: `import_job_create` stores the file as an
ImportJob and, after commit, asks for it with the `import_requested` signal (the task layer
enqueues it); `import_job_run` imports it with its progress, summary and report on the job.
"""

import csv
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from shared import json_values

from . import history, services
from .api.serializers import ProductBulkSerializer
from .models import Brand, Category, ImportJob
from .transactions import named_lock

logger = logging.getLogger(__name__)

# A feed imported by `manage.py import_products`, which no user of the catalog signs in to.
IMPORT = history.Origin(channel=history.Channel.IMPORT)

# Sent after the commit of a new ImportJob with its `job_id`: a worker should run it.
import_requested = Signal()

CSV_LIST_SEPARATOR = "|"


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    # One entry per rejected row: its line in the file, its sku and the reasons.
    rejections: list[dict[str, Any]] = field(default_factory=list)


def import_feed(
    *,
    path: Path,
    state_path: Path,
    origin: history.Origin = IMPORT,
    create_missing: bool = False,
    dry_run: bool = False,
    batch_size: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Upsert every row of the feed at `path`. After each batch commits, the rows done and the
    summary so far are written to `state_path`; a later run of the same file (same size and
    modification time) starts after them. A batch that committed just before an interruption
    runs again: its rows then count as unchanged, since an upsert of the same values changes
    nothing. `dry_run` writes nothing (everything runs in one transaction rolled back at the
    end) and keeps no state. `progress` is called with the number of rows of each batch. The
    products' history names `origin` (by default the import channel, with no user)."""
    batch_size = batch_size or settings.CATALOG_BULK_MAX_OPERATIONS
    identity = _identity(path)
    summary, skip = ImportSummary(), 0
    if not dry_run and state_path.exists():
        state = json.loads(state_path.read_text())
        if state["feed"] == identity:
            summary, skip = ImportSummary(**state["summary"]), state["summary"]["rows"]
    if progress and skip:
        progress(skip)
    with transaction.atomic() if dry_run else nullcontext():
        batch: list[tuple[int, Any]] = []
        for number, row in _rows(path, skip=skip):
            batch.append((number, row))
            if len(batch) == batch_size:
                _import_batch(batch, summary, create_missing=create_missing, origin=origin)
                _save_state(state_path, identity, summary, dry_run=dry_run)
                if progress:
                    progress(len(batch))
                batch = []
        if batch:
            _import_batch(batch, summary, create_missing=create_missing, origin=origin)
            _save_state(state_path, identity, summary, dry_run=dry_run)
            if progress:
                progress(len(batch))
        if dry_run:
            transaction.set_rollback(True)
    return summary


def import_job_create(
    *, user_id: int, filename: str, content: bytes, create_missing: bool = False, dry_run: bool = False
) -> ImportJob:
    """Store an uploaded feed as a queued job; a worker is asked to run it once this commits."""
    with transaction.atomic():
        job = ImportJob.objects.create(
            user_id=user_id,
            filename=Path(filename).name,
            content=content,
            create_missing=create_missing,
            dry_run=dry_run,
        )
        transaction.on_commit(lambda: import_requested.send(sender=ImportJob, job_id=job.pk))
    return job


def _job_lock(job_id: int) -> str:
    return f"import-job:{job_id}"


def import_job_run(*, job_id: int) -> ImportJob:
    """Import a job's feed, keeping its progress on it, then its summary (or its error). A job run
    again after its worker died carries on from the state file in its work directory
    (CATALOG_IMPORT_WORK_DIR); a finished job, or one another worker is running (it holds the
    job's named lock, which MySQL releases when that worker's connection ends), is left as it is,
    so a job requested twice is imported once."""
    with named_lock(name=_job_lock(job_id), wait_seconds=0) as acquired:
        job = ImportJob.objects.get(pk=job_id)
        if not acquired or job.state in (ImportJob.State.DONE, ImportJob.State.FAILED):
            return job
        return _run(job)


def request_stalled_imports(*, waited_seconds: float) -> list[int]:
    """Jobs no worker is importing that should be: queued for longer than `waited_seconds` (the
    request after commit was lost, e.g. the broker was down) or left running by a worker that
    died with its message lost: each is requested again (`import_requested`); returns their ids."""
    stalled = ImportJob.objects.filter(
        state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING],
        created_at__lt=timezone.now() - timedelta(seconds=waited_seconds),
    ).values_list("pk", flat=True)
    orphaned = []
    for job_id in stalled:
        with named_lock(name=_job_lock(job_id), wait_seconds=0) as free:
            if free:
                orphaned.append(job_id)
    for job_id in orphaned:
        import_requested.send(sender=ImportJob, job_id=job_id)
    return orphaned


def _run(job: ImportJob) -> ImportJob:
    directory = Path(settings.CATALOG_IMPORT_WORK_DIR) / f"job-{job.pk}"
    directory.mkdir(parents=True, exist_ok=True)
    feed = directory / f"feed{Path(job.filename).suffix.lower()}"
    if not feed.exists():  # written once: the state file knows the feed by size and mtime
        feed.write_bytes(bytes(job.content))
    job.state, job.started_at, job.rows_total = ImportJob.State.RUNNING, timezone.now(), count_rows(feed)
    job.save(update_fields=["state", "started_at", "rows_total"])
    done = 0
    uploader = get_user_model().objects.filter(pk=job.user_id).first()

    def progress(rows: int) -> None:
        nonlocal done
        done += rows
        ImportJob.objects.filter(pk=job.pk).update(rows_done=done)

    try:
        summary = import_feed(
            path=feed,
            state_path=directory / "state.json",
            origin=history.Origin.of(uploader, channel=history.Channel.IMPORT),
            create_missing=job.create_missing,
            dry_run=job.dry_run,
            progress=progress,
        )
    except Exception as error:
        logger.exception("import %s failed", job.pk)
        job.state, job.error = ImportJob.State.FAILED, f"{type(error).__name__}: {error}"[:4000]
    else:
        job.state, job.report, job.rows_done = ImportJob.State.DONE, asdict(summary), summary.rows
        shutil.rmtree(directory, ignore_errors=True)
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "report", "rows_done", "error", "finished_at"])
    return job


def count_rows(path: Path) -> int:
    """The number of rows of a feed, for a progress bar (a CSV cell spanning lines counts more)."""
    with path.open("rb") as feed:
        lines = sum(1 for line in feed if line.strip())
    return max(lines - 1, 0) if _is_csv(path) else lines


def write_report(summary: ImportSummary, *, path: Path, feed: Path, dry_run: bool) -> None:
    report = {"feed": str(feed), "dry_run": dry_run, **asdict(summary)}
    path.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")


def _import_batch(
    batch: list[tuple[int, Any]], summary: ImportSummary, *, create_missing: bool, origin: history.Origin
) -> None:
    rows = [row for _, row in batch if isinstance(row, dict)]
    if create_missing:
        _create_missing_taxonomy(rows)
    results: Iterator[services.BulkResult] = iter([])
    if rows:
        serializer = ProductBulkSerializer(
            data=[{"op": "upsert", "product": row} for row in rows], context={"user": None}
        )
        serializer.is_valid(raise_exception=True)
        results = iter(services.products_bulk(operations=serializer.validated_data, origin=origin))
    for number, row in batch:
        summary.rows += 1
        # A row that could not be read is its own reason.
        result: services.BulkResult = (
            next(results) if isinstance(row, dict) else {"status": 400, "error": [row]}
        )
        if result["status"] >= 400:
            summary.rejected += 1
            sku = row.get("sku") if isinstance(row, dict) else None
            summary.rejections.append({"line": number, "sku": sku, "reasons": _reasons(result["error"])})
        elif result["result"] == "created":
            summary.created += 1
        elif result["result"] == "noop":
            summary.unchanged += 1
        else:
            summary.updated += 1


def _create_missing_taxonomy(rows: list[Any]) -> None:
    """Create the brands and categories the rows name by slug and that do not exist yet."""
    for model, name, create in (
        (Brand, "brand", services.brand_create),
        (Category, "category", services.category_create),
    ):
        named = {row.get(name) for row in rows if isinstance(row, dict)}
        wanted = {slug for slug in named if isinstance(slug, str) and slug}
        for slug in sorted(
            wanted - set(model.objects.filter(slug__in=wanted).values_list("slug", flat=True))
        ):
            try:
                create(name=slug.replace("-", " ").title(), slug=slug)
            except services.ValidationError:
                # A slug that is no slug, or a name taken: the rows naming it are rejected, with
                # the serializer's reason.
                continue


def _rows(path: Path, *, skip: int) -> Iterator[tuple[int, Any]]:
    """(line number, product fields) of every row after the first `skip`; a row that cannot be
    read (not CSV, not a JSON object, not UTF-8, ...) gives its reason instead of fields, which
    the summary counts as a rejection."""
    # Bytes that are not UTF-8 are kept (as U+DC80-U+DCFF) rather than raised on, so that they
    # reject their own row, not the rest of the feed.
    with path.open(newline="", encoding="utf-8-sig", errors="surrogateescape") as feed:
        if _is_csv(path):
            yield from _csv_rows(feed, skip=skip)
            return
        index = 0
        for number, line in enumerate(feed, 1):
            if not line.strip():
                continue
            if index >= skip:
                yield number, _from_json_line(line)
            index += 1


def _csv_rows(feed: TextIO, *, skip: int) -> Iterator[tuple[int, dict[str, Any] | str]]:
    reader = csv.DictReader(feed)
    header = list(reader.fieldnames or [])
    twice = sorted({name for name in header if header.count(name) > 1})
    index = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # e.g. a cell over the csv module's size limit: that row only
            fields: dict[str, Any] | str = f"Not CSV: {error}."
        else:
            fields = f"The header names {', '.join(twice)} twice." if twice else _from_csv(row)
        if index >= skip:
            yield reader.line_num, fields
        index += 1


def _from_json_line(line: str) -> dict[str, Any] | str:
    if (byte := json_values.undecodable_byte(line)) is not None:
        return f"Not UTF-8: {byte}; save the feed as UTF-8."
    try:
        fields = json_values.within_depth(partial(json.loads, line))
    except ValueError as error:
        return f"Not JSON: {error}"
    except json_values.TooDeep:
        return f"Not a product: {json_values.TOO_DEEP.format(whole='the line')}."
    if not isinstance(fields, dict):
        return "Not a product: each line holds one JSON object of a product's fields."
    # Rejected here rather than by the fields, whose reasons would echo the text into the report.
    return json_values.non_unicode_text(fields, whole="the line") or fields


def _from_csv(row: dict[str | None, Any]) -> dict[str, Any] | str:
    if None in row:  # DictReader's key for cells beyond the header
        return f"The row has {len(row) - 1 + len(row[None])} cells; the header names {len(row) - 1}."
    for name, value in row.items():
        for text, place in ((name, "the header"), (value, name)):
            if text is not None and (byte := json_values.undecodable_byte(text)) is not None:
                return f"{place}: not UTF-8 ({byte}); save the feed as UTF-8."
    fields: dict[str, Any] = {}
    attributes = {}
    for name, value in row.items():
        if name is None or value is None or value == "":  # (None names extra cells: refused above)
            continue
        if name.startswith("attributes."):
            attributes[name.removeprefix("attributes.")] = value
        elif name == "tags":
            fields[name] = [tag.strip() for tag in value.split(CSV_LIST_SEPARATOR) if tag.strip()]
        else:  # numbers and true/false as text: the serializer reads them
            fields[name] = value
    if attributes:
        fields["attributes"] = attributes
    return fields


def _reasons(error: Any, prefix: str = "") -> list[str]:
    """An item's error as flat `field: reason` texts."""
    if isinstance(error, dict):
        if "detail" in error and "code" in error:
            return [f"{prefix}{error['detail']}"]
        return [
            reason
            for name, nested in error.items()
            for reason in _reasons(
                nested, "" if name in ("product", "non_field_errors") else f"{prefix}{name}: "
            )
        ]
    if isinstance(error, list):
        return [reason for nested in error for reason in _reasons(nested, prefix)]
    return [f"{prefix}{error}"]


def _is_csv(path: Path) -> bool:
    return path.suffix.lower() == ".csv"


def _identity(path: Path) -> dict[str, Any]:
    stat = path.stat()
    return {"path": str(path.resolve()), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _save_state(state_path: Path, identity: dict[str, Any], summary: ImportSummary, *, dry_run: bool) -> None:
    if dry_run:
        return
    temporary = state_path.with_suffix(state_path.suffix + ".tmp")
    temporary.write_text(json.dumps({"feed": identity, "summary": asdict(summary)}))
    os.replace(temporary, state_path)  # atomic: an interruption leaves the old state or the new
