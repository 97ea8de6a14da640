"""System checks of the read side's settings: CATALOG_LANGUAGES must name languages the index
can analyse (every start), and, with `check --deploy`, the Elasticsearch connection settings
must not hold values that work on a laptop and are unsafe against a production cluster."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from . import languages

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def _remote_plain_http_urls() -> list[str]:
    urls = [url.strip() for url in settings.ELASTICSEARCH_URL.split(",") if url.strip()]
    return [
        url for url in urls if urlsplit(url).scheme == "http" and urlsplit(url).hostname not in LOOPBACK_HOSTS
    ]


@register()
def check_catalog_languages(app_configs, **kwargs) -> list[Error]:
    configured = settings.CATALOG_LANGUAGES
    unsupported = [code for code in configured if code not in languages.SUPPORTED]
    errors = []
    if not configured:
        errors.append(
            Error("CATALOG_LANGUAGES is empty.", hint="Name the default language, e.g. en.", id="search.E001")
        )
    if unsupported:
        errors.append(
            Error(
                f"CATALOG_LANGUAGES names languages without stock analysis here: {', '.join(unsupported)}.",
                hint=f"Use some of {', '.join(languages.SUPPORTED)} (search.languages).",
                id="search.E002",
            )
        )
    if len(set(configured)) != len(configured):
        errors.append(Error("CATALOG_LANGUAGES names a language twice.", id="search.E003"))
    return errors


@register(Tags.security, deploy=True)
def check_elasticsearch_connection(app_configs, **kwargs) -> list[Warning]:
    warnings = []
    if not settings.ELASTICSEARCH_VERIFY_CERTS:
        warnings.append(
            Warning(
                "ELASTICSEARCH_VERIFY_CERTS is off: anyone on the path can read and alter the catalog "
                "and its credentials.",
                hint="Set ELASTICSEARCH_CA_CERTS to the cluster's CA bundle instead.",
                id="search.W001",
            )
        )
    if not settings.ELASTICSEARCH_CLOUD_ID and (plain := _remote_plain_http_urls()):
        warnings.append(
            Warning(
                f"ELASTICSEARCH_URL reaches a remote node over plain HTTP: {', '.join(plain)}.",
                hint="Use https:// URLs (or ELASTICSEARCH_CLOUD_ID).",
                id="search.W002",
            )
        )
    remote = settings.ELASTICSEARCH_CLOUD_ID or any(
        urlsplit(url.strip()).hostname not in LOOPBACK_HOSTS for url in settings.ELASTICSEARCH_URL.split(",")
    )
    if remote and not (settings.ELASTICSEARCH_API_KEY or settings.ELASTICSEARCH_USERNAME):
        warnings.append(
            Warning(
                "No Elasticsearch credentials: a remote cluster should require them.",
                hint="Set ELASTICSEARCH_API_KEY (see docs/deploy.md for the privileges it needs).",
                id="search.W003",
            )
        )
    if settings.ELASTICSEARCH_REPLICAS < 1:
        warnings.append(
            Warning(
                "ELASTICSEARCH_REPLICAS is 0: losing one Elasticsearch node loses search until it "
                "returns or the index is rebuilt.",
                hint="Set ELASTICSEARCH_REPLICAS=1 (or more) on a cluster of two or more nodes.",
                id="search.W004",
            )
        )
    return warnings
