"""Celery tasks: thin wrappers that call functions of `search` and `catalog`."""
