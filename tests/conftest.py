"""Fixtures shared by the whole suite: API clients, the per-run search index, and a real
Celery worker process for integration tests."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.celery import app as celery_app
from search import index, recording
from search.client import get_client
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
pytest_plugins = ["tests.browser"]


def wait_until(predicate: Callable[[], Any], *, timeout: float = 10.0, interval: float = 0.1) -> Any:
    """Poll until `predicate()` is truthy; fail the test with a clear message otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s: {getattr(predicate, '__name__', predicate)}")
        time.sleep(interval)


@pytest.fixture(scope="session", autouse=True)
def _per_run_index() -> Iterator[None]:
    """Every run reads and writes its own alias (see config.settings.test); removed at the end."""
    client = get_client()
    client.options(request_timeout=40).cluster.health(wait_for_status="yellow", timeout="30s")
    yield
    index.delete_all_indices(client)


@pytest.fixture
def search_index(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty index behind the run's alias for one test."""
    client = get_client()
    index.delete_all_indices(client)
    name = index.ensure_index(client)
    with session_worker_paused(request):
        yield name


@contextmanager
def session_worker_paused(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests that do not ask for the session's Celery worker project by hand
    (projection.drain.drain_outbox) or start workers of their own, so a session worker left
    running by an earlier test stops taking tasks from the run's queue meanwhile."""
    worker = _running_worker if "celery_worker" not in request.fixturenames else None
    if worker is not None:
        worker.pause()
    yield
    if worker is not None:
        worker.resume()


@pytest.fixture
def search_records(settings) -> Iterator[Any]:
    """The run's own, empty list of search analytics records (a Redis connection to it)."""
    recording.reset()
    queue = recording._redis()
    queue.delete(settings.ANALYTICS_QUEUE_KEY)
    yield queue
    queue.delete(settings.ANALYTICS_QUEUE_KEY)
    recording.reset()


def refresh() -> None:
    get_client().indices.refresh(index=index.alias_name())


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def admin_client(client):
    """A browser session of a superuser, signed in to the admin."""
    User.objects.create_superuser("boss", "boss@example.com", "secret-pass-123")
    client.login(username="boss", password="secret-pass-123")
    return client


@pytest.fixture
def staff_api(db: None) -> APIClient:
    """A client authenticated by token as a user holding every catalog permission."""
    user = factories.user(*factories.CATALOG_PERMISSIONS)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    client.user = user
    return client


@pytest.fixture
def auditor(db: None) -> APIClient:
    """A client authenticated by token as a staff user (with no catalog permission): the one
    kind of user that reads a product's change history."""
    user = User.objects.create_user("auditor", password="secret-pass-123", is_staff=True)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


class WorkerProcess:
    """A real `celery worker` process on the run's own queue, against the test database."""

    def __init__(self, name: str = "worker") -> None:
        self.name = name
        self.process: subprocess.Popen | None = None
        self.log_path = ROOT / ".var" / "log" / f"test-{name}-{settings.RUN_ID}.log"

    def environment(self) -> dict[str, str]:
        database = connection.settings_dict
        url = (
            f"mysql://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 3306}/{database['NAME']}"
        )
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": url,
            # the test's Elasticsearch, which may be another than the run's (a cluster)
            "ELASTICSEARCH_URL": settings.ELASTICSEARCH_URL,
            "ELASTICSEARCH_REPLICAS": str(settings.ELASTICSEARCH_REPLICAS),
            "ELASTICSEARCH_INDEX_ALIAS": settings.ELASTICSEARCH_INDEX_ALIAS,
            "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        }

    def argv(self) -> list[str]:
        return [sys.executable, "-m", "celery", "-A", "config", *self.command()]

    def command(self) -> list[str]:
        return [
            *("worker", "--pool", "prefork", "--concurrency", "1", "--hostname", self.hostname),
            *("--queues", settings.CELERY_TASK_DEFAULT_QUEUE, "--loglevel", "INFO"),
            *("--without-heartbeat", "--without-gossip", "--without-mingle"),
        ]

    ready_marker = b" ready."

    def start(self) -> "WorkerProcess":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        # A restart appends to the same log: only what this start writes tells it is ready.
        self.log_start = log.tell()
        self.process = subprocess.Popen(
            self.argv(),
            cwd=ROOT,
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(self._ready, timeout=60)
        return self

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            pytest.fail(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
        with self.log_path.open("rb") as log:
            log.seek(self.log_start)
            return self.ready_marker in log.read()

    @property
    def hostname(self) -> str:
        return f"{self.name}-{settings.RUN_ID}@{socket.gethostname()}"

    def pause(self) -> None:
        """Stop taking tasks from the queue and wait until the task in hand is finished."""
        celery_app.control.cancel_consumer(
            settings.CELERY_TASK_DEFAULT_QUEUE, destination=[self.hostname], reply=True, timeout=5
        )
        inspect = celery_app.control.inspect(destination=[self.hostname], timeout=5)

        def idle() -> bool:
            active, reserved = inspect.active() or {}, inspect.reserved() or {}
            return active.get(self.hostname) == [] and reserved.get(self.hostname) == []

        wait_until(idle, timeout=30)

    def resume(self) -> None:
        celery_app.control.add_consumer(
            settings.CELERY_TASK_DEFAULT_QUEUE, destination=[self.hostname], reply=True, timeout=5
        )

    def kill(self) -> None:
        """SIGKILL the whole process group, as an OOM killer or a lost machine would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


class BeatProcess(WorkerProcess):
    """A real `celery beat` process: runs the outbox relay on its schedule."""

    ready_marker = b"beat: Starting"

    def command(self) -> list[str]:
        schedule = self.log_path.with_suffix(".schedule")
        return ["beat", "--loglevel", "INFO", "--schedule", str(schedule)]


_running_worker: WorkerProcess | None = None


@pytest.fixture(scope="session")
def celery_worker(django_db_setup: None, django_db_blocker: Any) -> Iterator[WorkerProcess]:
    global _running_worker
    with django_db_blocker.unblock():
        _running_worker = WorkerProcess().start()
    yield _running_worker
    _running_worker.stop()
    _running_worker = None
