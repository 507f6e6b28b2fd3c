"""The volunteer index and opportunity pages: filters, spots left, and a fixed query count."""

import datetime
import zoneinfo

import pytest
from django.utils.html import escape
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from tests.factories import add_ministry, add_opportunity, add_shift, add_volunteer_index
from tests.filter_helpers import MALFORMED, assert_forgiven
from volunteers.models import OpportunityPage, Shift, Skill, VolunteerIndexPage
from website.models import HomePage

pytestmark = pytest.mark.django_db

KOLKATA = zoneinfo.ZoneInfo("Asia/Kolkata")


def day_after(days, hour=10):
    today = datetime.datetime.now(KOLKATA).date()
    return datetime.datetime.combine(
        today + datetime.timedelta(days=days), datetime.time(hour), tzinfo=KOLKATA
    )


@pytest.fixture
def listing(site_pages):
    home, _news = site_pages
    centre = add_ministry(home, title="Hope Centre")
    teaching = Skill.objects.create(name="Teaching", slug="teaching")
    baking = Skill.objects.create(name="Baking", slug="baking")
    teach = add_opportunity(home, title="Teach", ministry=centre)
    teach.skills.set([teaching])
    teach.save_revision().publish()
    bake = add_opportunity(home, title="Bake")
    bake.skills.set([baking])
    bake.save_revision().publish()
    add_shift(teach, starts_at=day_after(2), capacity=3)
    full = add_shift(bake, starts_at=day_after(4), capacity=1)
    Shift.objects.filter(pk=full.pk).update(confirmed_count=1)
    add_opportunity(home, title="No shifts")
    return VolunteerIndexPage.objects.get()


def titles(client, index, query=""):
    response = client.get(index.url + query)
    assert response.status_code == 200
    return [o.title for o in response.context["opportunities"]]


def test_filters(client, listing):
    assert titles(client, listing) == ["Bake", "No shifts", "Teach"]
    assert titles(client, listing, "?centre=hope-centre") == ["Teach"]
    assert titles(client, listing, "?skill=baking") == ["Bake"]
    assert titles(client, listing, f"?date={day_after(4):%Y-%m-%d}") == ["Bake"]
    assert titles(client, listing, "?open=1") == ["Teach"]
    assert titles(client, listing, f"?date={day_after(9):%Y-%m-%d}") == []


def listed(response):
    return [o.title for o in response.context["opportunities"]]


@pytest.mark.parametrize("kind", ["unknown", *MALFORMED])
@pytest.mark.parametrize("name", ["centre", "skill"])
def test_an_unknown_or_malformed_filter_shows_all_opportunities_with_a_note(
    client, listing, name, kind
):
    value, shown = MALFORMED.get(kind, ("nope", "nope"))
    note = f"No {name} called “{shown}”; showing all opportunities."
    valid = {"centre": "hope-centre", "skill": "baking"}
    assert_forgiven(
        client, listing.url, {name: value}, note, listed=listed, valid={name: valid[name]}
    )


@pytest.mark.parametrize(
    "value", ["yesterday", "2026-13-45", "0001-01-01", "9999-12-31", "2026-01-01' OR 1=1 --"]
)
def test_a_date_that_is_no_date_shows_all_opportunities_with_a_note(client, listing, value):
    note = f"“{escape(value)}” is not a date we can list; showing all opportunities."
    valid = {"date": f"{day_after(4):%Y-%m-%d}"}
    assert_forgiven(client, listing.url, {"date": value}, note, listed=listed, valid=valid)


def test_a_valid_skill_still_filters_beside_a_bad_date(client, listing):
    response = client.get(listing.url, {"skill": "baking", "date": "soon"})
    assert listed(response) == ["Bake"]
    assert "“soon” is not a date we can list; leaving that filter out." in (
        response.content.decode()
    )


def test_spots_left_on_the_listing_and_page(client, listing):
    page = client.get(listing.url).content.decode()
    assert "3 spots left" in page and "full (waitlist open)" in page
    teach = OpportunityPage.objects.get(title="Teach")
    detail = client.get(teach.url).content.decode()
    assert "3 of 3" in detail and "Sign up" in detail and "Calendar file" in detail


@pytest.mark.usefixtures("drawn_pages")
def test_index_queries_do_not_grow_with_opportunities(
    client, listing, django_assert_max_num_queries
):
    home = HomePage.objects.get()
    with django_assert_max_num_queries(30) as few:
        client.get(listing.url)
    for n in range(10):
        opportunity = add_opportunity(home, title=f"More {n}")
        add_shift(opportunity, starts_at=day_after(3))
        add_shift(opportunity, starts_at=day_after(5))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(listing.url).context["opportunities"]) == 13


def test_past_and_cancelled_shifts_are_not_listed(client, site_pages):
    home, _news = site_pages
    opportunity = add_opportunity(home)
    add_shift(opportunity, starts_at=day_after(-1))
    add_shift(opportunity, starts_at=day_after(3), status="cancelled")
    response = client.get(opportunity.url)
    assert response.context["shifts"] == []
    assert "No shifts are open for sign-up right now." in response.content.decode()


class PageTypeTests(WagtailPageTestCase):
    def test_page_tree_rules(self):
        self.assertAllowedParentPageTypes(VolunteerIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(VolunteerIndexPage, {OpportunityPage})
        self.assertAllowedParentPageTypes(OpportunityPage, {VolunteerIndexPage})


def test_demo_is_idempotent(site_pages):
    from volunteers.demo import create_volunteer_demo

    home, _news = site_pages
    first = create_volunteer_demo(home)
    assert first["volunteer shifts"] == 6 and first["volunteer pages"] == 3
    assert create_volunteer_demo(home) == {"volunteer pages": 0, "volunteer shifts": 0, "skills": 0}
    index = VolunteerIndexPage.objects.get()
    assert index.slug == "volunteer-with-us"
    assert OpportunityPage.objects.filter(requires_safeguarding_check=True).count() == 1
    assert Page.objects.type(OpportunityPage).live().count() == 2


def test_index_is_unique_under_home(site_pages):
    home, _news = site_pages
    add_volunteer_index(home)
    assert not VolunteerIndexPage.can_create_at(home)


@pytest.mark.parametrize(
    ("capacity", "taken", "words"),
    [(1, 0, "1 of 1 spot left."), (2, 0, "2 of 2 spots left."), (2, 1, "1 of 2 spots left.")],
)
def test_spots_left_agree_in_number(client, site_pages, capacity, taken, words):
    home, _news = site_pages
    shift = add_shift(add_opportunity(home), starts_at=day_after(3), capacity=capacity)
    Shift.objects.filter(pk=shift.pk).update(confirmed_count=taken)
    html = client.get(f"/volunteer/shifts/{shift.pk}/sign-up/").content.decode()
    assert words in html
