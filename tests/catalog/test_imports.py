"""`manage.py import_products`: CSV and JSON lines feeds upserted by sku, the summary and report,
a dry run, brands and categories by slug, and carrying on after an interruption."""

import csv
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalog import imports, services
from catalog.models import Brand, Category, Product
from projection.models import OutboxEntry
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = ["sku", "name", "brand", "category", "price", "stock", "tags", "attributes.material"]


def _write_csv(path: Path, rows: list[list]) -> Path:
    with path.open("w", newline="") as feed:
        writer = csv.writer(feed)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _feed_rows(count: int, *, bad_every: int = 0) -> list[list]:
    rows = []
    for number in range(count):
        price = "-5" if bad_every and number % bad_every == 7 else f"{10 + number % 90}.50"
        rows.append(
            [f"FEED-{number:05d}", f"Feed lamp {number}", "lumen", "lamps", price, number % 7, "a|b", "oak"]
        )
    return rows


@pytest.fixture
def taxonomy():
    return factories.brand("Lumen", slug="lumen"), factories.category("Lamps", slug="lamps")


def _import(path: Path, *args: str) -> dict:
    call_command("import_products", str(path), *args, verbosity=0)
    return json.loads(path.with_name(path.name + ".report.json").read_text())


# 10,000 rows take about 2 minutes on a loaded 2-core machine.
@pytest.mark.timeout(600)
def test_a_10000_row_csv_with_1_percent_bad_rows_gives_the_right_counts_and_report(tmp_path, taxonomy):
    # given a feed of 10,000 products, every 100th with a negative price
    feed = _write_csv(tmp_path / "feed.csv", _feed_rows(10_000, bad_every=100))

    # when it is imported
    report = _import(feed)

    # then 9,900 are created and 100 rejected, each named by its line, sku and reason
    assert (
        report["rows"],
        report["created"],
        report["updated"],
        report["unchanged"],
        report["rejected"],
    ) == (
        10_000,
        9_900,
        0,
        0,
        100,
    )
    first = report["rejections"][0]
    assert first["line"] == 9 and first["sku"] == "FEED-00007"  # header is line 1
    assert first["reasons"] == ["price: Ensure this value is greater than or equal to 0."]
    assert Product.objects.count() == 9_900
    lamp = Product.objects.get(sku="FEED-00001")
    assert (lamp.brand.slug, lamp.tags, lamp.attributes) == ("lumen", ["a", "b"], {"material": "oak"})
    assert OutboxEntry.objects.count() == 9_900


def test_a_feed_imported_again_changes_only_what_changed(tmp_path, taxonomy):
    # given an imported feed of 300 products
    rows = _feed_rows(300)
    _import(_write_csv(tmp_path / "feed.csv", rows))
    outbox = OutboxEntry.objects.count()

    # when it is imported again with two prices changed
    rows[5][4], rows[250][4] = "1.00", "2.00"
    again = _import(_write_csv(tmp_path / "feed.csv", rows), "--restart")

    # then those two are updated, at version 2, and the rest are unchanged, with no new version
    assert (again["created"], again["updated"], again["unchanged"], again["rejected"]) == (0, 2, 298, 0)
    assert OutboxEntry.objects.count() == outbox + 2
    assert set(Product.objects.filter(version=2).values_list("sku", flat=True)) == {
        "FEED-00005",
        "FEED-00250",
    }


def test_a_dry_run_counts_and_writes_nothing(tmp_path, taxonomy):
    factories.product(sku="FEED-00000", category=taxonomy[1])
    feed = _write_csv(tmp_path / "feed.csv", _feed_rows(30, bad_every=10))
    outbox = OutboxEntry.objects.count()

    report = _import(feed, "--dry-run", "--create-missing")

    assert report["dry_run"] is True
    assert (report["created"], report["updated"], report["rejected"]) == (26, 1, 3)
    assert Product.objects.count() == 1 and OutboxEntry.objects.count() == outbox


def test_brands_and_categories_are_created_by_slug_only_when_asked(tmp_path):
    feed = _write_csv(tmp_path / "feed.csv", _feed_rows(3))

    refused = _import(feed)
    assert refused["rejected"] == 3
    assert "brand: Object with slug=lumen does not exist." in refused["rejections"][0]["reasons"]

    created = _import(feed, "--restart", "--create-missing")
    assert created["created"] == 3
    assert Brand.objects.get(slug="lumen").name == "Lumen" and Category.objects.filter(slug="lamps").exists()


def test_an_interrupted_import_carries_on_where_it_stopped(tmp_path, taxonomy, monkeypatch):
    # given a feed of 5 batches, and an import that dies during the third
    feed = _write_csv(tmp_path / "feed.csv", _feed_rows(50))
    real_bulk, calls = services.products_bulk, []

    def dies_at_the_third_batch(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_bulk(**kwargs)

    monkeypatch.setattr(services, "products_bulk", dies_at_the_third_batch)
    with pytest.raises(KeyboardInterrupt):
        call_command("import_products", str(feed), "--batch-size", "10", verbosity=0)
    assert Product.objects.count() == 20

    # when it is run again
    monkeypatch.setattr(services, "products_bulk", real_bulk)
    report = _import(feed, "--batch-size", "10")

    # then it starts after the committed batches and the summary covers the whole file
    assert (report["rows"], report["created"], report["unchanged"]) == (50, 50, 0)
    assert Product.objects.count() == 50 and OutboxEntry.objects.count() == 50


def test_json_lines_feeds_take_variants_and_name_their_bad_lines(tmp_path, taxonomy):
    feed = tmp_path / "feed.jsonl"
    shirt = {
        "sku": "TEE",
        "name": "Tee",
        "category": "lamps",
        "variants": [{"sku": "TEE-S", "options": {"size": "S"}, "price": "9.00"}],
    }
    feed.write_text(json.dumps(shirt) + "\n\n{not json\n" + json.dumps({"sku": "X"}) + "\n")

    report = _import(feed)

    assert (report["created"], report["rejected"]) == (1, 2)
    assert report["rejections"][0]["line"] == 3 and report["rejections"][0]["reasons"][0].startswith(
        "Not JSON"
    )
    assert report["rejections"][1]["reasons"] == [
        "name: This field is required.",
        "category: This field is required.",
    ]
    assert Product.objects.get(sku="TEE").variants.get().sku == "TEE-S"
    assert imports.count_rows(feed) == 3


def test_rows_that_are_not_unicode_are_rejected_each_and_the_rest_imported(tmp_path, taxonomy):
    # given a CSV exported as Latin-1 on one row ("Café"), and a JSON lines feed whose second line
    # names a product with half a UTF-16 surrogate pair (an escape JSON allows)
    csv_feed = tmp_path / "feed.csv"
    csv_feed.write_bytes(
        b"sku,name,category,price\r\n"
        b"U-1,Lamp,lamps,1.00\r\n"
        b"U-2,Caf\xe9 lamp,lamps,1.00\r\n"
        b"U-3,Desk lamp,lamps,1.00\r\n"
    )
    lines_feed = tmp_path / "feed.jsonl"
    lines = [
        {"sku": "U-4", "name": "Floor lamp", "category": "lamps", "price": "1.00"},
        {"sku": "U-5", "name": "Half \ud800", "category": "lamps", "price": "1.00"},
    ]
    lines_feed.write_text("\n".join(json.dumps(line) for line in lines) + "\n")

    # when both are imported
    csv_report, lines_report = _import(csv_feed), _import(lines_feed)

    # then each bad row is rejected with where and why, the others are imported, and the reports
    # (UTF-8 files) were written
    assert (csv_report["created"], csv_report["rejected"]) == (2, 1)
    assert csv_report["rejections"][0]["line"] == 3
    assert csv_report["rejections"][0]["reasons"] == [
        "name: not UTF-8 (byte 0xE9 at column 4); save the feed as UTF-8."
    ]
    assert (lines_report["created"], lines_report["rejected"]) == (1, 1)
    assert lines_report["rejections"][0]["reasons"] == [
        "name: the text holds half of a UTF-16 surrogate pair, which is no character"
    ]
    assert set(Product.objects.filter(sku__startswith="U-").values_list("sku", flat=True)) == {
        "U-1",
        "U-3",
        "U-4",
    }


def test_rows_that_are_no_product_are_rejected_each_and_the_rest_imported(tmp_path, taxonomy):
    # given a CSV with a cell over the csv module's size limit between two good rows, and a JSON
    # lines feed holding an array, a text, a list as sku and nesting deeper than any product
    csv_feed = tmp_path / "feed.csv"
    csv_feed.write_text(
        "sku,name,category,price\n"
        "C-1,Lamp,lamps,1.00\n"
        f"C-2,{'x' * 200_000},lamps,1.00\n"
        "C-3,Desk lamp,lamps,1.00\n"
    )
    lines_feed = tmp_path / "feed.jsonl"
    good = json.dumps({"sku": "J-1", "name": "Floor lamp", "category": "lamps", "price": "1.00"})
    lines_feed.write_text("\n".join([good, "[1, 2]", '"lamp"', '{"sku": ["J-2"]}', "[" * 5000]) + "\n")

    # when both are imported
    csv_report, lines_report = _import(csv_feed), _import(lines_feed)

    # then each bad row is rejected with its reason, and the good ones are imported
    assert (csv_report["created"], csv_report["rejected"]) == (2, 1)
    assert csv_report["rejections"][0]["reasons"] == ["Not CSV: field larger than field limit (131072)."]
    assert (lines_report["created"], lines_report["rejected"]) == (1, 4)
    assert [rejection["reasons"][0] for rejection in lines_report["rejections"]] == [
        "Not a product: each line holds one JSON object of a product's fields.",
        "Not a product: each line holds one JSON object of a product's fields.",
        "sku: Not a valid string.",
        "Not a product: the line is nested more than 32 levels deep.",
    ]
    assert set(Product.objects.values_list("sku", flat=True)) == {"C-1", "C-3", "J-1"}


def test_a_header_naming_a_column_twice_rejects_every_row(tmp_path, taxonomy):
    # (which of the two cells would be meant cannot be known)
    feed = tmp_path / "feed.csv"
    feed.write_text("sku,name,sku,category,price\nD-1,Lamp,D-2,lamps,1.00\n")

    report = _import(feed)

    assert (report["created"], report["rejected"]) == (0, 1)
    assert report["rejections"][0]["reasons"] == ["The header names sku twice."]
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        (["--report", "/nonexistent/directory/report.json"], "no such directory for the report"),
        (["--batch-size", "0"], "1 or more"),
        (["--batch-size", "-5"], "1 or more"),
    ],
)
def test_bad_options_are_refused_before_any_row_is_written(tmp_path, taxonomy, options, reason):
    # given a good feed
    feed = _write_csv(tmp_path / "feed.csv", _feed_rows(3))

    # when the import is asked for a report where none can be written, or batches of no rows
    with pytest.raises(CommandError, match=reason):
        call_command("import_products", str(feed), *options, verbosity=0)

    # then it stops before writing anything (before, it imported a batch and then failed)
    assert not Product.objects.exists()
