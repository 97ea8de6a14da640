"""A web process loads every view before its first request and keeps the objects of start-up out
of the garbage collector's full collections, which otherwise paused a request every thousand or so."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

LOADED = """
import gc, json, sys
import {module}
print(json.dumps({{
    "frozen": gc.get_freeze_count(),
    "tracked": len(gc.get_objects()),
    "views loaded": "search.api.views" in sys.modules and "catalog.api.views" in sys.modules,
}}))
"""


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi"])
def test_the_entry_points_load_the_views_and_leave_start_up_to_no_collection(module):
    # Given a new interpreter, as a gunicorn worker is; when it loads the application
    loaded = subprocess.run(
        [sys.executable, "-c", LOADED.format(module=module)],
        cwd=ROOT,
        env=os.environ,
        capture_output=True,
        text=True,
        check=True,
    )
    state = json.loads(loaded.stdout)
    # Then the first request imports no view, and a full collection walks a small fraction of
    # the objects it did: those start-up made are frozen
    assert state["views loaded"]
    assert state["frozen"] > 50_000
    assert state["tracked"] < state["frozen"] / 20
