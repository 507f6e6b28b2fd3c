"""Settings shared by every environment, read from the environment (ARCHITECTURE.md)."""

from pathlib import Path
from typing import Any

import environ

from website.settings.env import (
    cache_settings,
    email_settings,
    media_origin,
    media_storage_settings,
    q_cluster_settings,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Infrastructure first: the apps below build on it and register with it.
    "core",
    "website",
    # My Vigil lists each app's records in this order (core.privacy).
    "digests",
    "vigils",
    "prayer",
    "volunteers",
    "campaigns",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_countries",
    "phonenumber_field",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "anymail",
    "django_q",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.forms",  # Django's widget templates for SiteFormRenderer
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compression, then ETag and 304, then who may keep a copy (core/http_caching.py): they
    # handle the response in the reverse order, so Cache-Control is decided after the session
    # and CSRF cookies are set, the ETag is a hash of the uncompressed body, and gzip comes
    # last, after every header and body change below (the CSP included). Below WhiteNoise,
    # which serves its own precompressed static files and must follow SecurityMiddleware;
    # SecurityMiddleware only adds headers, so it may see the compressed response.
    "core.http_caching.CompressionMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "core.http_caching.CacheControlMiddleware",
    # Anonymous pages from the cache (core/page_cache.py): below the three above, so a kept
    # page still gets its headers and compression there; above sessions, CSRF and
    # authentication, which a kept page does without.
    "core.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Sets Wagtail's Site for the request from a cache before anything asks for it.
    "core.middleware.WagtailSiteMiddleware",
    # The view restrictions, read once per request when first needed (core/page_privacy.py).
    "core.page_privacy.RequestPrivacyMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "core.middleware.SecondFactorMiddleware",
]

# gzip for HTML, feeds and JSON, in every environment, so development and the tests see
# the headers production sends. BREACH: the CSRF token is masked anew for every response and
# Django's gzip pads each body with 0-99 random bytes, which blurs lengths but does not hide
# them; a page that shows what the visitor typed next to a secret of theirs is still
# compressed (core/http_caching.py says what is and is not mitigated). Set it off when a front
# server compresses instead.
COMPRESS_RESPONSES = env.bool("COMPRESS_RESPONSES", default=True)

# Anonymous visitors' pages from the cache (core/page_cache.py): in Redis when REDIS_URL is
# set, shared by every process; otherwise in each process's memory. A kept page is used only
# while nothing it shows has changed (checked in the database on every request) and for at most
# PAGE_CACHE_SECONDS, which bounds what changes with the clock alone (a request published at a
# set time, the vigil's "now"). PAGE_CACHE=false turns it off.
PAGE_CACHE = env.bool("PAGE_CACHE", default=True)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60)
PAGE_CACHE_ALIAS = "default"
# What everyone else is shown is drawn around the editorial pages' kept parts, the same for
# every visitor and current by the same rule (core/kept_parts.py). KEPT_PARTS=false draws
# every part every time, as for the first visitor after a change.
KEPT_PARTS = env.bool("KEPT_PARTS", default=True)

# Every form field is laid out by templates/forms/field.html (core/formrendering.py).
FORM_RENDERER = "core.formrendering.SiteFormRenderer"

# Messages live in the session, not in a cookie: allauth's ("Confirmation e-mail sent to
# <address>") would otherwise travel in a signed but readable cookie on every request.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

ROOT_URLCONF = "website.urls"
WSGI_APPLICATION = "website.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                # After Django's own CSRF processor: a page that may be kept gets a
                # placeholder for its token (core/page_cache.py).
                "core.page_cache.csrf_placeholder",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A busy timeout and IMMEDIATE transactions let the web server and the
    # task cluster share one SQLite file without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Connections are kept between requests as with any other database (CONN_MAX_AGE):
    # opening one costs every request about a millisecond (the file, these pragmas, and the
    # SQL functions Django registers on each connection), more than most pages' queries.
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
CACHES = cache_settings(REDIS_URL)
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_USER_MODEL = "website.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "account_home"

# allauth: the email address is the login; it must be verified before use.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https://") else "http"
ACCOUNT_FORMS = {
    "signup": "website.forms.SignupForm",
    "login": "website.forms.LoginForm",
    "request_login_code": "website.forms.RequestLoginCodeForm",
    "add_email": "website.forms.AddEmailForm",
    "reset_password": "website.forms.ResetPasswordForm",
}
ACCOUNT_ADAPTER = "website.account.adapter.AccountAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = False
# Staff set up a second factor before the back office opens, and every session of an
# account with one passes it (core/second_factor.py).
STAFF_MFA_REQUIRED = env.bool("STAFF_MFA_REQUIRED", default=True)


LANGUAGE_CODE = "en"
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# How long a browser or a shared cache (a proxy, a CDN) may keep a public photo or document.
# Short on purpose: when consent for a photo ends its files must stop answering, and a cache
# would go on serving its copy until it expires. Revalidating costs a 304 (core/media.py).
MEDIA_CACHE_SECONDS = env.int("MEDIA_CACHE_SECONDS", default=300)
STORAGES = {
    "default": media_storage_settings(env, MEDIA_CACHE_SECONDS),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Email: see website/settings/env.py for the providers.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Vigil <no-reply@vigil.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_PROVIDER = env("EMAIL_PROVIDER", default="file")
EMAIL_FILE_PATH = VAR_DIR / "mail"
WEBHOOK_SECRET = env("WEBHOOK_SECRET", default="")
EMAIL_BACKEND, ANYMAIL = email_settings(env, EMAIL_PROVIDER, WEBHOOK_SECRET)

# Tasks: django-q2 runs everything Vigil schedules or sends.
Q_CLUSTER = q_cluster_settings(REDIS_URL, DATABASES["default"]["ENGINE"])
HEALTHZ_MAX_HEARTBEAT_AGE = env.int("HEALTHZ_MAX_HEARTBEAT_AGE", default=300)

# Wagtail's own background work (search index, references) runs in-process.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

WAGTAIL_SITE_NAME = env("WAGTAIL_SITE_NAME", default="Vigil")
WAGTAILADMIN_BASE_URL = SITE_URL
# Every sign-in goes through allauth (rate limits, verified addresses, the second factor):
# Wagtail's own login for private pages and documents, and its password reset, are closed.
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
# No pictures from gravatar.com: each back-office page would tell it (a third party) the
# hash of the staff member's email address and where they are. Uploaded pictures still show.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp", "avif"]
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAIL_I18N_ENABLED = False
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "pptx", "xlsx", "odt", "txt", "zip", "mp3"]
# Documents always come through Wagtail's serve view, after its collection privacy check: on
# object storage Wagtail would otherwise redirect to the file's own URL (core/media.py).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
TAGGIT_CASE_INSENSITIVE = True

NEWS_PAGE_SIZE = 10
# How many reverse proxies (load balancer, nginx) put the client's address in X-Forwarded-For.
# Vigil's rate limits and allauth's (sign-in, codes, password reset) read it through one
# function, core.ratelimit.client_ip (website.account.adapter); allauth's own setting is
# kept equal for anything of allauth's that reads it directly.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# allauth keeps its own limits for its views (sign-in, codes, resets: its defaults stay). Its
# sign-up default, 20 a minute from one IP, would turn away a church hall creating accounts after
# an announcement; the address is proven by the emailed code anyway, so one IP may sign up as
# often as it may join the public forms (RATE_LIMITS: 200 in ten minutes).
ACCOUNT_RATE_LIMITS = {"signup": "200/10m/ip"}

# Retention: how long personal data is kept (each applied by a daily task; see README).
RETENTION_UNCONFIRMED_DAYS = env.int("RETENTION_UNCONFIRMED_DAYS", default=7)
RETENTION_PRAYER_CONTACT_DAYS = env.int("RETENTION_PRAYER_CONTACT_DAYS", default=90)
# Retention of volunteers and church registrations (issue 7; volunteers.retention and
# campaigns.retention). A volunteer inactive this long is anonymised, warned by email this
# many days before; a campaign's registrations are reduced this many years after it ended.
RETENTION_VOLUNTEER_INACTIVE_MONTHS = env.int("RETENTION_VOLUNTEER_INACTIVE_MONTHS", default=24)
RETENTION_VOLUNTEER_WARNING_DAYS = env.int("RETENTION_VOLUNTEER_WARNING_DAYS", default=30)
RETENTION_CAMPAIGN_REGISTRATION_YEARS = env.int("RETENTION_CAMPAIGN_REGISTRATION_YEARS", default=2)
# Single emails (confirmations, reminders, notifications) once sent, failed or suppressed: the
# outbox row holds the address and the links it carried (core.outbound_privacy).
RETENTION_SENT_EMAIL_DAYS = env.int("RETENTION_SENT_EMAIL_DAYS", default=30)

# Phone numbers (django-phonenumber-field) are stored in E.164. A number typed without its
# "+country code" is read as local to this region (ISO 3166 code: "IN", "US"). None by default:
# Vigil's volunteers are spread across countries, and a wrong guess stores someone else's number,
# so a number must carry its country code unless the deployment serves one country. A church's
# contact number is read as local to the church's own country whatever this says.
PHONENUMBER_DEFAULT_REGION = env("PHONENUMBER_DEFAULT_REGION", default="").upper() or None

# Public forms (core.formguard): a form sent sooner than the first or later than the
# second after it was shown is returned once for a check.
PUBLIC_FORM_MIN_FILL_SECONDS = env.int("PUBLIC_FORM_MIN_FILL_SECONDS", default=3)
PUBLIC_FORM_MAX_AGE_SECONDS = env.int("PUBLIC_FORM_MAX_AGE_SECONDS", default=2 * 60 * 60)

# Every rate limit (core.ratelimit.within_limit): scope -> what is counted -> (how many,
# per how many seconds). Shared connections are normal (issue 14): a congregation asked from
# the pulpit to sign up shares one church Wi-Fi, a mobile carrier puts thousands behind one
# address (CGNAT). So per IP, a ten-minute window wide enough for a full church hall; the
# protection is per email address. The README's table lists them.
_TEN_MINUTES, _HOUR, _DAY = 10 * 60, 60 * 60, 24 * 60 * 60
_HALL = (200, _TEN_MINUTES)  # sign-ups from one IP: a church hall of 100, twice over
RATE_LIMITS = {
    "prayer-subscribe": {"ip": _HALL, "email": (3, _HOUR)},
    "prayer-request": {"ip": _HALL, "email": (5, _HOUR)},
    "calendar-subscribe": {"ip": _HALL, "email": (10, _HOUR)},
    "vigil-signup": {"ip": _HALL, "email": (10, _HOUR)},
    "volunteer-signup": {"ip": _HALL, "email": (10, _HOUR)},
    "campaign-registration": {"ip": _HALL, "email": (5, _HOUR)},
    # "I prayed": each person counts once per request per day (account or signed cookie);
    # the address caps what clearing cookies can add, high enough for a hall praying through
    # the wall together: per request and day, and for all requests in an hour.
    "prayed": {"ip-per-request": (300, _DAY), "ip": (2000, _HOUR)},
}

# Every handler redacts signed-link tokens (core/log_redaction.py). Django's own handlers
# for "django" and "django.server" (its DEFAULT_LOGGING) do not, so those loggers get ours:
# "django" passes its records (e.g. "Not Found: <path>") to the root's console.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "core.log_redaction.RedactSecrets"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "django-q": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# Security headers (core.middleware). No inline script on any public page: JavaScript
# lives in static/js. Embeds are the video hosts editors use in stories.
MEDIA_ORIGIN = media_origin(env, STORAGES["default"])
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
    "media-src": ["'self'", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-src": [
        "https://www.youtube-nocookie.com",
        "https://www.youtube.com",
        "https://player.vimeo.com",
    ],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
CSP_EXCLUDE_PREFIXES = ["/admin/"]
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
)
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"

# Consent for stories, photos and prayer requests (website/consent/). Staff see content whose
# consent ends within CONSENT_ENDING_SOON_DAYS and what was taken down in the last
# CONSENT_TAKEN_DOWN_SHOWN_DAYS. Other processes learn that a photo's consent changed within
# CONSENT_CACHE_SECONDS (at once with a shared cache, REDIS_URL).
CONSENT_ENDING_SOON_DAYS = env.int("CONSENT_ENDING_SOON_DAYS", default=30)
CONSENT_TAKEN_DOWN_SHOWN_DAYS = env.int("CONSENT_TAKEN_DOWN_SHOWN_DAYS", default=30)
CONSENT_CACHE_SECONDS = env.int("CONSENT_CACHE_SECONDS", default=300)
# Every template's `{% load wagtailimages_tags %}` gets the image tags that leave out photos
# whose consent has ended (website/templatetags/consented_images.py).
TEMPLATES[0]["OPTIONS"].setdefault("libraries", {})["wagtailimages_tags"] = (
    "website.templatetags.consented_images"
)
# Django warns that two modules carry that name: replacing Wagtail's is the point.
SILENCED_SYSTEM_CHECKS = ["templates.W003"]
