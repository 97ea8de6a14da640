"""Boots the 3-node Elasticsearch cluster of test_cluster_faults.py in the background as soon as a
run selects that test, so that its JVMs start (about a minute of both cores here) while the
tests collected before it run, instead of in front of it."""

import subprocess
import tempfile
from dataclasses import dataclass
from typing import IO

import pytest

from tests.conftest import ROOT

CLUSTER_TEST_FILE = "test_cluster_faults.py"


@dataclass
class ClusterStart:
    """`scripts/services.sh cluster-up` running in the background, its output in temporary files."""

    process: subprocess.Popen
    stdout: IO[str]
    stderr: IO[str]
    claimed: bool = False

    def result(self, timeout: float) -> tuple[int, str, str]:
        """Wait for the start to end: its exit status, output and errors."""
        self.process.wait(timeout=timeout)
        self.stdout.seek(0)
        self.stderr.seek(0)
        return self.process.returncode, self.stdout.read(), self.stderr.read()


_cluster_start: ClusterStart | None = None


def cluster_start() -> ClusterStart | None:
    """The background start of this run, for the one fixture that takes it over (and so stops
    the nodes after its module); None when none was begun or it was taken already."""
    start = _cluster_start
    if start is None or start.claimed:
        return None
    start.claimed = True
    return start


def pytest_collection_finish(session: pytest.Session) -> None:
    global _cluster_start
    if session.config.option.collectonly or not any(
        item.path.name == CLUSTER_TEST_FILE for item in session.items
    ):
        return
    # read once the start ends, which is after this hook returns
    stdout, stderr = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")  # noqa: SIM115
    process = subprocess.Popen(
        ["scripts/services.sh", "cluster-up"], cwd=ROOT, stdout=stdout, stderr=stderr, text=True
    )
    _cluster_start = ClusterStart(process, stdout, stderr)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A run that ended before the cluster's module (a failure under -x, a Ctrl-C) stops the
    nodes it started."""
    start = _cluster_start
    if start is None or start.claimed:
        return
    status, output, _ = start.result(timeout=900)
    if status == 0 and "(started)" in output:
        subprocess.run(["scripts/services.sh", "cluster-down"], cwd=ROOT, capture_output=True, timeout=300)
