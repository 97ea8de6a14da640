"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

from config.serving import prepare_to_serve

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

application = get_wsgi_application()

prepare_to_serve()
