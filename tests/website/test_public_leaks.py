"""Nothing restricted or personal reaches a public surface.

Canary strings are planted wherever restricted content and people's details live: a prayer
item's restricted text, a prayer submitter's name and address, a safe-house address on a
volunteer opportunity, a volunteer's name and phone, a church contact, a subscriber, a vigil
sign-up, a draft story, unpublished changes to a live story, and a story taken down because
its consent was withdrawn. Then an anonymous visitor crawls every public URL: the pages of
the demo site and every link on them, the sitemap and everything in it, the feeds, search
results for each canary, calendar files, the browser view of a digest that carried the
restricted item, the JSON endpoints and the error pages. No canary may appear in any body
or header, and the crawl must have reached every kind of surface (a broken crawler that
visits nothing must fail).
"""

import datetime
import re
from collections import Counter, deque
from io import StringIO
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from digests import dispatching
from digests.models import DigestIssue, Subscription
from prayer.models import PrayerRequest
from tests.factories import add_consent, add_story, supporter_records
from volunteers.models import OpportunityPage, Shift
from website.consent.takedown import take_down_ended_content
from website.models import HomePage, NewsIndexPage

pytestmark = pytest.mark.django_db

CANARY = {
    "restricted_prayer": "CanaryRestricted4c1e",
    "submitter_name": "CanarySubmitter9d2b",
    "submitter_email": "canary-submitter-77e1@example.org",
    "safe_house": "CanarySafeHouse3a8f Hidden Lane",
    "volunteer_name": "CanaryVolunteer5b7c",
    "volunteer_phone": "+447700900555",
    "supporter_email": "canary-supporter-2f9a@example.org",
    "church_phone": "+442079460111",
    "draft_story": "CanaryDraftStory6e3d",
    "unpublished_change": "CanaryUnpublishedChange8a4b",
    "withdrawn_story": "CanaryWithdrawnStory1c9e",
}
# A phone number is also matched without its "+", as a link or a formatter might write it.
NEEDLES = {*CANARY.values(), CANARY["volunteer_phone"][1:], CANARY["church_phone"][1:]}

HREF = re.compile(r"""(?:href|src|action)\s*=\s*["']([^"'#]+)""", re.IGNORECASE)
LOC = re.compile(r"<(?:loc|link)>\s*([^<\s]+)\s*</(?:loc|link)>")
# The test client's host, and the Wagtail site's (the sitemap's addresses use it).
HOSTS = ("", "testserver", "localhost")
SKIP_PREFIXES = ("/static/", "/media/", "/admin/", "/documents/", "/anymail/")
MAX_URLS = 1500
NOW = datetime.datetime(2026, 11, 24, 7, 30, tzinfo=datetime.UTC)


@pytest.fixture
def planted(settings, time_machine, django_capture_on_commit_callbacks):
    # Half past seven in the morning UTC: the vetted subscriber's first digest is due.
    time_machine.move_to(NOW)
    settings.SITE_URL = "http://testserver"
    call_command("demo_content", "--image-width=32", stdout=StringIO())
    home = HomePage.objects.get()
    news = NewsIndexPage.objects.get()

    # One supporter in every app: subscription, calendar, vigil, request, volunteer, church.
    records = supporter_records(home, CANARY["supporter_email"], name=CANARY["volunteer_name"])
    records["volunteer"].__class__.objects.filter(pk=records["volunteer"].pk).update(
        phone=CANARY["volunteer_phone"]
    )
    records["contact"].__class__.objects.filter(pk=records["contact"].pk).update(
        phone=CANARY["church_phone"]
    )
    OpportunityPage.objects.update(exact_address=CANARY["safe_house"])
    # The vigil grid shows the name a person chose to show there; the canary is not that.
    records["vigil_signup"].__class__.objects.update(display_name="Grace")

    PrayerRequest.objects.create(
        title="Shelter for two sisters",
        public_text="Pray for a safe place for two sisters.",
        restricted_text=f"They are staying at {CANARY['restricted_prayer']}.",
        submitter_name=CANARY["submitter_name"],
        submitter_email=CANARY["submitter_email"],
        status=PrayerRequest.Status.APPROVED,
        urgent=True,
        approved_at=NOW - datetime.timedelta(hours=1),
    )
    Subscription.objects.create(
        email="vetted-canary@example.org",
        status=Subscription.Status.ACTIVE,
        frequency="daily",
        wants_restricted=True,
        restricted_verified=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        dispatching.dispatch()

    add_story(news, title=CANARY["draft_story"], publish=False)
    live = add_story(news, title="A story with a draft in progress")
    live.intro = CANARY["unpublished_change"]
    live.save_revision()
    withdrawn = add_story(news, title=CANARY["withdrawn_story"])
    add_consent(withdrawn, withdrawn_on=NOW.date())
    take_down_ended_content()
    return {"records": records, "issues": list(DigestIssue.objects.all())}


def seeds(planted):
    urls = [
        "/",
        "/sitemap.xml",
        "/robots.txt",
        "/feeds/stories/",
        "/healthz",
        "/search/?q=prayer",
        "/search/?q=story",
        "/this-page-does-not-exist/",
    ]
    urls += [f"/search/?{urlencode({'q': needle})}" for needle in sorted(NEEDLES)]
    urls += [reverse("digests:digest-issue", args=[issue.pk]) for issue in planted["issues"]]
    urls += [
        reverse("volunteers:shift_calendar", args=[pk])
        for pk in Shift.objects.values_list("pk", flat=True)
    ]
    return urls


def kind_of(path, response):
    content_type = response.get("Content-Type", "")
    if path.startswith("/search/"):
        return "search"
    if "sitemap" in path:
        return "sitemap"
    if "/digests/" in path:
        return "digest"
    if "calendar" in content_type:
        return "calendar"
    if "rss" in content_type or "atom" in content_type or "/feed" in path:
        return "feed"
    if "json" in content_type:
        return "json"
    if "html" in content_type:
        return "page"
    return "other"


def links_in(base, body):
    found = HREF.findall(body) + LOC.findall(body)
    for link in found:
        absolute = urljoin(base, link.replace("&amp;", "&"))
        parts = urlsplit(absolute)
        if parts.netloc not in HOSTS or parts.scheme not in ("", "http", "https"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(SKIP_PREFIXES):
            continue
        yield path


def crawl(client, start):
    queue, seen, kinds, visited = deque(start), set(start), Counter(), []
    while queue and len(visited) < MAX_URLS:
        path = queue.popleft()
        response = client.get(path, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*")
        visited.append((path, response))
        kinds[kind_of(path, response)] += 1
        if response.status_code in (301, 302) and response.get("Location"):
            target = next(links_in(path, f'href="{response["Location"]}"'), None)
            if target and target not in seen:
                seen.add(target)
                queue.append(target)
            continue
        if "text" in response.get("Content-Type", "") or "xml" in response.get("Content-Type", ""):
            for link in links_in(path, response.content.decode("utf-8", "replace")):
                if link not in seen:
                    seen.add(link)
                    queue.append(link)
    return visited, kinds


def occurrences(needle, response):
    body = response.content.decode("utf-8", "replace") if not response.streaming else ""
    headers = " ".join(f"{name}: {value}" for name, value in response.items())
    return f"{body} {headers}".lower().count(needle.lower())


def echoes_of_a_query(client):
    """How often the search page repeats what was typed (heading, field, title), measured
    with a term found nowhere: a canary searched for may appear that often, never more."""
    control = "ControlTermFoundNowhere0"
    return occurrences(control, client.get(f"/search/?{urlencode({'q': control})}"))


def test_no_canary_on_any_public_surface(planted):
    client = Client()
    visited, kinds = crawl(client, seeds(planted))
    echoes = echoes_of_a_query(client)

    leaks = []
    server_errors = []
    for path, response in visited:
        # /healthz answers 503 while no task cluster runs: that is its job, not an error.
        if response.status_code >= 500 and path != "/healthz":
            server_errors.append(path)
        query = (
            parse_qs(urlsplit(path).query).get("q", [""])[0] if path.startswith("/search/") else ""
        )
        for needle in NEEDLES:
            allowed = echoes if query and needle.lower() in query.lower() else 0
            if occurrences(needle, response) > allowed:
                leaks.append((needle, path))

    assert leaks == [], "\n".join(map(str, leaks))
    assert server_errors == []
    # The crawl really went everywhere: every kind of surface, and plenty of it.
    assert len(visited) >= 80, len(visited)
    for kind in ("page", "sitemap", "feed", "search", "calendar", "digest", "json"):
        assert kinds[kind] >= 1, (kind, kinds)
    paths = {path for path, _response in visited}
    assert any(path.startswith("/volunteer-with-us/") for path in paths), "opportunity pages"
    assert any("/prayer-wall/" in path for path in paths), "the prayer wall"
    assert any(path.endswith(".ics") for path in paths), "calendar files"


def test_canaries_are_really_stored(planted):
    """Guards the test above: the canaries exist where they were planted."""
    records = planted["records"]
    records["volunteer"].refresh_from_db()
    assert records["volunteer"].phone == CANARY["volunteer_phone"]
    assert OpportunityPage.objects.filter(exact_address=CANARY["safe_house"]).exists()
    assert PrayerRequest.objects.filter(
        restricted_text__contains=CANARY["restricted_prayer"]
    ).exists()
    issue = next(issue for issue in planted["issues"] if issue.includes_restricted)
    assert issue.pk
