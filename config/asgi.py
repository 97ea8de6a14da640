"""ASGI entry point. The deployment serves WSGI (config.wsgi, sync workers); this one exists for the
bench's process-model section, which measures the ASGI model beside it (docs/benchmarks.md)."""

import os

from django.core.asgi import get_asgi_application

from config.serving import prepare_to_serve

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

application = get_asgi_application()

prepare_to_serve()
