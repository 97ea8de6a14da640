"""Celery tasks: thin wrappers that call functions of `catalog`, `projection` and `analytics`."""
