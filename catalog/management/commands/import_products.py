"""`python manage.py import_products FILE`: a CSV or JSON lines feed of products, upserted by sku
(see catalog.imports), with a progress bar, a dry run, and a report of what happened."""

import argparse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from catalog import imports
from catalog.validators import FEED_SUFFIXES


class Command(BaseCommand):
    help = "Import products from a CSV or JSON lines file (upsert by sku); resumable after an interruption."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate and count, write nothing")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="create brands and categories named by unknown slugs",
        )
        parser.add_argument("--report", type=Path, help="the report file (default: FILE.report.json)")
        parser.add_argument(
            "--restart",
            action="store_true",
            help="forget the state of an earlier, interrupted run of this file and start from its first row",
        )
        parser.add_argument(
            "--batch-size", type=_positive, help="rows per bulk call (default: CATALOG_BULK_MAX_OPERATIONS)"
        )

    def handle(self, *args, file: Path, dry_run: bool, create_missing: bool, **options) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        if file.suffix.lower() not in FEED_SUFFIXES:
            raise CommandError(f"{file}: expected a .csv, .jsonl or .ndjson file.")
        report = options["report"] or file.with_name(file.name + ".report.json")
        # Checked before any row is written: the state file, written after each batch, goes there too.
        if not report.parent.is_dir():
            raise CommandError(f"{report.parent}: no such directory for the report.")
        state = report.with_name(report.name + ".state")
        if options["restart"]:
            state.unlink(missing_ok=True)
        with tqdm(
            total=imports.count_rows(file), desc="rows", unit="row", disable=options["verbosity"] == 0
        ) as bar:
            summary = imports.import_feed(
                path=file,
                state_path=state,
                create_missing=create_missing,
                dry_run=dry_run,
                batch_size=options["batch_size"],
                progress=bar.update,
            )
        imports.write_report(summary, path=report, feed=file, dry_run=dry_run)
        self.stdout.write(
            f"{'Dry run: ' if dry_run else ''}{summary.rows} rows: {summary.created} created, "
            f"{summary.updated} updated, {summary.unchanged} unchanged, {summary.rejected} rejected. "
            f"Report: {report}"
        )


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of rows, 1 or more, not {text!r}")
    return number
