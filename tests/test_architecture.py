"""The dependency rule: the write side imports nothing of the projection or the read side, the
read side nothing of the write side or the projection, the storefront nothing but Django
(import-linter's contracts in pyproject.toml), and the check really catches an import that goes
the wrong way."""

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("catalog", "projection", "search", "analytics", "tasks", "api", "storefront", "config", "shared")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy_of_the_code(destination: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, destination / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", destination)
    return destination


def test_every_import_points_the_one_way(tmp_path):
    result = _lint_imports(_copy_of_the_code(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 6 kept, 0 broken." in result.stdout


def test_a_write_side_import_of_the_read_side_breaks_the_check(tmp_path):
    tree = _copy_of_the_code(tmp_path)
    with (tree / "catalog" / "services.py").open("a") as services:
        services.write("\nfrom search import queries  # noqa: E402, F401\n")

    result = _lint_imports(tree)

    assert result.returncode == 1
    assert "The write side imports neither" in result.stdout and "BROKEN" in result.stdout
    assert "catalog.services -> search.queries" in result.stdout


def test_a_read_side_import_of_the_write_models_breaks_the_check(tmp_path):
    tree = _copy_of_the_code(tmp_path)
    with (tree / "search" / "queries.py").open("a") as queries:
        queries.write("\nfrom catalog.models import Product  # noqa: E402, F401\n")

    result = _lint_imports(tree)

    assert result.returncode == 1
    assert "search.queries -> catalog.models" in result.stdout


def test_a_storefront_import_of_the_write_models_breaks_the_check(tmp_path):
    tree = _copy_of_the_code(tmp_path)
    with (tree / "storefront" / "views.py").open("a") as views:
        views.write("\nfrom catalog.models import Product  # noqa: E402, F401\n")

    result = _lint_imports(tree)

    assert result.returncode == 1
    assert "The storefront imports neither" in result.stdout and "BROKEN" in result.stdout
    assert "storefront.views -> catalog.models" in result.stdout


def test_a_read_side_import_of_the_analytics_models_breaks_the_check(tmp_path):
    # the read side hands its records to Redis; only the analytics app knows their tables
    tree = _copy_of_the_code(tmp_path)
    with (tree / "search" / "recording.py").open("a") as recording:
        recording.write("\nfrom analytics.models import SearchRecord  # noqa: E402, F401\n")

    result = _lint_imports(tree)

    assert result.returncode == 1
    assert "search.recording -> analytics.models" in result.stdout


def test_the_image_and_the_package_carry_every_app():
    dockerfile = (ROOT / "Dockerfile").read_text()
    pyproject = (ROOT / "pyproject.toml").read_text()

    for package in PACKAGES:
        assert f"COPY {package} {package}" in dockerfile, package
        assert f'"{package}*"' in pyproject, package
