"""django-elasticsearch-dsl's own `search_index` command, unchanged, under another name: the
project's `search` app already owns `search_index`."""

from django_elasticsearch_dsl.management.commands.search_index import Command as PeerCommand


class Command(PeerCommand):
    pass
