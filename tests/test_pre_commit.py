"""The pre-commit hooks run exactly the checks `make test` runs before the suite (`make lint`,
`make typecheck`), so a commit that passes them passes those, and the two lists cannot drift."""

import re
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")


def make_recipe(target: str) -> list[str]:
    """The commands of a Makefile target, with $(BIN) spelt out."""
    makefile = (ROOT / "Makefile").read_text()
    body = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert body, f"no `{target}` target in the Makefile"
    return [line.strip().replace("$(BIN)", ".venv/bin") for line in body.group(1).splitlines()]


def hook_commands() -> list[str]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    # Local tools only (no hook repository to download), run once over the whole tree as make
    # runs them, rather than on the changed files (import contracts and types span files).
    assert {repo["repo"] for repo in config["repos"]} == {"local"}
    assert all(hook["language"] == "system" and hook["pass_filenames"] is False for hook in hooks)
    return [hook["entry"] for hook in hooks]


def test_the_hooks_run_exactly_the_checks_make_test_runs_first():
    prerequisites = re.search(r"^test:(.*)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert prerequisites and {"lint", "typecheck"} <= set(prerequisites.group(1).split())
    assert hook_commands() == make_recipe("lint") + make_recipe("typecheck")


def test_pre_commit_accepts_the_config():
    result = subprocess.run(
        [str(PRE_COMMIT), "validate-config", ".pre-commit-config.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
