"""py-spy profiles, summarised as the frames that hold the most wall-clock time (idle included,
so waiting on MySQL or Elasticsearch shows up as such)."""

import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from . import env

PY_SPY = shutil.which("py-spy") or str(Path(env.PYTHON).with_name("py-spy"))
_LOCATION = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def available() -> bool:
    return Path(PY_SPY).exists()


def record_command(command: list[str], output: Path, rate: int = 100) -> None:
    subprocess.run(
        [PY_SPY, "record", "--idle", "--format", "raw", "-r", str(rate), "-o", str(output), "--", *command],
        cwd=env.ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def record_pid(pid: int, output: Path, seconds: int, rate: int = 100) -> subprocess.Popen:
    return subprocess.Popen(
        [
            PY_SPY,
            "record",
            "--idle",
            "--subprocesses",
            "--format",
            "raw",
            "-r",
            str(rate),
            "-d",
            str(seconds),
            "-o",
            str(output),
            "--pid",
            str(pid),
        ],
        cwd=env.ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _frame(raw: str) -> str:
    match = _LOCATION.match(raw.strip())
    if not match:
        return raw.strip()
    path = match["file"]
    for marker in ("site-packages/", f"{env.ROOT}/", "python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{match['func']} ({path})"


def _stacks(raw_file: Path, *, within: str | None) -> Iterator[tuple[list[str], int]]:
    """(frames from the root, sample count) of each collapsed stack py-spy wrote; with `within`,
    only stacks through a frame containing it, cut to start there."""
    for line in raw_file.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        frames = [_frame(part) for part in stack.split(";")]
        if within is not None:
            positions = [i for i, frame in enumerate(frames) if within in frame]
            if not positions:
                continue
            frames = frames[positions[0] :]
        yield frames, int(count_text)


def summarize(raw_file: Path, *, within: str | None = None, top: int = 14) -> list[tuple[str, float, float]]:
    """(frame, inclusive share, self share) of the frames with most inclusive time; only stacks
    that pass through a frame containing `within` count (e.g. the request handler)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for frames, count in _stacks(raw_file, within=within):
        total += count
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count
    if not total:
        return []
    rows = [(frame, n / total, own[frame] / total) for frame, n in inclusive.most_common()]
    return [row for row in rows if row[1] < 0.999][:top]


# Where the read side builds Elasticsearch requests and shapes their answers.
_READ_SIDE_QUERY_MODULES = (
    "search/queries.py",
    "search/query_building.py",
    "search/paging.py",
    "search/api/pagination.py",
    "search/api/shapes.py",
)

BUCKETS = [
    # (label, test on the whole stack); the first that matches a sample takes it
    ("waiting for Elasticsearch (socket read)", lambda fs: _es(fs) and _leaf_io(fs)),
    (
        "Elasticsearch client: request building, JSON, HTTP",
        _es := lambda fs: any(
            m in f for f in fs for m in ("elasticsearch/", "elastic_transport/", "urllib3/")
        ),
    ),
    ("waiting for MySQL (socket / query)", lambda fs: any("MySQLdb" in f for f in fs) and _leaf_io(fs)),
    ("Django ORM: SQL compile + model rows", lambda fs: any("django/db/" in f for f in fs)),
    ("Redis (throttle counters)", lambda fs: any("redis/" in f for f in fs)),
    (
        "building documents (search/documents.py, projection/reading.py)",
        lambda fs: any(m in f for f in fs for m in ("search/documents.py", "projection/reading.py")),
    ),
    (
        "query building / response shaping (search/queries.py, its builders, the API shapes)",
        lambda fs: any(m in f for f in fs for m in _READ_SIDE_QUERY_MODULES),
    ),
    (
        "DRF rendering / serializers",
        lambda fs: any("rest_framework/render" in f or "serializers" in f for f in fs),
    ),
    ("progress bar (tqdm)", lambda fs: any("tqdm/" in f for f in fs)),
]


def _leaf_io(frames: list[str]) -> bool:
    leaf = frames[-1]
    return any(
        m in leaf for m in ("readinto", "recv", "_read_status", "select", "poll", "_query", "read_query")
    )


def buckets(raw_file: Path, *, within: str | None = None) -> list[tuple[str, float]]:
    """Share of wall time per coarse activity (first matching bucket wins; the rest is 'other')."""
    totals: Counter[str] = Counter()
    for frames, count in _stacks(raw_file, within=within):
        label = next((name for name, test in BUCKETS if test(frames)), "other (Django / DRF / Python)")
        totals[label] += count
    total = sum(totals.values()) or 1
    return [(label, n / total) for label, n in totals.most_common()]


def bucket_table(rows: list[tuple[str, float]]) -> str:
    lines = ["| where the time goes | share |", "| --- | ---: |"]
    lines += [f"| {label} | {share:.0%} |" for label, share in rows]
    return "\n".join(lines)


def table(rows: list[tuple[str, float, float]]) -> str:
    lines = ["| frame | inclusive | self |", "| --- | ---: | ---: |"]
    lines += [f"| `{frame}` | {inc:.0%} | {own:.0%} |" for frame, inc, own in rows]
    return "\n".join(lines)
