"""Where the benchmarks run: a bench-only database, Elasticsearch alias and Celery queue, so they
never touch the dev catalog or a test run. Must be imported before Django is set up."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
CELERY = str(Path(PYTHON).with_name("celery"))
WEB_PORT = int(os.environ.get("BENCH_WEB_PORT", "8111"))
PEER_WEB_PORT = WEB_PORT + 1
UNKNOWN_THREAD = 1094  # MariaDB's error for KILL of a thread that is gone


def configure(*, smoke: bool, throttle_rate: str = "100000/s", suffix: str = "") -> dict[str, str]:
    """Point this process (and every subprocess it starts) at bench-only names (`suffix` names
    the run's own database and indices, e.g. for a comparison beside the full bench)."""
    suffix = suffix or (f"smoke_{os.getpid()}" if smoke else "full")
    base = urlsplit(os.environ.get("DATABASE_URL", "mysql://catalog:catalog@127.0.0.1:3306/catalog"))
    database = f"catalog_bench_{suffix}"
    names = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": urlunsplit(base._replace(path=f"/{database}")),
        "ELASTICSEARCH_INDEX_ALIAS": f"bench-{suffix.replace('_', '-')}-products",
        "BENCH_PEER_INDEX": f"bench-{suffix.replace('_', '-')}-dedsl",
        "CELERY_TASK_DEFAULT_QUEUE": f"bench-{suffix}",
        "THROTTLE_ANON_RATE": throttle_rate,
        "THROTTLE_USER_RATE": throttle_rate,
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.update(names)
    os.environ["BENCH_DATABASE"] = database
    return names


def _mysql(sql: str) -> list[tuple]:
    import MySQLdb

    url = urlsplit(os.environ["DATABASE_URL"])
    connection = MySQLdb.connect(
        host=url.hostname or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "",
        password=url.password or "",
    )
    try:
        cursor = connection.cursor()
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        connection.close()


def create_database() -> None:
    database = os.environ["BENCH_DATABASE"]
    _mysql(f"DROP DATABASE IF EXISTS `{database}`")
    _mysql(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")


def drop_database() -> None:
    _mysql(f"DROP DATABASE IF EXISTS `{os.environ['BENCH_DATABASE']}`")


def kill_queries() -> None:
    """Stop the queries still running in the bench database: MariaDB goes on with a query whose
    client has gone (an abandoned icontains scan at 1M products runs for minutes) and would slow
    the next measurement."""
    import MySQLdb

    database = os.environ["BENCH_DATABASE"]
    running = _mysql(
        "SELECT id FROM information_schema.processlist"
        f" WHERE db = '{database}' AND command = 'Query' AND id <> CONNECTION_ID()"
    )
    for (thread,) in running:
        try:
            _mysql(f"KILL QUERY {int(thread)}")
        except MySQLdb.OperationalError as error:
            if error.args[0] != UNKNOWN_THREAD:  # it ended meanwhile
                raise


def delete_indices() -> None:
    from elasticsearch import Elasticsearch

    client = Elasticsearch(os.environ.get("ELASTICSEARCH_URL", "http://127.0.0.1:9200"), request_timeout=60)
    for prefix in (os.environ["ELASTICSEARCH_INDEX_ALIAS"], os.environ["BENCH_PEER_INDEX"]):
        client.indices.delete(index=f"{prefix}*", ignore_unavailable=True, allow_no_indices=True)


def manage(*args: str) -> list[str]:
    return [PYTHON, str(ROOT / "manage.py"), *args]


def run_quiet(command: list[str]) -> None:
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def wait_for_elasticsearch(timeout: float = 600) -> None:
    """Other people's test suites on this machine stop and restart the shared Elasticsearch (the
    fault-injection suite does it on purpose): wait until it answers again before measuring."""
    import json
    import time
    import urllib.request

    url = os.environ.get("ELASTICSEARCH_URL", "http://127.0.0.1:9200").rstrip("/")
    deadline = time.monotonic() + timeout
    warned = False
    while True:
        try:
            with urllib.request.urlopen(
                f"{url}/_cluster/health?wait_for_status=yellow&timeout=5s", timeout=10
            ) as r:
                if json.load(r)["status"] in ("green", "yellow"):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("Elasticsearch did not come back")
        if not warned:
            print("  Elasticsearch is not answering (restarted by someone else?); waiting", flush=True)
            warned = True
        time.sleep(3)
