"""Development: what `make run` uses. Debug on, email written to var/mail/.

The site's address follows the server's: `PORT=8101 make run` serves on port 8101, and
without SITE_URL in the environment every emailed link, the admin address and Wagtail's
page links point there too (served_site_url).
"""

from urllib.parse import urlsplit

from website.settings.base import *  # noqa: F403
from website.settings.base import env
from website.settings.env import served_site_url

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-not-secret-vigil-0123456789abcdefghijklmnop")
SITE_URL = served_site_url(env)
WAGTAILADMIN_BASE_URL = SITE_URL
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"
_LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
_SITE_HOST = urlsplit(SITE_URL).hostname or ""
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=[*_LOCAL_HOSTS, *([_SITE_HOST] if _SITE_HOST not in _LOCAL_HOSTS else [])],
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

VAR_DIR.mkdir(exist_ok=True)  # noqa: F405
