"""The leak test: canaries planted in everything that must stay private, then an anonymous
crawl of every public URL, which must find none of them (issue 7, part 8).

Each canary is two random words. Search is asked for the first; the second appears only
where the planted text itself is shown. So a page that repeats the visitor's query back
is no leak, and a result that shows the planted text is.

Public controls are planted beside the canaries (the public text of the same prayer
request, the area of the same opportunity, ...): the crawl must find every one of them, so
a crawler that never reached those pages cannot pass.
"""

import datetime
import re
import secrets
from collections import Counter, deque
from html import unescape
from urllib.parse import quote, urljoin, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from campaigns.models import ChurchRegistration
from digests import dispatching
from digests.models import Subscription
from prayer.models import PrayerRequest
from tests.factories import (
    add_check,
    add_opportunity,
    add_prayer_calendar,
    add_resource,
    add_shift,
    add_standard,
    add_story,
    add_vigil,
    add_volunteer,
    open_campaign,
    register_church,
)
from tests.prayer.request_helpers import make_region, make_topic, make_wall
from vigils.models import CalendarSubscription, VigilSignup, VigilSlot
from vigils.slots import book_slots
from volunteers import signups
from website.models import StoryPage

pytestmark = pytest.mark.django_db

MAX_URLS = 2000
MIN_URLS = 80
EXPECTED_KINDS = {
    "html",
    "rss",
    "sitemap",
    "ics",
    "json",
    "robots",
    "search",
    "digest",
    "not-found",
    "document",
    "redirect",
}
SKIPPED = ("/static/", "/media/images/", "/admin/", "/accounts/logout/")
LINKS = re.compile(r"""(?:href|src|action)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
FEED_LINKS = re.compile(r"<(?:link|loc|guid|url)>\s*([^<\s]+)\s*</")
ABSOLUTE = re.compile(r"https?://(?:testserver|localhost)(/[^\s\"'<>]*)")


class Canaries:
    """Two random words for each secret, and a random word for each public control."""

    def __init__(self):
        self.secret = {}
        self.public = {}

    def new(self, name):
        words = (f"zq{secrets.token_hex(5)}", f"zq{secrets.token_hex(5)}")
        self.secret[name] = words
        return " ".join(words)

    def control(self, name):
        self.public[name] = f"ok{secrets.token_hex(5)}"
        return self.public[name]

    def token(self, name):
        """One word only, for fields that take no spaces (an email's local part, a phone).
        It is never searched for."""
        word = f"zq{secrets.token_hex(5)}"
        self.secret[name] = (word, None)
        return word

    def searched(self):
        """The first word of each two-word secret: what the crawl asks search for."""
        return [head for head, tail in self.secret.values() if tail]

    def leaks(self, url, text):
        """The secrets in `text`: the second word anywhere, the first unless `url` asked
        for it (search repeats its query)."""
        asked = unescape(url).lower()
        return [
            name
            for name, (head, tail) in self.secret.items()
            if (tail and tail in text) or (head in text and head not in asked)
        ]


@pytest.fixture
def planted(site_pages, django_capture_on_commit_callbacks):
    home, news = site_pages
    canaries = Canaries()
    now = timezone.now()
    seeds = []

    # Prayer: a wall, restricted text, requests not (or no longer) public, submitters.
    wall = make_wall(home)
    topic = make_topic("Children")
    region = make_region("Kolkata")
    shelter = PrayerRequest.objects.create(
        title=f"Safety for two sisters {canaries.control('request title')}",
        public_text=f"Pray they stay safe. {canaries.control('request text')}",
        restricted_text=f"They are at {canaries.new('restricted prayer text')}.",
        submitter_name=canaries.new("prayer submitter name"),
        submitter_email=f"{canaries.token('prayer submitter email')}@example.org",
        status=PrayerRequest.Status.APPROVED,
        approved_at=now - datetime.timedelta(hours=1),
    )
    shelter.topics.add(topic)
    shelter.regions.add(region)
    hidden = {
        "unmoderated request": {"status": PrayerRequest.Status.SUBMITTED},
        "rejected request": {"status": PrayerRequest.Status.REJECTED},
        "archived request": {"status": PrayerRequest.Status.ARCHIVED},
        "expired request": {"expires_at": now - datetime.timedelta(days=1)},
        "scheduled request": {"publish_at": now + datetime.timedelta(days=3)},
    }
    for name, fields in hidden.items():
        fields.setdefault("status", PrayerRequest.Status.APPROVED)
        fields.setdefault("approved_at", now - datetime.timedelta(days=2))
        request = PrayerRequest.objects.create(
            title=canaries.new(f"{name} title"), public_text=canaries.new(f"{name} text"), **fields
        )
        request.topics.add(topic)
        seeds.append(wall.request_url(request))

    # Supporters: digests (a restricted and an ordinary issue), a calendar, a vigil.
    vetted, ordinary = (
        Subscription.objects.create(
            email=f"{canaries.token(f'{kind} subscriber email')}@example.org",
            name=canaries.new(f"{kind} subscriber name"),
            status=Subscription.Status.ACTIVE,
            frequency="daily",
            wants_restricted=True,
            restricted_verified=kind == "vetted",
        )
        for kind in ("vetted", "ordinary")
    )
    with django_capture_on_commit_callbacks(execute=True):
        dispatching.dispatch()
    issues = list(vetted.deliveries.values_list("issue_id", flat=True))
    issues += list(ordinary.deliveries.values_list("issue_id", flat=True))
    assert len(set(issues)) == 2, "a restricted and an ordinary digest issue"
    seeds += [f"/pray/digests/{pk}/" for pk in issues]

    calendar = add_prayer_calendar(home, start_date=timezone.localdate())
    CalendarSubscription.objects.create(
        calendar=calendar,
        email=f"{canaries.token('calendar subscriber email')}@example.org",
        status="active",
    )
    vigil = add_vigil(
        home,
        start_date=timezone.localdate() + datetime.timedelta(days=3),
        end_date=timezone.localdate() + datetime.timedelta(days=4),
        capacity=3,
    )
    signup = VigilSignup.objects.create(
        vigil=vigil,
        email=f"{canaries.token('vigil signup email')}@example.org",
        display_name=canaries.control("vigil display name"),
        status=VigilSignup.Status.CONFIRMED,
        confirmed_at=now,
    )
    book_slots(signup, list(VigilSlot.objects.filter(vigil=vigil))[:2])

    # Volunteers: the exact address, a volunteer's details and check, coordinator notes.
    opportunity = add_opportunity(
        home,
        area=f"Kalighat {canaries.control('opportunity area')}",
        exact_address=canaries.new("exact address"),
        requires_safeguarding_check=True,
    )
    shift = add_shift(opportunity, capacity=2)
    volunteer = add_volunteer(
        email=f"{canaries.token('volunteer email')}@example.org",
        name=canaries.new("volunteer name"),
        phone=canaries.token("volunteer phone"),
        notes=canaries.new("volunteer notes"),
    )
    add_check(volunteer, reference=canaries.token("safeguarding reference"))
    signups.request_signup(volunteer, shift)
    seeds += [
        f"/volunteer/shifts/{shift.pk}/calendar.ics",
        f"/volunteer/shifts/{shift.pk}/sign-up/",
    ]

    # Churches: a contact's details, a church that did not agree to be listed.
    campaign = open_campaign(home)
    add_resource(campaign, "Sermon outline")
    register_church(
        campaign,
        church_name=f"Grace Church {canaries.control('listed church')}",
        contact_name=canaries.new("church contact name"),
        email=f"{canaries.token('church contact email')}@example.org",
        phone="+442079460958",
        role=canaries.new("church contact role"),
    )
    ChurchRegistration.objects.update(
        denomination=canaries.token("church denomination"),
        region=canaries.token("church region"),
    )
    register_church(
        campaign,
        church_name=canaries.new("unlisted church"),
        email="someone@example.org",
        listed_publicly=None,
    )

    # Stories: a draft, and a live story whose newer draft is not published.
    add_story(news, title="Bakery opens", intro=f"Fresh bread. {canaries.control('story')}")
    draft = add_story(
        news, title=canaries.new("draft story title"), slug="draft-story", publish=False
    )
    seeds.append("/" + draft.url_path.removeprefix(home.url_path))
    changed = add_story(news, title="School days", intro="Forty children, one classroom.")
    changed = StoryPage.objects.get(pk=changed.pk)
    changed.intro = canaries.new("unpublished change")
    changed.body = [("paragraph", f"<p>{canaries.new('unpublished change body')}</p>")]
    changed.save_revision()

    # Private pages, and documents in a private and a password-protected collection: asked for
    # by their serve view and by every spelling of their file under /media/.
    private = add_standard(home, title="Staff only", intro=canaries.new("private page"))
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    password = add_standard(home, title="Partners", intro=canaries.new("password page"))
    PageViewRestriction.objects.create(page=password, restriction_type="password", password="s")
    seeds += [private.url, password.url]
    for name, restriction in [
        ("Safeguarding", {"restriction_type": "login"}),
        ("Partners", {"restriction_type": "password", "password": "s"}),
    ]:
        collection = Collection.get_first_root_node().add_child(name=name)
        CollectionViewRestriction.objects.create(collection=collection, **restriction)
        document = get_document_model()(
            title=canaries.new(f"{name} document"), collection=collection
        )
        document.file.save(
            "report.txt", ContentFile(canaries.new(f"{name} document text").encode()), save=False
        )
        document.save()
        seeds += [document.url, *media_spellings(document.file.name)]

    words = ["prayer", "church", "volunteer", "story", "children", "safety", "kolkata"]
    seeds += [f"/search/?q={quote(word)}" for word in words + canaries.searched()]
    seeds += [
        "/",
        "/sitemap.xml",
        "/robots.txt",
        "/feeds/stories/",
        f"{wall.url}feed/",
        f"{wall.url}topics/{topic.slug}/feed/",
        wall.request_url(shelter),
        f"{wall.url}?topic={topic.slug}",
        f"{wall.url}?region={region.slug}",
        f"{news.url}?tag=education",
        f"{news.url}?region={region.slug}",
        f"{opportunity.get_parent().url}?open=1",
        f"{opportunity.get_parent().url}?date={timezone.localdate() + datetime.timedelta(days=3)}",
        f"{campaign.url}churches/?country=GB",
        f"{calendar.url}ics/",
        f"{calendar.url}feed/",
        f"{vigil.url}pulse/",
        opportunity.url,
        f"{campaign.url}churches/",
        "/healthz",
        "/admin/",
        "/no-such-page/",
        "/pray/subscribe/",
        "/pray/request/",
    ]
    # The one JSON answer besides /healthz: "I prayed" asked for by fetch().
    prayed = f"{wall.url}{shelter.pk}/prayed/"
    return canaries, seeds, prayed


def media_spellings(name):
    """A document's file under /media/, as typed and as a visitor might disguise it."""
    folder, filename = name.split("/", 1)
    return [
        f"/media/{name}",
        f"/media/./{name}",
        f"/media/{folder}/../{name}",
        f"/media/images/../{name}",
        f"/media/{quote(name, safe='')}",
        f"/media/{folder.capitalize()}/{filename}",
    ]


class Crawl:
    """An anonymous visitor following every same-site link from the seeds."""

    def __init__(self, canaries):
        self.client = Client()
        self.canaries = canaries
        self.visited = set()
        self.kinds = Counter()
        self.leaks = []
        self.seen_controls = set()

    def run(self, seeds):
        queue = deque(seeds)
        while queue and len(self.visited) < MAX_URLS:
            url = queue.popleft()
            if url in self.visited:
                continue
            self.visited.add(url)
            queue.extend(link for link in self.fetch(url) if link not in self.visited)

    def fetch(self, url, method="get", **headers):
        response = getattr(self.client, method)(url, headers=headers)
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode("utf-8", "replace")
        headers = "\n".join(f"{name}: {value}" for name, value in response.items())
        found = self.canaries.leaks(url, body + headers)
        self.leaks += [(url, name) for name in found]
        self.seen_controls |= {name for name, word in self.canaries.public.items() if word in body}
        self.kinds.update(kinds_of(url, response))
        links = [response["Location"]] if response.has_header("Location") else []
        links += LINKS.findall(body) + FEED_LINKS.findall(body) + ABSOLUTE.findall(body)
        return [link for link in (same_site(url, unescape(raw)) for raw in links) if link]


def same_site(base, link):
    """The link as a path on this site, or None for elsewhere and for what is not crawled."""
    parts = urlsplit(urljoin(f"http://testserver{base}", link.strip()))
    if parts.scheme not in ("http", "https") or parts.netloc not in ("testserver", "localhost"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if path.startswith(SKIPPED) else path


def kinds_of(url, response):
    kind = response.get("Content-Type", "").split(";")[0]
    path = urlsplit(url).path
    found = {
        "text/html": "html",
        "application/rss+xml": "rss",
        "application/xml": "sitemap",
        "text/calendar": "ics",
        "application/json": "json",
    }.get(kind, kind)
    kinds = {found}
    if path == "/robots.txt":
        kinds.add("robots")
    if path == "/search/" and "q=" in url:
        kinds.add("search")
    if path.startswith("/pray/digests/") and response.status_code == 200:
        kinds.add("digest")
    if path.startswith("/documents/"):
        kinds.add("document")
    if response.status_code == 404:
        kinds.add("not-found")
    if response.status_code in (301, 302):
        kinds.add("redirect")
    return kinds


def test_no_canary_appears_on_any_public_url(planted):
    canaries, seeds, prayed = planted
    crawl = Crawl(canaries)
    crawl.run(seeds)
    crawl.fetch(prayed, method="post", Accept="application/json")

    assert not crawl.leaks, f"canaries on public URLs: {crawl.leaks[:10]}"
    assert len(crawl.visited) >= MIN_URLS, f"the crawl reached only {len(crawl.visited)} URLs"
    assert len(crawl.visited) < MAX_URLS, "the crawl did not finish"
    assert set(crawl.kinds) >= EXPECTED_KINDS, f"never fetched: {EXPECTED_KINDS - set(crawl.kinds)}"
    assert crawl.seen_controls == set(canaries.public), (
        f"public text never seen: {set(canaries.public) - crawl.seen_controls}"
    )
