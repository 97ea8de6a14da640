# The two commands that matter: `make run` and `make test`. Everything else is a step of theirs.
SHELL := /bin/bash
BIN := .venv/bin
MANAGE := $(BIN)/python manage.py
N ?= 10000

.PHONY: install services-up services-down services-status migrate seed run test lint typecheck compose-check bench clean

install:
	scripts/bootstrap.sh

services-up:
	scripts/services.sh up

services-down:
	scripts/services.sh down

services-status:
	scripts/services.sh status

migrate: install services-up
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) ensure_admin
	$(MANAGE) search_index create
	$(MANAGE) seed_catalog

run: seed
	$(MANAGE) collectstatic --noinput -v 0
	@echo "API http://127.0.0.1:8000/api/  admin http://127.0.0.1:8000/admin/ (admin / \$$CATALOG_ADMIN_PASSWORD, default admin)"
	$(BIN)/honcho start -f Procfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

compose-check: install
	docker-compose -f docker-compose.yml config -q
	@echo "docker-compose.yml: valid"

test: install services-up lint typecheck compose-check
	$(BIN)/pytest --durations=30
	$(BIN)/python -m bench --smoke

# `make bench N=100000 BENCH_ARGS="--sizes 10000,100000 --rebuild-only-sizes 1000000"`; see docs/benchmarks.md
bench: install services-up
	$(BIN)/python -m bench --products $(N) $(BENCH_ARGS)

clean:
	rm -rf .venv staticfiles .pytest_cache .ruff_cache .mypy_cache
