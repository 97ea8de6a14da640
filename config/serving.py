"""What a web process does once, after loading the application and before serving it: the WSGI
and ASGI entry points call `prepare_to_serve`."""

import gc
from importlib import import_module

from django.conf import settings


def prepare_to_serve() -> None:
    """Import every view now (through the URLconf) rather than in the first request, then move
    the objects of start-up (some 140,000: modules, classes, settings, URL patterns) out of the
    cyclic garbage collector's reach. They live as long as the process, yet every full collection
    walked them all: a pause of 70-90 ms in the request it fell in, every thousand or so requests
    a worker served (docs/benchmarks.md). `gc.freeze` exists for this; what requests allocate is
    collected as before."""
    import_module(settings.ROOT_URLCONF)
    gc.freeze()
