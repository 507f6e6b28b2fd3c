"""The dashboard shows each group the ministry's work at a glance, and only its own:
requests waiting (prayer moderators), subscribers and their trend (prayer moderators),
vigil coverage (those who organise vigils), new church registrations (campaign
coordinators), sign-ups waiting for clearance (volunteer coordinators). Figures link to
their lists; charts are inline SVG with a text alternative; no image comes from elsewhere."""

import datetime
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders

from campaigns.models import ChurchRegistration
from core.dashboard import bar_chart, meter
from digests.models import Subscription
from prayer.models import PrayerRequest
from tests.digests.subscription_helpers import make_subscription
from tests.factories import (
    UserFactory,
    add_opportunity,
    add_shift,
    add_vigil,
    add_volunteer,
    open_campaign,
    register_church,
)
from tests.prayer.request_helpers import make_request
from vigils.models import VigilSlot
from volunteers.models import SignUp

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 10, 12, tzinfo=datetime.UTC)  # a Wednesday
PANELS = {
    "Prayer moderators": {"prayer", "subscribers", "vigils"},
    "Campaign coordinators": {"campaigns", "vigils"},
    "Volunteer coordinators": {"volunteers"},
    "Editors": set(),
}
FIGURES = {
    "prayer": {"requests-waiting"},
    "subscribers": {"subscribers"},
    "vigils": {"vigil-coverage"},
    "campaigns": {"church-registrations"},
    "volunteers": {"clearance"},
}


def build_ministry(home, scale=1):
    """The ministry on a busy day; `scale` multiplies the rows, not the figures' shape."""
    for number in range(4 * scale):
        make_request(f"Waiting {number}", status=PrayerRequest.Status.SUBMITTED)
    make_request("On the wall")
    for number in range(3 * scale):
        make_subscription(f"new{number}@example.org")
    for number in range(2 * scale):
        Subscription.objects.filter(pk=make_subscription(f"older{number}@example.org").pk).update(
            confirmed_at=NOW - datetime.timedelta(weeks=3)
        )
    make_subscription("pending@example.org", status=Subscription.Status.PENDING)

    vigil = add_vigil(
        home, start_date=datetime.date(2026, 6, 20), end_date=datetime.date(2026, 6, 21)
    )
    covered = VigilSlot.objects.filter(vigil=vigil).order_by("starts_at")[:3]
    VigilSlot.objects.filter(pk__in=[slot.pk for slot in covered]).update(taken=1)

    campaign = open_campaign(home)
    for number in range(2 * scale):
        register_church(campaign, church_name=f"St Mark's {number}", email=f"c{number}@example.org")
    register_church(campaign, church_name="Grace Chapel", email="grace@example.org")
    ChurchRegistration.objects.filter(church_name="Grace Chapel").update(
        created_at=NOW - datetime.timedelta(days=20)
    )

    shift = add_shift(add_opportunity(home))
    for number in range(2 * scale):
        SignUp.objects.create(
            shift=shift,
            volunteer=add_volunteer(),
            status=SignUp.Status.PENDING_CLEARANCE,
            created_at=NOW - datetime.timedelta(days=5 + number),
        )
    SignUp.objects.create(shift=shift, volunteer=add_volunteer(), status=SignUp.Status.CONFIRMED)
    return vigil


@pytest.fixture
def ministry(site_pages, time_machine):
    time_machine.move_to(NOW, tick=False)
    return build_ministry(site_pages[0])


def member_of(client, *groups):
    user = UserFactory(is_staff=False)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    client.force_login(user)
    return user


def panels_and_figures(html):
    panels = set(re.findall(r'id="glance-([a-z]+)', html))
    figures = set(re.findall(r'data-figure="([a-z-]+)"', html))
    return panels, figures


def figure(html, name):
    match = re.search(rf'data-figure="{name}">(.*?)</li>', html, re.S)
    assert match, name
    return match.group(1)


@pytest.mark.parametrize("group", sorted(PANELS))
def test_each_group_sees_its_own_panels_and_no_other(client, ministry, group):
    member_of(client, group)
    html = client.get("/admin/").content.decode()
    panels, figures = panels_and_figures(html)
    assert panels == PANELS[group]
    assert figures == set().union(*(FIGURES[panel] for panel in PANELS[group]))


def test_prayer_moderators_see_the_queue_and_the_subscribers(client, ministry):
    member_of(client, "Prayer moderators")
    html = client.get("/admin/").content.decode()

    waiting = figure(html, "requests-waiting")
    assert '<strong class="vigil-glance__value">4</strong> prayer requests waiting' in waiting
    assert 'href="/admin/snippets/prayer/prayerrequest/?status=submitted"' in waiting

    subscribers = figure(html, "subscribers")
    assert '<strong class="vigil-glance__value">5</strong> subscribers' in subscribers
    assert "3 new this week" in subscribers
    assert 'role="img"' in subscribers
    assert 'aria-label="New confirmed subscriptions per week. week of 20 Apr: 0; ' in subscribers
    assert "week of 18 May: 2;" in subscribers and "week of 8 Jun: 3." in subscribers
    assert subscribers.count("<rect") == 8

    vigil = figure(html, "vigil-coverage")
    assert "3 of 12</strong> slots covered in Night of prayer" in vigil
    assert f"?vigil={ministry.pk}" in vigil
    assert 'aria-label="Slots covered in Night of prayer: 3 of 12 (25%)"' in vigil


def test_coordinators_see_registrations_and_clearance(client, ministry):
    member_of(client, "Campaign coordinators")
    registrations = figure(client.get("/admin/").content.decode(), "church-registrations")
    assert "2</strong> new church registrations in the last 7 days" in registrations
    assert "3 in all" in registrations
    assert 'href="/admin/campaigns/registrations/"' in registrations

    member_of(client, "Volunteer coordinators")
    clearance = figure(client.get("/admin/").content.decode(), "clearance")
    assert "2</strong> sign-ups waiting for clearance" in clearance
    assert "The longest has waited 6 days." in clearance
    assert 'href="/admin/volunteers/signups/?status=pending_clearance"' in clearance


@pytest.mark.parametrize(
    "group", ["Prayer moderators", "Campaign coordinators", "Volunteer coordinators"]
)
def test_every_figure_links_to_a_list_the_group_may_open(client, ministry, group):
    member_of(client, group)
    html = client.get("/admin/").content.decode()
    links = re.findall(r'<li class="vigil-glance__figure".*?<a href="([^"]+)"', html, re.S)
    assert links
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link


def test_without_a_vigil_coming_the_figure_says_so(client, site_pages, time_machine):
    time_machine.move_to(NOW, tick=False)
    add_vigil(site_pages[0], title="Last year's vigil")  # March 2026: over
    member_of(client, "Prayer moderators")
    vigil = figure(client.get("/admin/").content.decode(), "vigil-coverage")
    assert "No</strong> vigil coming up" in vigil


@pytest.mark.parametrize("scale", [1, 8])
def test_the_dashboard_asks_a_fixed_number_of_queries(
    client, site_pages, time_machine, django_assert_max_num_queries, scale
):
    time_machine.move_to(NOW, tick=False)
    build_ministry(site_pages[0], scale=scale)
    member_of(client, *PANELS)
    with django_assert_max_num_queries(32):
        response = client.get("/admin/")
    assert len(panels_and_figures(response.content.decode())[1]) == 5


def test_a_hostile_title_is_escaped_in_the_chart(client, site_pages, time_machine):
    time_machine.move_to(NOW, tick=False)
    add_vigil(
        site_pages[0],
        title='"><script>alert(1)</script>',
        start_date=datetime.date(2026, 6, 20),
        end_date=datetime.date(2026, 6, 21),
    )
    member_of(client, "Prayer moderators")
    html = client.get("/admin/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&quot;&gt;&lt;script&gt;" in figure(html, "vigil-coverage")


def test_charts_draw_their_values():
    chart = bar_chart([("week of 1 Jun", 2), ("week of 8 Jun", 4)], "Sign-ups per week")
    assert chart.startswith('<svg class="vigil-chart" role="img"')
    assert 'aria-label="Sign-ups per week. week of 1 Jun: 2; week of 8 Jun: 4."' in chart
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', chart)]
    assert heights[1] == pytest.approx(2 * heights[0])
    assert "<title>week of 8 Jun: 4</title>" in chart
    empty = bar_chart([("week of 1 Jun", 0)], "Nothing yet")
    assert 'fill-opacity="0.3"' in empty
    assert 'width="0"' in meter(0, 0, "No slots")


class Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.sources.append(attrs.get("src") or "")
        if tag == "source" and attrs.get("srcset"):
            self.sources.append(attrs["srcset"].split()[0])


def images_on(html):
    parser = Images()
    parser.feed(html)
    return parser.sources


def test_no_image_on_the_pages_touched_comes_from_elsewhere_and_each_resolves(
    client, ministry, settings
):
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    user = member_of(client, *PANELS)
    user.email = "has-a-gravatar@example.org"
    user.save()
    waiting = PrayerRequest.objects.filter(status=PrayerRequest.Status.SUBMITTED)
    ids = "&".join(f"id={request.pk}" for request in waiting)
    pages = [
        "/admin/",
        "/admin/snippets/prayer/prayerrequest/",
        f"/admin/snippets/prayer/prayerrequest/moderate/{waiting[0].pk}/approve/",
        f"/admin/bulk/prayer/prayerrequest/approve/?{ids}",
        "/admin/account/",
    ]
    seen = []
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        for src in images_on(response.content.decode()):
            seen.append(src)
            url = urlsplit(src)
            assert not url.scheme or url.scheme == "data", f"{page}: {src} is off-site"
            assert not url.netloc, f"{page}: {src} is off-site"
            if url.scheme == "data":
                continue
            assert url.path.startswith(settings.STATIC_URL), f"{page}: {src}"
            assert finders.find(url.path.removeprefix(settings.STATIC_URL)), f"{page}: {src}"
    assert any("avatar" in src for src in seen), "the avatar is checked too"
