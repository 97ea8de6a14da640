"""`manage.py search_index create|rebuild|verify [--repair]|status`: index maintenance."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from elasticsearch import ApiError, TransportError
from tqdm import tqdm

from catalog.models import Product, ProductTombstone
from projection import maintenance
from search import index, languages
from search.client import get_client


class Command(BaseCommand):
    help = "Create, rebuild, verify or inspect the product search index."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser(
            "create",
            help="Create the index and alias if they do not exist; rebuild an index of an older mapping "
            "or of other languages than CATALOG_LANGUAGES.",
        )
        actions.add_parser("rebuild", help="Rebuild from MySQL into a new index; swap the alias.")
        verify = actions.add_parser("verify", help="Compare MySQL and Elasticsearch document by document.")
        verify.add_argument("--repair", action="store_true", help="Fix what verify finds.")
        actions.add_parser("status", help="Alias, index, counts, outbox backlog, dead letters.")

    def handle(self, *args, action: str, **options) -> None:
        try:
            self._run(action, **options)
        except (TransportError, ApiError) as error:
            # An operator's command: one line naming the cluster and what it said, no traceback.
            where = "Elastic Cloud" if settings.ELASTICSEARCH_CLOUD_ID else settings.ELASTICSEARCH_URL
            raise CommandError(f"Elasticsearch ({where}) failed the {action}: {error}") from error

    def _run(self, action: str, **options) -> None:
        if action == "create":
            name = index.ensure_index(get_client())
            self.stdout.write(f"{index.alias_name()} -> {name}")
            if index.mapping_version(name) < index.MAPPING_VERSION:
                # An upgrade changed what documents hold: queries need the new mapping.
                self.stdout.write(f"{name} has an older mapping than v{index.MAPPING_VERSION}; rebuilding")
                self._rebuild()
            elif index.index_languages(get_client(), name) != languages.configured():
                # CATALOG_LANGUAGES changed: each language has its own fields and analysis.
                self.stdout.write(
                    f"{name} was made for other languages than {languages.configured()}; rebuilding"
                )
                self._rebuild()
        elif action == "rebuild":
            self._rebuild()
        elif action == "verify":
            with tqdm(total=Product.objects.count(), desc="verify", unit="product") as bar:
                drift = maintenance.verify(repair=options["repair"], progress=bar.update)
            report = {kind: len(getattr(drift, kind)) for kind in drift.KINDS}
            self.stdout.write(json.dumps({**report, "repaired": options["repair"] and drift.total > 0}))
            if drift.total and not options["repair"]:
                raise CommandError(f"{drift.total} documents differ from MySQL; run with --repair.")
        else:
            self.stdout.write(json.dumps(maintenance.status(), indent=2, default=str))

    def _rebuild(self) -> None:
        total = Product.objects.count() + ProductTombstone.objects.count()
        with tqdm(total=total, desc="rebuild", unit="doc") as bar:
            result = maintenance.rebuild(progress=bar.update)
        self.stdout.write(self.style.SUCCESS(json.dumps(result)))
