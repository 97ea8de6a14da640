"""Settings for a developer's machine (`make run`)."""

from .base import *  # noqa: F403
from .base import catalog_languages, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="local-only-insecure-key-do-not-use-in-production")
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# The demo catalog of `make run` is translated into German and French.
CATALOG_LANGUAGES = catalog_languages(["en", "de", "fr"])
