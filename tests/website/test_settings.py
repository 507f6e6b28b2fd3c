"""Settings come from the environment; production refuses to start without its secrets."""

import os
import subprocess
import sys

import environ
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from website.settings.env import (
    cache_settings,
    email_settings,
    media_storage_settings,
    q_cluster_settings,
)

BASE_ENV = {
    key: value
    for key, value in os.environ.items()
    if key
    not in {
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "SITE_URL",
        "DEBUG",
        "DJANGO_SETTINGS_MODULE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
}


def run_manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**BASE_ENV, "DJANGO_SETTINGS_MODULE": "website.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"ALLOWED_HOSTS": "vigil.example.org"}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 60}, "ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_without_secrets(env, missing):
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert f"Set {missing}" in result.stderr


def test_production_passes_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ" * 2,
        ALLOWED_HOSTS="vigil.example.org",
        SITE_URL="https://vigil.example.org",
    )
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.fixture
def environment(monkeypatch):
    for name in [
        "MEDIA_STORAGE_URL",
        "AWS_STORAGE_BUCKET_NAME",
        "AWS_S3_ENDPOINT_URL",
        "AWS_S3_CUSTOM_DOMAIN",
        "AWS_QUERYSTRING_AUTH",
        "AWS_QUERYSTRING_EXPIRE",
        "AWS_CLOUDFRONT_KEY_ID",
        "AWS_CLOUDFRONT_KEY",
    ]:
        monkeypatch.delenv(name, raising=False)

    def set_env(**values):
        for key, value in values.items():
            monkeypatch.setenv(key, value)
        return environ.Env()

    return set_env


def test_media_on_local_disk_by_default(environment):
    assert media_storage_settings(environment(), 300)["BACKEND"].endswith("FileSystemStorage")


def test_media_on_object_storage_when_its_url_is_set(environment):
    storage = media_storage_settings(
        environment(
            MEDIA_STORAGE_URL="s3://vigil-media/uploads?endpoint_url=https://s3.example.org"
            "&region_name=eu-west-1"
        ),
        300,
    )
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "vigil-media"
    assert storage["OPTIONS"]["location"] == "uploads"
    assert storage["OPTIONS"]["endpoint_url"] == "https://s3.example.org"
    assert storage["OPTIONS"]["region_name"] == "eu-west-1"
    assert "access_key" not in storage["OPTIONS"]


def test_media_on_object_storage_from_the_providers_variables(environment):
    storage = media_storage_settings(
        environment(AWS_STORAGE_BUCKET_NAME="vigil", AWS_S3_ENDPOINT_URL="https://minio.local"),
        300,
    )
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "vigil"
    assert storage["OPTIONS"]["endpoint_url"] == "https://minio.local"


def test_the_bucket_stays_private_and_only_signed_urls_open_it(environment):
    """No object gets a public ACL, and every URL the site hands out is signed and short-lived:
    documents are never handed out at all (Wagtail's serve view streams them after its check)."""
    options = media_storage_settings(environment(MEDIA_STORAGE_URL="s3://vigil"), 300)["OPTIONS"]
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True
    assert options["querystring_expire"] == 3600
    assert options["object_parameters"] == {"CacheControl": "max-age=300"}
    assert "custom_domain" not in options


def test_signed_urls_are_made_without_the_network(environment):
    from storages.backends.s3 import S3Storage

    options = media_storage_settings(
        environment(
            MEDIA_STORAGE_URL="s3://vigil?region_name=eu-west-1", AWS_QUERYSTRING_EXPIRE="600"
        ),
        300,
    )["OPTIONS"]
    storage = S3Storage(**options, access_key="AKIAEXAMPLE", secret_key="not-a-secret")
    url = storage.url("images/sunrise.fill-100x100.jpg")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=600" in url


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"AWS_QUERYSTRING_AUTH": "false"}, "AWS_QUERYSTRING_AUTH"),
        ({"AWS_S3_CUSTOM_DOMAIN": "media.example.org"}, "AWS_CLOUDFRONT_KEY"),
        (
            {"AWS_S3_CUSTOM_DOMAIN": "media.example.org", "AWS_CLOUDFRONT_KEY_ID": "K1"},
            "AWS_CLOUDFRONT_KEY",
        ),
    ],
)
def test_object_storage_that_would_publish_every_file_is_refused(environment, variables, message):
    """Unsigned URLs need a public bucket, and a public bucket publishes the documents of
    restricted collections to whoever guesses a file name."""
    with pytest.raises(ImproperlyConfigured, match=message):
        media_storage_settings(environment(AWS_STORAGE_BUCKET_NAME="vigil", **variables), 300)


def test_a_custom_domain_signs_its_urls_with_a_cloudfront_key(environment):
    options = media_storage_settings(
        environment(
            AWS_STORAGE_BUCKET_NAME="vigil",
            AWS_S3_CUSTOM_DOMAIN="media.example.org",
            AWS_CLOUDFRONT_KEY_ID="K2JCJMDEHXQW5F",
            AWS_CLOUDFRONT_KEY="-----BEGIN RSA PRIVATE KEY-----\n...",
        ),
        300,
    )["OPTIONS"]
    assert options["custom_domain"] == "media.example.org"
    assert options["cloudfront_key_id"] == "K2JCJMDEHXQW5F"
    assert options["cloudfront_key"].startswith("-----BEGIN RSA PRIVATE KEY-----")
    assert options["querystring_auth"] is True


def test_documents_are_served_by_wagtails_view_on_every_storage():
    """Wagtail's default on object storage is a redirect to the file's own URL, past no check."""
    assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"


def test_a_malformed_media_storage_url_is_refused(environment):
    with pytest.raises(ImproperlyConfigured):
        media_storage_settings(environment(MEDIA_STORAGE_URL="ftp://nope"), 300)


def test_the_settings_module_selects_object_storage(environment):
    """The real settings module, imported fresh with the variable set, picks S3."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from website.settings import production as s;"
            "print(s.STORAGES['default']['BACKEND'], s.WAGTAILDOCS_SERVE_METHOD)",
        ],
        cwd=settings.BASE_DIR,
        env={
            **BASE_ENV,
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "a.example",
            "MEDIA_STORAGE_URL": "s3://bucket",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["storages.backends.s3.S3Storage", "serve_view"], result.stderr


def test_cache_is_redis_when_configured_else_local_memory():
    assert cache_settings("redis://127.0.0.1:6379/0")["default"]["BACKEND"].endswith("RedisCache")
    assert cache_settings("")["default"]["BACKEND"].endswith("LocMemCache")


def test_task_cluster_broker_and_delivery_guarantees():
    on_redis = q_cluster_settings("redis://127.0.0.1:6379/0", "django.db.backends.postgresql")
    on_database = q_cluster_settings("", "django.db.backends.sqlite3")
    assert on_redis["redis"] == "redis://127.0.0.1:6379/0" and "orm" not in on_redis
    assert on_database["orm"] == "default" and "redis" not in on_database
    for conf in (on_redis, on_database):
        assert conf["retry"] > conf["timeout"]
        assert conf["catch_up"] is False
        assert conf["ack_failures"] is False


@pytest.mark.parametrize(
    ("provider", "backend"),
    [
        ("file", "core.mail_backends.EmlFileBackend"),
        ("console", "django.core.mail.backends.console.EmailBackend"),
        ("smtp", "django.core.mail.backends.smtp.EmailBackend"),
        ("mailgun", "anymail.backends.mailgun.EmailBackend"),
        ("postmark", "anymail.backends.postmark.EmailBackend"),
        ("sendgrid", "anymail.backends.sendgrid.EmailBackend"),
        ("amazon_ses", "anymail.backends.amazon_ses.EmailBackend"),
    ],
)
def test_email_provider_selects_its_backend(environment, provider, backend):
    chosen, anymail = email_settings(environment(MAILGUN_API_KEY="key-123"), provider, "hook:pw")
    assert chosen == backend
    assert anymail["WEBHOOK_SECRET"] == "hook:pw"
    if provider == "mailgun":
        assert anymail["MAILGUN_API_KEY"] == "key-123"


def test_unknown_email_provider_is_refused(environment):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PROVIDER"):
        email_settings(environment(), "pigeon", "")


def test_the_user_model_logs_in_by_email():
    from django.contrib.auth import get_user_model

    assert get_user_model().USERNAME_FIELD == "email"
    assert {"email"} == settings.ACCOUNT_LOGIN_METHODS
    assert settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"
