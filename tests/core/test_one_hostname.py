"""One hostname (issue 12, point 10): SITE_URL decides the default Wagtail Site's hostname and
port (after migrate, in the demo, in build_site), so every absolute URL the site gives out
(sitemap, canonical and og:url, feeds, calendar files, emails) has SITE_URL's origin."""

import datetime
import re
from html import unescape
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from wagtail.models import Site

from core.sites import (
    align_default_site,
    align_default_site_after_migrate,
    check_site_url,
    site_address,
)
from tests.digests.subscription_helpers import signup_data
from tests.factories import (
    add_opportunity,
    add_prayer_calendar,
    add_resource,
    add_shift,
    add_story,
    add_vigil,
    build_site,
    guarded,
    open_campaign,
    registration_form_data,
)
from tests.prayer.request_helpers import make_request, make_wall
from tests.volunteers.helpers import form_data as volunteer_form_data
from vigils.slots import slot_key

pytestmark = pytest.mark.django_db

SITE_URL = "https://vigil.example.org"
ABSOLUTE = re.compile(r"""https?://[^\s"'<>\\)]+""")
# XML namespaces name a vocabulary; nothing is fetched from them.
NAMESPACES = {"http://www.w3.org", "http://www.sitemaps.org", "http://purl.org"}
CANONICAL = re.compile(r"""<link rel="canonical" href="([^"]+)""")
OG_URL = re.compile(r"""<meta property="og:url" content="([^"]+)""")


@pytest.fixture
def on_site_url(settings):
    settings.SITE_URL = SITE_URL
    settings.WAGTAILADMIN_BASE_URL = SITE_URL
    settings.ALLOWED_HOSTS = ["vigil.example.org"]
    return Client(HTTP_HOST="vigil.example.org", SERVER_PORT="443", **{"wsgi.url_scheme": "https"})


def origins(text):
    found = {}
    for url in ABSOLUTE.findall(unescape(text).replace("\r\n ", "")):
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in NAMESPACES:
            found.setdefault(origin, url)
    return found


def local(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def email_texts():
    for message in mail.outbox:
        yield message.body
        for body, _kind in getattr(message, "alternatives", []):
            yield body
        for attachment in message.attachments:
            content = attachment[1] if isinstance(attachment, tuple) else attachment.get_payload()
            yield content.decode() if isinstance(content, bytes) else str(content)


def link_in_last_email(part):
    return next(url for url in ABSOLUTE.findall(mail.outbox[-1].body) if part in url)


def test_every_absolute_url_has_the_origin_of_site_url(
    on_site_url, django_capture_on_commit_callbacks
):
    client = on_site_url
    home, news = build_site()
    add_story(news, title="A new beginning")
    wall = make_wall(home)
    make_request("Strength for the night shift")
    calendar = add_prayer_calendar(home)
    start = timezone.localdate() + datetime.timedelta(days=5)
    vigil = add_vigil(home, start_date=start, end_date=start + datetime.timedelta(days=1))
    shift = add_shift(add_opportunity(home))
    campaign = open_campaign(home)
    add_resource(campaign)
    texts = {}

    def fetch(url, **data):
        response = client.get(local(url), data, secure=True)
        assert response.status_code == 200, url
        texts[url] = response.content.decode()
        return texts[url]

    sitemap = fetch("/sitemap.xml")
    pages = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert len(pages) >= 8
    for page in pages:
        html = fetch(page)
        assert CANONICAL.search(html).group(1) == page
        assert OG_URL.search(html).group(1) == page
    fetch("/robots.txt")
    fetch("/feeds/stories/")
    fetch(wall.url + "feed/")
    fetch(calendar.url + "feed/")
    fetch(calendar.url + "ics/")
    fetch("/pray/subscribe/")

    def post(url, data=None):
        response = client.post(local(url), data or {}, secure=True)
        assert response.status_code in (200, 302), (url, response.content[:300])

    with django_capture_on_commit_callbacks(execute=True):
        post("/pray/subscribe/", signup_data(email="ruth@example.org"))
        post(link_in_last_email("/pray/confirm/"))
        post(
            calendar.url + "subscribe/",
            guarded(email="amos@example.org", hour="7", time_zone="UTC"),
        )
        post(link_in_last_email("/pray/calendars/confirm/"))
        first_slot = vigil.slots.order_by("starts_at").first()
        post(
            vigil.url + "signup/",
            guarded(
                slots=[slot_key(first_slot.starts_at)],
                email="mira@example.org",
                display_name="Mira",
                time_zone="UTC",
            ),
        )
        post(link_in_last_email("/pray/vigils/confirm/"))
        post(f"/volunteer/shifts/{shift.pk}/sign-up/", volunteer_form_data())
        post(link_in_last_email("/volunteer/confirm/"))
        post(campaign.url + "register/", guarded(registration_form_data()))
    # Two confirmation links, a vigil's and a shift's confirmation with their .ics, the kit.
    assert len(mail.outbox) == 7
    assert sum(len(message.attachments) for message in mail.outbox) == 2
    for number, text in enumerate(email_texts()):
        texts[f"email {number}"] = text

    unlinked = [source for source, text in texts.items() if SITE_URL + "/" not in text]
    assert not unlinked, "every page, feed, calendar file and email links to the site"
    found = {}
    for source, text in texts.items():
        for origin, url in origins(text).items():
            found.setdefault(origin, (source, url))
    assert set(found) == {SITE_URL}, found


def test_migrate_gives_the_default_site_site_urls_hostname_and_port(settings):
    site = Site.objects.get(is_default_site=True)
    assert site.root_url == settings.SITE_URL, "the test database was migrated with SITE_URL"
    Site.objects.filter(pk=site.pk).update(hostname="localhost", port=80)  # Wagtail's stock Site

    settings.SITE_URL = "http://127.0.0.1:8000"
    align_default_site_after_migrate()

    assert Site.objects.get(is_default_site=True).root_url == "http://127.0.0.1:8000"
    settings.SITE_URL = "https://vigil.example.org"  # the organisation moved to its domain
    align_default_site_after_migrate()
    assert Site.objects.get(is_default_site=True).root_url == "https://vigil.example.org"
    assert not align_default_site(), "a second run changes nothing"


def test_the_site_url_is_refused_at_start_when_no_wagtail_site_can_have_it(settings):
    for good in ["http://testserver", "https://vigil.example.org", "http://127.0.0.1:8000"]:
        settings.SITE_URL = good
        assert check_site_url(None) == []
    for bad in [
        "https://vigil.example.org:8443",
        "http://vigil.example.org:443",
        "https://vigil.example.org/prayer",
        "vigil.example.org",
        "ftp://vigil.example.org",
        "http://[::1]:8000",
    ]:
        settings.SITE_URL = bad
        assert [error.id for error in check_site_url(None)] == ["core.E001"], bad
        Site.objects.filter(is_default_site=True).update(hostname="kept", port=80)
        align_default_site_after_migrate()  # leaves the Site alone rather than guess
        assert Site.objects.get(is_default_site=True).hostname == "kept"


@pytest.mark.parametrize(
    ("site_url", "address"),
    [
        ("http://testserver", ("testserver", 80)),
        ("https://Vigil.Example.org/", ("vigil.example.org", 443)),
        ("http://127.0.0.1:8000", ("127.0.0.1", 8000)),
    ],
)
def test_site_address(site_url, address):
    assert site_address(site_url) == address


def test_the_demo_site_has_site_urls_address(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = "http://127.0.0.1:8000"

    call_command("demo_content", "--image-width=64", stdout=StringIO())

    assert Site.objects.get(is_default_site=True).root_url == "http://127.0.0.1:8000"
    Site.objects.all().delete()
    settings.SITE_URL = "https://vigil.example.org"
    call_command("demo_content", "--image-width=64", stdout=StringIO())
    assert Site.objects.get(is_default_site=True).root_url == "https://vigil.example.org"
