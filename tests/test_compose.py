"""docker-compose.yml runs what `make run` runs: the same Elasticsearch version, from the
official image, with no project plugin; and Debian's docker-compose accepts the file."""

import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def local_elasticsearch_version() -> str:
    services = (ROOT / "scripts/services.sh").read_text()
    return re.search(r"^ES_VERSION=(\S+)$", services, re.MULTILINE).group(1)


def test_compose_runs_the_official_elasticsearch_image_at_the_local_version():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    elasticsearch = compose["services"]["elasticsearch"]
    assert elasticsearch["image"] == (
        f"docker.elastic.co/elasticsearch/elasticsearch:{local_elasticsearch_version()}"
    )
    assert "build" not in elasticsearch, "the Elasticsearch image must be the official one, unmodified"
    assert compose["services"]["mysql"]["image"] == "mysql:8.4"


def test_debians_docker_compose_accepts_the_file():
    result = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
