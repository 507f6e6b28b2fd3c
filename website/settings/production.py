"""Production: refuses to start without a secret key, the hosts it serves, and the secrets
that keep its email provider's webhook from being forged."""

from django.core.exceptions import ImproperlyConfigured

from website.settings.base import *  # noqa: F403
from website.settings.base import (
    ALLOWED_HOSTS,
    ANYMAIL,
    CSRF_TRUSTED_ORIGINS,
    EMAIL_PROVIDER,
    SECRET_KEY,
    SITE_URL,
    env,
)
from website.settings.env import require_webhook_secrets

if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY in the environment.")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS in the environment (comma-separated).")
require_webhook_secrets(EMAIL_PROVIDER, ANYMAIL)

DEBUG = env.bool("DEBUG", default=False)
HTTPS = SITE_URL.startswith("https://")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if HTTPS and not CSRF_TRUSTED_ORIGINS:
    CSRF_TRUSTED_ORIGINS = [SITE_URL]
