"""Settings shared by every environment, read from environment variables (django-environ)."""

from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from here rather than a CDN
    "catalog",
    "projection",
    "search",
    "analytics",
    "tasks",
    "storefront",
]

MIDDLEWARE = [
    "config.request_ids.RequestIdMiddleware",  # first: every answer carries the id, errors too
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="mysql://catalog:catalog@127.0.0.1:3306/catalog"),
}
DATABASES["default"].setdefault("OPTIONS", {}).update(
    {"charset": "utf8mb4", "isolation_level": "read committed"}
)
# A web or worker process keeps its connection between requests and tasks (a new one costs three
# round trips and a sign-in, about a tenth of a single command's time); it is checked at the start
# of each request or task that uses it, so a restarted MySQL costs no failed request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# Web, worker and beat log alike (config.celery): `text` lines, or one JSON object per line for a
# log collector; each with the request id of the web request, or of the task's request.
LOG_FORMAT = env("LOG_FORMAT", default="text")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.request_ids.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(process)d %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"elastic_transport": {"level": "WARNING"}},
}
if LOG_FORMAT not in LOGGING["formatters"]:
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    # JSON first: it answers clients that send no Accept header (or */*); a browser, which asks
    # for text/html, gets DRF's browsable page around the same JSON.
    "DEFAULT_RENDERER_CLASSES": [
        "api.renderers.OrjsonRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON_RATE", default="1200/min"),
        "user": env("THROTTLE_USER_RATE", default="12000/min"),
        # Sign-ins (token endpoint, admin login form), per client address and per username.
        "login_address": env("THROTTLE_LOGIN_ADDRESS_RATE", default="10/min"),
        "login_username": env("THROTTLE_LOGIN_USERNAME_RATE", default="10/min"),
    },
    # Proxies in front of the service that append to X-Forwarded-For; 0: the header is ignored
    # and the client is the connection's address (see api.clients).
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_SCHEMA_CLASS": "api.schema.CatalogAutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Product catalog API",
    "DESCRIPTION": "Commands write to MySQL; queries read Elasticsearch.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # /api/docs/ loads Swagger UI from our static files: it works offline and runs no third-party
    # script with the reader's session.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Throttle counters must be shared by every web worker process, so they live in Redis.
CACHES = {
    "default": {
        "BACKEND": "shared.cache.RedisCache",
        "LOCATION": env("CACHE_URL", default=env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")),
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
# Tests give each run a queue of its own, so a `make run` worker on the same Redis never
# takes their tasks.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="catalog")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request must not hang on a dead broker: the outbox relay delivers what fails here.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}
# Celery beat's schedule is set by tasks.apps, from the periods below.

# --- Elasticsearch (read side) ------------------------------------------------------------------
# One URL, or several separated by commas (the nodes of a cluster; a request that cannot reach
# one node is retried on the next). Or ELASTICSEARCH_CLOUD_ID for Elastic Cloud.
ELASTICSEARCH_URL = env("ELASTICSEARCH_URL", default="http://127.0.0.1:9200")
ELASTICSEARCH_CLOUD_ID = env("ELASTICSEARCH_CLOUD_ID", default="")
# Credentials: an API key (base64 "id:key", as Kibana shows it), or basic auth.
ELASTICSEARCH_API_KEY = env("ELASTICSEARCH_API_KEY", default="")
ELASTICSEARCH_USERNAME = env("ELASTICSEARCH_USERNAME", default="")
ELASTICSEARCH_PASSWORD = env("ELASTICSEARCH_PASSWORD", default="")
# TLS: a CA bundle for a cluster with its own certificate authority; verification stays on
# unless explicitly turned off (production's deploy check warns then).
ELASTICSEARCH_CA_CERTS = env("ELASTICSEARCH_CA_CERTS", default="")
ELASTICSEARCH_VERIFY_CERTS = env.bool("ELASTICSEARCH_VERIFY_CERTS", default=True)
# A new index's layout: one shard holds millions of products; replicas need as many more nodes.
ELASTICSEARCH_SHARDS = env.int("ELASTICSEARCH_SHARDS", default=1)
ELASTICSEARCH_REPLICAS = env.int("ELASTICSEARCH_REPLICAS", default=0)
# How many copies of a shard must be up before the worker writes ("all" trades availability for
# durability; 1 writes as long as the primary is up).
ELASTICSEARCH_WAIT_FOR_ACTIVE_SHARDS = env("ELASTICSEARCH_WAIT_FOR_ACTIVE_SHARDS", default="1")
# The alias every query reads; concrete indices are named "<alias>-v<mapping version>-<stamp>".
ELASTICSEARCH_INDEX_ALIAS = env("ELASTICSEARCH_INDEX_ALIAS", default="catalog-products")
ELASTICSEARCH_QUERY_TIMEOUT = env.float("ELASTICSEARCH_QUERY_TIMEOUT", default=2.0)
ELASTICSEARCH_BULK_TIMEOUT = env.float("ELASTICSEARCH_BULK_TIMEOUT", default=30.0)
# How long a query process reuses the synonym and merchandising rules it read (a change takes
# effect after it).
# Share of a throttle rate each web process may admit before it reports to Redis (api.throttling);
# 0 counts every request in Redis.
THROTTLE_LOCAL_SHARE = env.float("THROTTLE_LOCAL_SHARE", default=0.02)
SEARCH_CONFIGURATION_CACHE_SECONDS = env.float("SEARCH_CONFIGURATION_CACHE_SECONDS", default=5.0)
# HTTP caching of anonymous reads (search.api.caching): shared caches may keep an answer for
# max-age seconds and serve it stale for stale-while-revalidate more while they revalidate it;
# an ETag / Last-Modified validator (search.freshness) stays valid at most the validator lifetime.
HTTP_CACHE_MAX_AGE = env.int("HTTP_CACHE_MAX_AGE", default=5)
HTTP_CACHE_STALE_WHILE_REVALIDATE = env.int("HTTP_CACHE_STALE_WHILE_REVALIDATE", default=10)
HTTP_CACHE_VALIDATOR_LIFETIME = env.int("HTTP_CACHE_VALIDATOR_LIFETIME", default=300)
# How long `GET /api/products/<id>/?min_version=N` may hold a web worker waiting for version N,
# for signed-in callers; anonymous ones never wait.
READ_YOUR_WRITES_WAIT_SECONDS = env.float("READ_YOUR_WRITES_WAIT_SECONDS", default=5.0)
# How many such waits may run at once across every web process (the rest answer at once): with
# gunicorn's 3 sync workers, 1 keeps 2 free for everything else.
READ_YOUR_WRITES_MAX_WAITING = env.int("READ_YOUR_WRITES_MAX_WAITING", default=1)

# --- Projection --------------------------------------------------------------------------------
PROJECTION_BATCH_SIZE = env.int("PROJECTION_BATCH_SIZE", default=500)
# How long a drain request stands for the changes committed after it, should its task be lost.
PROJECTION_DRAIN_WAITING_SECONDS = env.float("PROJECTION_DRAIN_WAITING_SECONDS", default=5.0)
# How long a requested drain waits for more commits before it claims (see drain.drain_outbox):
# under a stream of single commands it takes several changes per batch for one batch's cost.
PROJECTION_DRAIN_LINGER_SECONDS = env.float("PROJECTION_DRAIN_LINGER_SECONDS", default=0.1)
# A change not indexed this long after commit is handed to the worker again by the relay.
PROJECTION_RELAY_AFTER_SECONDS = env.int("PROJECTION_RELAY_AFTER_SECONDS", default=10)
# How often beat looks for such changes, and compares MySQL with Elasticsearch (`verify`).
PROJECTION_RELAY_INTERVAL_SECONDS = env.float("PROJECTION_RELAY_INTERVAL_SECONDS", default=5.0)
PROJECTION_VERIFY_INTERVAL_SECONDS = env.float("PROJECTION_VERIFY_INTERVAL_SECONDS", default=600.0)
PROJECTION_MAX_ATTEMPTS = env.int("PROJECTION_MAX_ATTEMPTS", default=8)
# Retry delays double from 1 s, with jitter, up to these caps: an outage of Elasticsearch is
# retried forever at the first cap; a document it refuses is dead-lettered after MAX_ATTEMPTS.
PROJECTION_OUTAGE_BACKOFF_CAP_SECONDS = env.float("PROJECTION_OUTAGE_BACKOFF_CAP_SECONDS", default=60)
PROJECTION_FAILURE_BACKOFF_CAP_SECONDS = env.float("PROJECTION_FAILURE_BACKOFF_CAP_SECONDS", default=300)

# --- Search analytics (search.recording writes, analytics stores) --------------------------------
# Off: searches hand no records (the bench's comparison turns it off and on).
ANALYTICS_ENABLED = env.bool("ANALYTICS_ENABLED", default=True)
# The Redis list searches hand their records to: the broker's Redis unless told otherwise.
ANALYTICS_REDIS_URL = env("ANALYTICS_REDIS_URL", default=CELERY_BROKER_URL)
ANALYTICS_QUEUE_KEY = env("ANALYTICS_QUEUE_KEY", default="catalog:search-records")
# Records the list keeps at most while nothing flushes it (the oldest go first).
ANALYTICS_QUEUE_MAX = env.int("ANALYTICS_QUEUE_MAX", default=200_000)
# Seconds a search may spend handing its record over, and the sink's pause after a failure.
ANALYTICS_SINK_TIMEOUT = env.float("ANALYTICS_SINK_TIMEOUT", default=0.05)
ANALYTICS_SINK_PAUSE_SECONDS = env.float("ANALYTICS_SINK_PAUSE_SECONDS", default=10.0)
# How often beat moves the records into MySQL, and how many per INSERT.
ANALYTICS_FLUSH_INTERVAL_SECONDS = env.float("ANALYTICS_FLUSH_INTERVAL_SECONDS", default=10.0)
ANALYTICS_FLUSH_BATCH = env.int("ANALYTICS_FLUSH_BATCH", default=2000)
# Searches and clicks older than this are deleted (hourly).
ANALYTICS_RETENTION_DAYS = env.int("ANALYTICS_RETENTION_DAYS", default=90)

# --- /metrics (api.metrics_access) ----------------------------------------------------------------
# Addresses that may read it (the client address honours NUM_PROXIES); loopback by default.
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])
# When set, a reader must also send `Authorization: Bearer <token>`.
METRICS_TOKEN = env("METRICS_TOKEN", default="")

CATALOG_ADMIN_PASSWORD = env("CATALOG_ADMIN_PASSWORD", default="admin")
# Refuse product attributes that no attribute definition covers (by default they are kept as text).
CATALOG_STRICT_ATTRIBUTES = env.bool("CATALOG_STRICT_ATTRIBUTES", default=False)


def catalog_languages(default: list[str]) -> list[str]:
    """CATALOG_LANGUAGES from the environment: comma-separated codes, e.g. `en,de,fr`."""
    return [code.strip().lower() for code in env.list("CATALOG_LANGUAGES", default=default) if code.strip()]


# The languages of the catalog's texts, the first the default: a product's name and description
# are in it, and may have translations into the others (search.languages lists the languages
# with stock Elasticsearch analysis). The index maps one set of fields per language: after a
# change, `search_index create` rebuilds into a new index and swaps the alias.
CATALOG_LANGUAGES = catalog_languages(["en"])
PROJECTION_CLAIM_SECONDS = env.int("PROJECTION_CLAIM_SECONDS", default=60)
# /readyz fails when changes have waited this long with no worker taking any.
PROJECTION_STALL_SECONDS = env.float("PROJECTION_STALL_SECONDS", default=120)
# Bulk commands (`/api/products/bulk/`, `/api/products/inventory/`, `import_products`): the most
# operations one request may carry, and how many are written per transaction.
CATALOG_BULK_MAX_OPERATIONS = env.int("CATALOG_BULK_MAX_OPERATIONS", default=1000)
CATALOG_BULK_CHUNK_SIZE = env.int("CATALOG_BULK_CHUNK_SIZE", default=200)
# Where workers keep the feed and the state file of an import from `POST /api/imports/` while it
# runs (removed when it finishes), and the largest feed it takes.
CATALOG_IMPORT_WORK_DIR = env("CATALOG_IMPORT_WORK_DIR", default=str(BASE_DIR / ".var" / "imports"))
CATALOG_IMPORT_MAX_BYTES = env.int("CATALOG_IMPORT_MAX_BYTES", default=50 * 2**20)
# Beat requests again, this often, the imports queued longer than this that no worker runs.
CATALOG_IMPORT_RELAY_SECONDS = env.int("CATALOG_IMPORT_RELAY_SECONDS", default=60)
# Days a product's change history is kept (catalog.history); beat deletes older records hourly.
CATALOG_HISTORY_RETENTION_DAYS = env.int("CATALOG_HISTORY_RETENTION_DAYS", default=365)
