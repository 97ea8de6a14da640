#!/usr/bin/env bash
# Installs what the project needs from Debian's packages and PyPI on a fresh machine:
# build headers for mysqlclient, docker-compose (to validate docker-compose.yml), wrk (the
# benchmarks' load generator), Chromium (the storefront's browser tests drive it headless), then the
# virtualenv with the pinned Python packages. Safe to run again: it only adds what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v pkg-config >/dev/null || missing+=(pkg-config)
pkg-config --exists libmariadb 2>/dev/null || pkg-config --exists mysqlclient 2>/dev/null || missing+=(libmariadb-dev)
command -v gcc >/dev/null || missing+=(gcc)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v wrk >/dev/null || missing+=(wrk)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
if ((${#missing[@]})); then
  echo "bootstrap: installing ${missing[*]} from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python="${PYTHON:-python3}"
if [[ ! -x .venv/bin/python ]]; then
  echo "bootstrap: creating .venv with $($python --version)"
  "$python" -m venv .venv
fi
stamp=.venv/.installed
if [[ ! -f $stamp || pyproject.toml -nt $stamp || requirements.lock -nt $stamp ]]; then
  echo "bootstrap: installing Python packages (pinned by requirements.lock)"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -c requirements.lock -e '.[dev,bench]'
  touch "$stamp"
fi
