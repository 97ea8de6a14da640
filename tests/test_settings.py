"""Production settings pass Django's deployment checks when the documented variables are set."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _check_deploy(**environment: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            "--settings=config.settings.production",
        ],
        cwd=ROOT,
        env={key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DEBUG")}
        | environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


SAFE_PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "shop.example",
    "ELASTICSEARCH_URL": "https://search.internal:9200",
    "ELASTICSEARCH_API_KEY": "aWQ6a2V5",
    "ELASTICSEARCH_REPLICAS": "1",
}


def test_check_deploy_reports_no_issues_with_the_documented_variables():
    result = _check_deploy(**SAFE_PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_of_unsafe_elasticsearch_settings():
    result = _check_deploy(
        **SAFE_PRODUCTION
        | {
            "ELASTICSEARCH_URL": "http://es1.internal:9200,https://es2.internal:9200",
            "ELASTICSEARCH_API_KEY": "",
            "ELASTICSEARCH_VERIFY_CERTS": "false",
            "ELASTICSEARCH_REPLICAS": "0",
        }
    )
    assert result.returncode != 0
    for warning_id, about in [
        ("search.W001", "ELASTICSEARCH_VERIFY_CERTS"),
        ("search.W002", "http://es1.internal:9200"),
        ("search.W003", "credentials"),
        ("search.W004", "ELASTICSEARCH_REPLICAS"),
    ]:
        assert warning_id in result.stderr and about in result.stderr, result.stderr
    assert "https://es2.internal" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _check_deploy(ALLOWED_HOSTS="shop.example")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
