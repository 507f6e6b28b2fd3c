"""The Pray page: one page in the main menu gathering every way to pray, edited by editors."""

import pytest
from django.urls import reverse
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, streamfield

from prayer.models import PrayPage
from tests.factories import add_prayer_calendar, add_vigil, build_site
from tests.prayer.request_helpers import make_wall

pytestmark = pytest.mark.django_db


def way(heading, label, page=None, form="", url=""):
    return (
        "way",
        {
            "heading": heading,
            "text": "",
            "button_label": label,
            "page": page,
            "form": form,
            "url": url,
        },
    )


@pytest.fixture
def pray(site_pages):
    home, _ = site_pages
    wall = make_wall(home)
    calendar = add_prayer_calendar(home)
    vigil = add_vigil(home)
    page = PrayPage(
        title="Pray",
        slug="pray",
        show_in_menus=True,
        intro="Every way to pray with us.",
        ways=[
            way("The prayer wall", "Open the prayer wall", page=wall),
            way("Pray by email", "Receive prayer updates", form="prayer_updates"),
            way("The prayer calendar", "Follow the calendar", page=calendar),
            way("The vigil", "Join the vigil", page=vigil),
            way("Ask for prayer", "Send a prayer request", form="prayer_request"),
        ],
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    return {"page": page, "wall": wall, "calendar": calendar, "vigil": vigil}


def test_pray_page_lists_each_way_with_a_working_link(client, pray):
    response = client.get("/pray/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1>") == 1 and "<h1>Pray</h1>" in html
    expected = [
        (pray["wall"].url, "Open the prayer wall"),
        (reverse("digests:subscribe"), "Receive prayer updates"),
        (pray["calendar"].url, "Follow the calendar"),
        (pray["vigil"].url, "Join the vigil"),
        (reverse("prayer:submit_request"), "Send a prayer request"),
    ]
    for url, label in expected:
        assert f'<a class="button" href="{url}">{label}</a>' in html
        assert client.get(url).status_code == 200, url
    # The ways are the page's h2s, in the editor's order.
    headings = [part.split("<")[0] for part in html.split('<h2 class="cta__heading">')[1:]]
    assert headings == [
        "The prayer wall",
        "Pray by email",
        "The prayer calendar",
        "The vigil",
        "Ask for prayer",
    ]


def test_the_pray_page_and_the_prayer_forms_share_the_pray_address(client, pray):
    """/pray/ is the page; /pray/subscribe/ and /pray/request/ are still the forms."""
    assert client.get("/pray/").context["page"].specific_class is PrayPage
    assert b'name="email"' in client.get(reverse("digests:subscribe")).content


def test_a_way_whose_page_is_unpublished_is_left_out(client, pray):
    pray["vigil"].unpublish()
    html = client.get("/pray/").content.decode()
    assert "Join the vigil" not in html and "The vigil<" not in html
    assert "Open the prayer wall" in html


def test_a_pray_page_with_no_way_left_says_so(client, site_pages):
    home, _ = site_pages
    page = PrayPage(title="Pray", slug="pray")
    home.add_child(instance=page)
    page.save_revision().publish()
    assert "will be listed here soon" in client.get("/pray/").content.decode()


@pytest.mark.usefixtures("drawn_pages")
def test_the_pray_page_costs_a_fixed_number_of_queries_however_many_ways(client, pray):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    page = pray["page"]

    def measure():
        client.get("/pray/")
        with CaptureQueriesContext(connection) as captured:
            client.get("/pray/")
        return len(captured)

    five = measure()
    page.ways = list(page.ways.raw_data) * 3
    page.save_revision().publish()
    assert len(page.ways) == 15
    assert measure() == five
    assert five <= 12


def test_the_menu_has_pray(client, pray):
    titles = [item["title"] for item in client.get("/").context["items"]]
    assert "Pray" in titles
    assert '<a href="/pray/">Pray</a>' in client.get("/").content.decode()


class PrayPageEditorTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home, _ = build_site()
        cls.wall = make_wall(cls.home)

    def setUp(self):
        self.login()

    def test_editor_creates_the_pray_page_under_the_home_page(self):
        data = nested_form_data(
            {
                "title": "Pray",
                "slug": "pray",
                "intro": "Every way to pray.",
                "ways": streamfield(
                    [
                        way("The wall", "Open the wall", page=self.wall.pk),
                        way("By email", "Receive updates", page="", form="prayer_updates"),
                    ]
                ),
            }
        )
        self.assertCanCreate(self.home, PrayPage, data)
        page = PrayPage.objects.get(slug="pray")
        self.assertEqual([w.value["form"] for w in page.ways], ["", "prayer_updates"])
        self.assertPageIsRenderable(page)
        self.assertAllowedParentPageTypes(PrayPage, {type(self.home)})

    def test_a_way_without_a_page_a_form_or_a_url_is_refused(self):
        data = nested_form_data(
            {
                "title": "Pray",
                "slug": "pray",
                "intro": "",
                "ways": streamfield([way("Nowhere", "Go", page="")]),
            }
        )
        data["action-publish"] = "action-publish"
        url = f"/admin/pages/add/prayer/praypage/{self.home.pk}/"
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Choose a page or a form, or give a URL.")
        self.assertFalse(PrayPage.objects.exists())
