"""Security headers on public pages: a strict CSP without inline script, and friends."""

import re

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_pages")]


def test_public_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/", "/stories/", "/search/?q=hope", "/pray/subscribe/", "/accounts/login/"]
)
def test_public_pages_have_no_inline_script_or_handlers(client, path):
    html = client.get(path).content.decode()

    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag or "application/ld+json" in tag
    assert not re.search(r"\son(click|load|submit|change)=", html)


def test_media_origin_comes_from_object_storage(monkeypatch):
    import environ

    from website.settings.env import media_origin, media_storage_settings

    env = environ.Env()
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "vigil-media")
    monkeypatch.delenv("MEDIA_ORIGIN", raising=False)
    monkeypatch.delenv("AWS_S3_CUSTOM_DOMAIN", raising=False)
    monkeypatch.delenv("AWS_S3_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("MEDIA_STORAGE_URL", raising=False)
    assert (
        media_origin(env, media_storage_settings(env, 300))
        == "https://vigil-media.s3.amazonaws.com"
    )
    monkeypatch.setenv("AWS_S3_CUSTOM_DOMAIN", "media.example.org")
    monkeypatch.setenv("AWS_CLOUDFRONT_KEY_ID", "K2JCJMDEHXQW5F")
    monkeypatch.setenv("AWS_CLOUDFRONT_KEY", "-----BEGIN RSA PRIVATE KEY-----")
    assert media_origin(env, media_storage_settings(env, 300)) == "https://media.example.org"
    monkeypatch.setenv("MEDIA_ORIGIN", "https://cdn.example.org")
    assert media_origin(env, media_storage_settings(env, 300)) == "https://cdn.example.org"


def test_the_admin_is_outside_the_public_policy(admin_client):
    response = admin_client.get("/admin/")

    assert "Content-Security-Policy" not in response
