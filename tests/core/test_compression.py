"""Compression and cheap revalidation (issue 16, point 2; core/http_caching.py).

Anonymous public pages, feeds and the sitemap go out gzipped to browsers that accept it, with
an ETag and `public, max-age=0, must-revalidate`, so a browser or proxy asks again each time
and gets an empty 304 when nothing changed. Anything that may belong to one visitor (signed
in, a signed link, a form, a POST) is `private, no-store` and never answers 304.
"""

import gzip

import pytest
from django.test import Client

from digests.links import preferences_url
from tests.digests.subscription_helpers import make_subscription
from tests.factories import UserFactory, add_story, make_document, make_image
from tests.prayer.request_helpers import make_request, make_wall

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def pages(site_pages):
    home, news = site_pages
    story = add_story(news, title="A new beginning")
    for number in range(3):
        add_story(news, title=f"Another story {number}")
    wall = make_wall(home)
    make_request("Pray for Asha's exams")
    return {
        "home": "/",
        "news index": news.url,
        "story": story.url,
        "prayer wall": wall.url,
        "feed": "/feeds/stories/",
        "sitemap": "/sitemap.xml",
    }


PAGES = ["home", "news index", "story", "prayer wall", "feed", "sitemap"]


def cache_control(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


def vary(response):
    return {part.strip().lower() for part in response.get("Vary", "").split(",") if part}


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def without_csrf_tokens(html):
    """Pages are the same but for the CSRF token, which is masked anew for every response."""
    import re

    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)


# --- compression -------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_public_pages_go_out_gzipped_to_browsers_that_accept_it(client, pages, name):
    plain = client.get(pages[name])
    compressed = client.get(pages[name], **GZIP)

    assert compressed.status_code == 200
    assert compressed["Content-Encoding"] == "gzip"
    assert "accept-encoding" in vary(compressed)
    assert int(compressed["Content-Length"]) == len(compressed.content)
    assert len(compressed.content) < len(plain.content)
    assert without_csrf_tokens(gzip.decompress(compressed.content)) == without_csrf_tokens(
        plain.content
    )


@pytest.mark.parametrize("name", PAGES)
def test_without_accept_encoding_the_page_is_plain(client, pages, name):
    response = client.get(pages[name])

    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert "accept-encoding" in vary(response)
    assert response.content.lstrip()[:1] == b"<"


def test_small_answers_are_not_compressed(client, site_pages):
    response = client.get("/healthz", **GZIP)

    assert len(response.content) < 200
    assert not response.has_header("Content-Encoding")


def test_photos_are_served_as_stored_not_compressed_again(client, site_pages):
    image = make_image(size=(400, 300))
    response = client.get(image.file.url, **GZIP)

    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    with image.file.open("rb") as stored:
        assert body(response) == stored.read()


def test_document_downloads_are_served_as_stored(client, site_pages):
    text = b"%PDF-1.4\n" + b"Freedom Sunday sermon outline. " * 200 + b"\n%%EOF\n"
    document = make_document("Long outline", content=text)
    response = client.get(document.url, **GZIP)

    assert response.status_code == 200
    assert response.streaming
    assert not response.has_header("Content-Encoding")  # not gzip, nor Wagtail's "None"
    assert body(response) == text


# --- revalidation ------------------------------------------------------------------------

REVALIDATED = ["home", "news index", "story", "feed", "sitemap"]


@pytest.mark.parametrize("name", REVALIDATED)
def test_public_pages_may_be_kept_but_are_checked_each_time(client, pages, name):
    response = client.get(pages[name])

    assert cache_control(response) == {"public", "max-age=0", "must-revalidate"}
    assert {"cookie", "accept-encoding"} <= vary(response)
    assert response.has_header("ETag")


@pytest.mark.parametrize("name", REVALIDATED)
def test_an_unchanged_public_page_answers_304_without_a_body(client, pages, name):
    first = client.get(pages[name], **GZIP)
    etag = first["ETag"]
    assert etag.startswith('W/"')  # the compressed body is another byte sequence

    again = client.get(pages[name], HTTP_IF_NONE_MATCH=etag, **GZIP)
    assert again.status_code == 304
    assert again.content == b""
    assert cache_control(again) == {"public", "max-age=0", "must-revalidate"}

    plain_again = client.get(pages[name], HTTP_IF_NONE_MATCH=etag)
    assert plain_again.status_code == 304


def test_a_changed_page_answers_in_full(client, site_pages):
    _home, news = site_pages
    story = add_story(news, title="Before")
    etag = client.get(story.url)["ETag"]
    story.title = "After"
    story.save_revision().publish()

    response = client.get(story.url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert b"After" in response.content


# --- never shared --------------------------------------------------------------------------


def assert_personal(response):
    assert {"private", "no-store"} <= cache_control(response), response.get("Cache-Control")
    assert "public" not in cache_control(response)
    assert not response.has_header("ETag")
    assert not response.has_header("Last-Modified")


@pytest.mark.parametrize("name", REVALIDATED)
def test_signed_in_pages_are_private_and_never_304(client, pages, name):
    anonymous_etag = Client().get(pages[name])["ETag"]
    client.force_login(UserFactory())

    response = client.get(pages[name], HTTP_IF_NONE_MATCH=anonymous_etag)

    assert response.status_code == 200
    assert response.content
    assert_personal(response)


def test_an_anonymous_visitor_with_a_session_gets_private_pages(client, pages):
    session = client.session
    session["kept"] = "something of theirs"
    session.save()
    etag = Client().get("/")["ETag"]

    response = client.get("/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert_personal(response)


def test_signed_link_pages_are_private(client, site_pages):
    subscription = make_subscription()
    path = preferences_url(subscription.pk, subscription.link_version).removeprefix(
        "http://testserver"
    )

    response = client.get(path, **GZIP)
    assert response.status_code == 200
    assert_personal(response)
    again = client.get(path, HTTP_IF_NONE_MATCH=response.get("ETag", '"x"'))
    assert again.status_code == 200


def test_pages_with_a_form_are_private(client, site_pages):
    response = client.get("/pray/subscribe/")

    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert_personal(response)


def test_form_answers_are_private(client, site_pages):
    response = client.post("/pray/subscribe/", {"email": "not an address"})

    assert_personal(response)


def test_previews_and_the_back_office_are_private(admin_client, site_pages):
    _home, news = site_pages
    story = add_story(news, title="Draft", publish=False)

    response = admin_client.get(f"/admin/pages/{story.pk}/view_draft/")
    assert response.status_code == 200
    assert_personal(response)


def test_a_view_that_sets_its_own_cache_control_keeps_it(client, site_pages, settings):
    image = make_image()
    response = client.get(image.file.url)

    assert cache_control(response) == {"public", f"max-age={settings.MEDIA_CACHE_SECONDS}"}


def test_compression_can_be_left_to_a_front_server(client, pages, settings):
    settings.COMPRESS_RESPONSES = False
    response = client.get("/", **GZIP)

    assert not response.has_header("Content-Encoding")
    assert response.has_header("ETag")
