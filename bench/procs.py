"""Subprocess helpers: run a command and measure its wall time and peak RSS (os.wait4 returns the
kernel's ru_maxrss for that child, so no sampling can miss the peak), and run services."""

import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass

from . import env


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float
    stdout: str


def measure(command: list[str], *, show_progress: bool = True, attempts: int = 2) -> Measured:
    """Run and measure; a failed run (e.g. the shared Elasticsearch restarted under it) is retried
    once after Elasticsearch answers again."""
    for attempt in range(attempts):
        env.wait_for_elasticsearch()
        try:
            return _measure(command, show_progress=show_progress)
        except RuntimeError as error:
            if attempt == attempts - 1:
                raise
            print(f"  retrying after failure: {str(error)[-300:]}", flush=True)
    raise AssertionError("unreachable")


def _measure(command: list[str], *, show_progress: bool) -> Measured:
    with tempfile.TemporaryFile(mode="w+") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=env.ROOT, stdout=out, stderr=None if show_progress else subprocess.DEVNULL
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}: {text[-2000:]}")
    return Measured(seconds=seconds, peak_rss_mb=usage.ru_maxrss / 1024, stdout=text)


class Service:
    """A long-running subprocess (gunicorn, a Celery worker), stopped by its own pid."""

    def __init__(self, name: str, command: list[str], log_path: str) -> None:
        self.name = name
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command, cwd=env.ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop(self, *, graceful: bool = True) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM if graceful else signal.SIGKILL)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


def web_model(*, workers: int, threads: int) -> str:
    """How `start_web` serves with these options, in words."""
    return f"{workers} sync workers" if threads == 1 else f"{workers} gthread workers of {threads} threads"


def _served(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def start_web(
    log_dir: str,
    *,
    workers: int = 3,
    threads: int = 1,
    asgi: bool = False,
    port: int = env.WEB_PORT,
    name: str = "gunicorn",
) -> Service:
    """Our gunicorn: sync workers, gthread workers with `threads` threads each, or (`asgi`)
    uvicorn workers serving Django's ASGI handler."""
    # A server left on the port would pass the health check below and be measured instead. One
    # stopped a moment ago may still be closing: the workers of a killed gunicorn outlive its master.
    deadline = time.monotonic() + 5
    while _served(port):
        if time.monotonic() > deadline:
            raise RuntimeError(f"port {port} is already served by another process; stop it first")
        time.sleep(0.1)
    if asgi:
        app, model = "config.asgi:application", ["--worker-class", "uvicorn_worker.UvicornWorker"]
    else:
        app, model = (
            "config.wsgi",
            ["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else [],
        )
    service = Service(
        name,
        [
            env.GUNICORN,
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            *model,
            "--timeout",
            "60",
        ],
        f"{log_dir}/{name}.log",
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return service
        except OSError:
            if service.process.poll() is not None:
                break
            time.sleep(0.3)
    service.stop()
    raise RuntimeError(f"gunicorn did not start; see {log_dir}/{name}.log")


def start_worker(log_dir: str, concurrency: int = 2, name: str = "celery") -> Service:
    """A Celery worker on the bench queue; its node name is `bench-<name>-<our pid>@<host>`."""
    return Service(
        name,
        [
            env.CELERY,
            "-A",
            "config",
            "worker",
            "--loglevel",
            "WARNING",
            "--concurrency",
            str(concurrency),
            "--hostname",
            f"bench-{name}-{os.getpid()}@%h",
        ],
        f"{log_dir}/{name}.log",
    )
