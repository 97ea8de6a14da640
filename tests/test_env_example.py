""".env.example names every environment variable the settings read, and nothing else, so the
reference a deployment copies never drifts from the code."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# env("NAME", ...), env.bool("NAME", ...), os.environ.setdefault("NAME", ...) and the like
READ = re.compile(r"""(?:\benv(?:\.\w+)?|os\.environ(?:\.\w+)?)\(\s*["']([A-Z][A-Z0-9_]*)["']""")
LISTED = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def variables_read() -> set[str]:
    return {
        name for path in (ROOT / "config/settings").glob("*.py") for name in READ.findall(path.read_text())
    }


def variables_listed() -> set[str]:
    return set(LISTED.findall((ROOT / ".env.example").read_text()))


def test_env_example_lists_exactly_the_variables_the_settings_read():
    read = variables_read()
    assert len(read) > 40, "the pattern no longer finds the settings' variables"
    listed = variables_listed()
    assert read - listed == set(), "read by the settings, missing from .env.example"
    assert listed - read == set(), "in .env.example, read by no setting"


def test_the_check_would_see_a_variable_added_to_the_settings(tmp_path):
    settings_line = 'NEW_THING = env.int("CATALOG_NEW_THING", default=3)'
    assert READ.findall(settings_line) == ["CATALOG_NEW_THING"]
