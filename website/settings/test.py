"""Tests: tasks run inline, email goes to anymail's test backend, fast hashing."""

import os
from urllib.parse import urlsplit, urlunsplit

from website.settings.base import *  # noqa: F403
from website.settings.base import DATABASES, Q_CLUSTER, REDIS_URL
from website.settings.env import cache_settings, q_cluster_settings


def worker_redis_url(url, worker):
    """A Redis database of this pytest-xdist worker's own ("gw0" -> the URL's database + 1):
    tests empty the cache between tests (FLUSHDB), which must not empty another worker's."""
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + 1 + int(worker.removeprefix("gw"))
    return urlunsplit(parts._replace(path=f"/{database}"))


if REDIS_URL and (worker := os.environ.get("PYTEST_XDIST_WORKER")):
    REDIS_URL = worker_redis_url(REDIS_URL, worker)
    CACHES = cache_settings(REDIS_URL)
    Q_CLUSTER = q_cluster_settings(REDIS_URL, DATABASES["default"]["ENGINE"])

DEBUG = False
SECRET_KEY = "test-only-not-secret-vigil-0123456789abcdefghijklmnopqrst"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SITE_URL = "http://testserver"
WAGTAILADMIN_BASE_URL = SITE_URL
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # On a fresh clone nothing has made var/ yet (dev settings make it for `make run`).
    (BASE_DIR / "var").mkdir(exist_ok=True)  # noqa: F405
    # A file, so `--reuse-db` can keep it between runs (tests/reused_db.py).
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test-db.sqlite3")}  # noqa: F405
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
# The suite runs with the page cache and the kept parts on, whatever the environment says, so
# every page test also proves they serve nothing stale; query counts turn both off
# (tests/conftest.py, drawn_pages).
PAGE_CACHE = True
KEPT_PARTS = True
# Tests post at machine speed; test_formguard sets its own minimum.
PUBLIC_FORM_MIN_FILL_SECONDS = 0
STAFF_MFA_REQUIRED = (
    False  # test_staff_mfa turns it on; other back-office tests sign in without a device
)
# Template coverage (django-coverage-plugin, `make coverage`) reads templates' debug records.
TEMPLATES[0]["OPTIONS"]["debug"] = True  # noqa: F405
