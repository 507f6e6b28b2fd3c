"""Small helpers that turn environment variables into Django settings.

Kept apart from the settings modules so tests can call them with any environment.
"""

import importlib.util
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ImproperlyConfigured

from core.cache_backends import REDIS_TIMEOUTS

# The providers that sign their tracking webhooks, and the anymail 15 setting that holds the
# key anymail checks the signature with. The others (Postmark, Brevo, Mailjet, SparkPost, and
# Amazon SES, whose SNS signatures anymail does not verify) are protected by WEBHOOK_SECRET,
# the HTTP basic auth every provider's webhook URL carries, alone.
WEBHOOK_SIGNING_KEYS = {
    "mailgun": "MAILGUN_WEBHOOK_SIGNING_KEY",
    "sendgrid": "SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY",
    "resend": "RESEND_SIGNING_SECRET",
}

# EMAIL_PROVIDER values served by anymail, and the variables each one needs.
ANYMAIL_PROVIDERS = {
    "mailgun": [
        "MAILGUN_API_KEY",
        "MAILGUN_SENDER_DOMAIN",
        "MAILGUN_API_URL",
        "MAILGUN_WEBHOOK_SIGNING_KEY",
    ],
    "postmark": ["POSTMARK_SERVER_TOKEN", "POSTMARK_API_URL"],
    "sendgrid": [
        "SENDGRID_API_KEY",
        "SENDGRID_API_URL",
        "SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY",
    ],
    "amazon_ses": ["AMAZON_SES_CONFIGURATION_SET_NAME"],
    "brevo": ["BREVO_API_KEY"],
    "mailjet": ["MAILJET_API_KEY", "MAILJET_SECRET_KEY"],
    "sparkpost": ["SPARKPOST_API_KEY", "SPARKPOST_API_URL"],
    "resend": ["RESEND_API_KEY", "RESEND_SIGNING_SECRET"],
}

LOCAL_EMAIL_BACKENDS = {
    "file": "core.mail_backends.EmlFileBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "test": "anymail.backends.test.EmailBackend",
}


# A server listening on every address is reached on this machine at its loopback address.
ALL_ADDRESSES = {"0.0.0.0", "::", "[::]"}  # noqa: S104 (names the bind-all address, binds nothing)


def served_site_url(env):
    """SITE_URL for a development server: SITE_URL when it is set, else the address the
    server listens on, HOST and PORT, as `make run` passes them (127.0.0.1 and 8000 by
    default). So `PORT=8101 make run` links every email and page to port 8101."""
    explicit = env("SITE_URL", default="")
    if explicit:
        return explicit.rstrip("/")
    host = env("HOST", default="") or "127.0.0.1"
    port = env("PORT", default="") or "8000"
    if host in ALL_ADDRESSES:
        host = "127.0.0.1"
    return f"http://{host}" if port == "80" else f"http://{host}:{port}"


def email_settings(env, provider, webhook_secret):
    """Return (EMAIL_BACKEND, ANYMAIL) for the provider named by EMAIL_PROVIDER."""
    anymail = {}
    if webhook_secret:
        anymail["WEBHOOK_SECRET"] = webhook_secret
    if provider in LOCAL_EMAIL_BACKENDS:
        return LOCAL_EMAIL_BACKENDS[provider], anymail
    if provider not in ANYMAIL_PROVIDERS:
        known = ", ".join(sorted([*LOCAL_EMAIL_BACKENDS, *ANYMAIL_PROVIDERS]))
        raise ImproperlyConfigured(f"EMAIL_PROVIDER={provider!r} is not one of: {known}")
    for name in ANYMAIL_PROVIDERS[provider]:
        value = env(name, default="")
        if value:
            anymail[name] = value
    return f"anymail.backends.{provider}.EmailBackend", anymail


def require_webhook_secrets(provider, anymail):
    """Refuse an anymail provider whose tracking webhook anyone could post to.

    Production calls this: bounces and complaints arriving on the webhook stop mail to an
    address, so a forged one silences a supporter. Every provider's webhook needs
    WEBHOOK_SECRET (basic auth, "user:password"); a provider that signs its webhooks needs
    the key to check the signature with, in a form anymail can load.
    """
    if provider not in ANYMAIL_PROVIDERS:
        return
    secret = anymail.get("WEBHOOK_SECRET", "")
    if ":" not in secret or secret.startswith(":") or secret.endswith(":"):
        raise ImproperlyConfigured(
            f"EMAIL_PROVIDER={provider} needs WEBHOOK_SECRET (user:password) in the environment,"
            " the basic auth of its tracking webhook URL."
        )
    key_name = WEBHOOK_SIGNING_KEYS.get(provider)
    if key_name is None:
        return
    key = anymail.get(key_name, "")
    if not key:
        raise ImproperlyConfigured(
            f"EMAIL_PROVIDER={provider} signs its webhooks: set {key_name} in the environment."
        )
    check_signing_key(provider, key_name, key)


def check_signing_key(provider, key_name, key):
    """The key must load as anymail loads it, or every webhook would answer 500."""
    if provider == "sendgrid":
        from cryptography.hazmat.primitives.serialization import load_pem_public_key

        pem = f"-----BEGIN PUBLIC KEY-----\n{key}\n-----END PUBLIC KEY-----"
        try:
            load_pem_public_key(pem.encode())
        except ValueError as error:
            raise ImproperlyConfigured(f"{key_name} is not a public key.") from error
    elif provider == "resend" and importlib.util.find_spec("svix") is None:
        raise ImproperlyConfigured(
            f"{key_name} is checked with the svix package: install django-anymail[resend]."
        )


def cache_settings(redis_url):
    """Redis shared by every node when REDIS_URL is set, else this process's memory."""
    if redis_url:
        shared = {
            "BACKEND": "core.cache_backends.RedisCache",
            "LOCATION": redis_url,
            "OPTIONS": REDIS_TIMEOUTS,
        }
        return {
            "default": {**shared, "KEY_PREFIX": "vigil"},
            "renditions": {**shared, "KEY_PREFIX": "vigil-renditions", "TIMEOUT": 86400},
        }
    local = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    return {
        "default": {**local, "LOCATION": "vigil"},
        # Wagtail looks image renditions up here before asking the database.
        "renditions": {**local, "LOCATION": "vigil-renditions", "TIMEOUT": 86400},
    }


def q_cluster_settings(redis_url, database_engine):
    """django-q2: Redis broker when REDIS_URL is set, the database otherwise.

    The Redis broker (core.brokers) keeps a task in the database while Redis is away,
    so queueing never fails a request and no task is lost.

    A task that outlives `timeout` is killed; `retry` must be longer so a task
    still running is never handed to a second worker. Missed schedules are not
    replayed (`catch_up`), and a failed task is not acknowledged so it is retried.
    """
    settings = {
        "name": "vigil",
        "workers": 2,
        "recycle": 500,
        "timeout": 300,
        "retry": 420,
        "max_attempts": 5,
        "catch_up": False,
        "ack_failures": False,
        "save_limit": 1000,
        "label": "Tasks",
        "poll": 1,
    }
    if redis_url:
        settings["redis"] = redis_url
        settings["broker_class"] = "core.brokers.RedisBroker"
    else:
        settings["orm"] = "default"
    if database_engine == "django.db.backends.sqlite3":
        # SQLite takes one writer at a time: one worker avoids lock contention.
        settings["workers"] = 1
    return settings


def media_storage_settings(env, cache_seconds):
    """Object storage for media and documents when MEDIA_STORAGE_URL or the bucket is set.

    MEDIA_STORAGE_URL looks like ``s3://bucket/prefix?endpoint_url=https://...&region_name=...``;
    the usual AWS_* variables (AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL, ...) also work.
    Credentials come only from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the instance role.

    The bucket is private: no object gets an ACL, and nothing in it opens without a URL this
    site signed, valid AWS_QUERYSTRING_EXPIRE seconds. The site signs them for photos only;
    documents are streamed by Wagtail's serve view after their collection's privacy check
    (WAGTAILDOCS_SERVE_METHOD), so a restricted document has no URL of its own. Unsigned URLs
    would need a public bucket, which publishes every document to whoever guesses its name:
    that is refused. `cache_seconds` is how long a cache may keep a file (MEDIA_CACHE_SECONDS).
    """
    url = env("MEDIA_STORAGE_URL", default="")
    bucket = env("AWS_STORAGE_BUCKET_NAME", default="")
    if not url and not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if not env.bool("AWS_QUERYSTRING_AUTH", default=True):
        raise ImproperlyConfigured(
            "AWS_QUERYSTRING_AUTH=false needs a public bucket, which would publish the documents "
            "of restricted collections: remove it (the site signs the URLs of photos)."
        )
    options = {
        "bucket_name": bucket,
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=3600),
        "signature_version": "s3v4",
        "file_overwrite": False,
        "object_parameters": {"CacheControl": f"max-age={cache_seconds}"},
    }
    for option, name in [
        ("endpoint_url", "AWS_S3_ENDPOINT_URL"),
        ("region_name", "AWS_S3_REGION_NAME"),
        ("custom_domain", "AWS_S3_CUSTOM_DOMAIN"),
    ]:
        value = env(name, default="")
        if value:
            options[option] = value
    if url:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ImproperlyConfigured("MEDIA_STORAGE_URL must look like s3://bucket/prefix")
        options["bucket_name"] = parts.netloc
        if parts.path.strip("/"):
            options["location"] = parts.path.strip("/")
        for key, values in parse_qs(parts.query).items():
            if key in {"endpoint_url", "region_name", "custom_domain"}:
                options[key] = values[-1]
    if options.get("custom_domain"):
        # django-storages signs a custom domain's URLs only with a CloudFront key; without
        # one they are plain, and the CDN in front of the bucket would serve every file.
        key_id = env("AWS_CLOUDFRONT_KEY_ID", default="")
        key = env("AWS_CLOUDFRONT_KEY", default="")
        if not (key_id and key):
            raise ImproperlyConfigured(
                "A custom media domain needs AWS_CLOUDFRONT_KEY_ID and AWS_CLOUDFRONT_KEY, so "
                "its URLs are signed; without them it would serve documents to anyone."
            )
        options["cloudfront_key_id"] = key_id
        options["cloudfront_key"] = key
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def media_origin(env, storage):
    """Where media pictures come from when they are not on this site (for the CSP).

    MEDIA_ORIGIN wins; otherwise the object storage's custom domain, endpoint or the
    bucket's AWS address.
    """
    explicit = env("MEDIA_ORIGIN", default="")
    if explicit or "OPTIONS" not in storage:
        return explicit
    options = storage["OPTIONS"]
    if options.get("custom_domain"):
        return f"https://{options['custom_domain']}"
    if options.get("endpoint_url"):
        parts = urlsplit(options["endpoint_url"])
        return f"{parts.scheme}://{parts.netloc}"
    return f"https://{options['bucket_name']}.s3.amazonaws.com"
