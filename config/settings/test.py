"""Settings for the test suite: the real services, a per-run index alias, fast hashing."""

import os
import uuid

from .base import *  # noqa: F403
from .base import catalog_languages, env

SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# One alias per test run, shared with the worker process the fixtures start (through the
# environment), so parallel or aborted runs never read each other's documents.
ELASTICSEARCH_INDEX_ALIAS = os.environ.setdefault(
    "ELASTICSEARCH_INDEX_ALIAS", f"catalog-test-{uuid.uuid4().hex[:8]}"
)
RUN_ID = ELASTICSEARCH_INDEX_ALIAS.removeprefix("catalog-test-")
CELERY_TASK_DEFAULT_QUEUE = os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", f"catalog-test-{RUN_ID}")
# Claims expire fast so tests that kill a worker see its changes taken over quickly.
PROJECTION_CLAIM_SECONDS = env.int("PROJECTION_CLAIM_SECONDS", default=10)
PROJECTION_RELAY_AFTER_SECONDS = env.int("PROJECTION_RELAY_AFTER_SECONDS", default=2)
# The suite waits for its drains one after another; the linger's batching is tested on its own.
PROJECTION_DRAIN_LINGER_SECONDS = env.float("PROJECTION_DRAIN_LINGER_SECONDS", default=0.02)
PROJECTION_OUTAGE_BACKOFF_CAP_SECONDS = env.float("PROJECTION_OUTAGE_BACKOFF_CAP_SECONDS", default=5)
ELASTICSEARCH_QUERY_TIMEOUT = env.float("ELASTICSEARCH_QUERY_TIMEOUT", default=5.0)
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        "anon": "100000/min",
        "user": "100000/min",
        "login_address": "100000/min",
        "login_username": "100000/min",
    },
}
ANALYTICS_QUEUE_KEY = f"test-{RUN_ID}:search-records"
CACHES["default"]["KEY_PREFIX"] = f"test-{RUN_ID}"  # noqa: F405
# The suite exercises translations: English (the default), German and French.
CATALOG_LANGUAGES = catalog_languages(["en", "de", "fr"])
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Runs may overlap on one MariaDB (a developer's run beside CI's): each gets its own database.
DATABASES["default"]["TEST"]["NAME"] = f"test_catalog_{RUN_ID}"  # noqa: F405
