"""The raw ceiling of a reindex, run as its own process: build every document in memory first
(with the rebuild's own reader, projection.maintenance.document_chunks; untimed), then time only the
client's bulk helper sending them into a fresh index with our settings, mapping and (orjson)
serializers.

python -m bench.raw_bulk --helper bulk|parallel --chunk 1000 [--threads 2]  (prints JSON)"""

import argparse
import json
import os
import time
from collections import deque

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--helper", choices=["bulk", "parallel"], default="bulk")
    parser.add_argument("--chunk", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()

    from django.conf import settings
    from elasticsearch import Elasticsearch, helpers

    from projection.maintenance import document_chunks
    from search import index
    from search.client import SERIALIZERS

    name = f"{index.alias_name()}-raw-{os.getpid()}"
    build_started = time.perf_counter()
    actions = [
        {
            "_index": name,
            "_id": str(document["id"]),
            "version": document["version"],
            "version_type": "external",
            "_source": document,
        }
        for documents in document_chunks()
        for document in documents
    ]
    build_seconds = time.perf_counter() - build_started

    client = Elasticsearch(settings.ELASTICSEARCH_URL, request_timeout=120, serializers=SERIALIZERS)
    started = time.perf_counter()
    index.create_index(client, name)
    client.indices.put_settings(index=name, settings={"refresh_interval": "-1"})
    if options.helper == "bulk":
        helpers.bulk(client, actions, chunk_size=options.chunk, max_chunk_bytes=200 * 1024 * 1024)
    else:
        deque(
            helpers.parallel_bulk(
                client,
                actions,
                chunk_size=options.chunk,
                thread_count=options.threads,
                max_chunk_bytes=200 * 1024 * 1024,
            ),
            maxlen=0,
        )
    client.indices.put_settings(index=name, settings={"refresh_interval": "1s"})
    client.indices.refresh(index=name)
    seconds = time.perf_counter() - started
    count = client.count(index=name)["count"]
    client.indices.delete(index=name)
    print(json.dumps({"seconds": seconds, "docs": count, "build_seconds": build_seconds}))


if __name__ == "__main__":
    main()
