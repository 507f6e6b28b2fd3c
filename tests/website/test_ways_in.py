"""Calls to action ("ways in"): what a reader of a story, the home page, the prayer wall or a
campaign page is invited to do next, set by editors in Settings → Calls to action or on the page."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Site
from wagtail.test.utils.form_data import nested_form_data, streamfield

from tests.factories import UserFactory, add_campaign, add_story, add_vigil, add_volunteer_index
from tests.prayer.request_helpers import make_wall
from website.blocks import WayInBlock
from website.models import WaysInSettings

pytestmark = pytest.mark.django_db


def way(heading, label, page=None, form="", url=""):
    return (
        "call_to_action",
        {
            "heading": heading,
            "text": f"{heading}, with us.",
            "button_label": label,
            "page": page,
            "form": form,
            "url": url,
        },
    )


def set_ways_in(*ways, heading="Pray and take part"):
    site = Site.objects.get(is_default_site=True)
    settings = WaysInSettings.objects.filter(site=site).first() or WaysInSettings(site=site)
    settings.heading = heading
    settings.calls_to_action = list(ways)
    settings.save()
    return settings


@pytest.fixture
def pages(site_pages):
    home, news = site_pages
    return {
        "home": home,
        "story": add_story(news, title="Asha learns to sew", slug="asha"),
        "wall": make_wall(home),
        "campaign": add_campaign(home),
        "vigil": add_vigil(home, title="Seven days of prayer"),
        "volunteer": add_volunteer_index(home),
    }


def section(client, page):
    """The calls to action section of a page: its heading and its (label, href) buttons."""
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    if 'id="ways-in"' not in html and 'id="get-involved"' not in html:
        return None
    return html


@pytest.mark.parametrize("where", ["story", "wall", "campaign"])
def test_the_site_calls_to_action_show_on_stories_the_wall_and_campaigns(client, pages, where):
    set_ways_in(
        way("Pray by email", "Receive prayer updates", form="prayer_updates"),
        way("Keep watch", "Join the vigil", page=pages["vigil"]),
        way("Volunteer", "Find a way to help", page=pages["volunteer"]),
    )
    html = section(client, pages[where])
    assert html is not None
    assert '<h2 id="ways-in">Pray and take part</h2>' in html
    assert f'href="{reverse("digests:subscribe")}">Receive prayer updates</a>' in html
    assert f'href="{pages["vigil"].url}">Join the vigil</a>' in html
    assert f'href="{pages["volunteer"].url}">Find a way to help</a>' in html


def test_an_editor_changing_the_setting_changes_every_page_at_once(client, pages):
    set_ways_in(way("Keep watch", "Join the vigil", page=pages["vigil"]))
    assert "Join the vigil" in client.get(pages["story"].url).content.decode()

    set_ways_in(
        way("Ask for prayer", "Send a prayer request", form="prayer_request"),
        heading="Stand with them",
    )
    for name in ("story", "wall", "campaign"):
        html = client.get(pages[name].url).content.decode()
        assert "Join the vigil" not in html, name
        assert '<h2 id="ways-in">Stand with them</h2>' in html, name
        assert f'href="{reverse("prayer:submit_request")}">Send a prayer request</a>' in html


def test_the_settings_form_in_the_back_office_changes_what_stories_show(client, pages):
    """A member of Editors saves Settings → Calls to action through Wagtail's form."""
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    site = Site.objects.get(is_default_site=True)
    url = reverse("wagtailsettings:edit", args=["website", "waysinsettings", site.pk])
    data = nested_form_data(
        {
            "heading": "Walk with them",
            "calls_to_action": streamfield(
                [way("Volunteer", "Give an evening a week", page=pages["volunteer"].pk)]
            ),
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    html = client.get(pages["story"].url).content.decode()
    assert "Walk with them" in html
    assert f'href="{pages["volunteer"].url}">Give an evening a week</a>' in html


@pytest.mark.parametrize("where", ["story", "wall", "campaign"])
def test_a_page_with_calls_to_action_of_its_own_shows_those_instead(client, pages, where):
    set_ways_in(way("Keep watch", "Join the vigil", page=pages["vigil"]))
    page = pages[where]
    page.calls_to_action = [way("Ask for prayer", "Send us a request", form="prayer_request")]
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert "Send us a request" in html
    assert "Join the vigil" not in html
    # The others still show the site's.
    others = {"story", "wall", "campaign"} - {where}
    for other in others:
        assert "Join the vigil" in client.get(pages[other].url).content.decode(), other


def test_a_call_to_action_whose_page_is_unpublished_or_deleted_is_left_out(client, pages):
    set_ways_in(
        way("Keep watch", "Join the vigil", page=pages["vigil"]),
        way("Volunteer", "Find a way to help", page=pages["volunteer"]),
    )
    pages["vigil"].unpublish()
    html = client.get(pages["story"].url).content.decode()
    assert "Join the vigil" not in html and "Keep watch" not in html
    assert "Find a way to help" in html

    pages["volunteer"].delete()
    html = client.get(pages["story"].url).content.decode()
    assert 'id="ways-in"' not in html, "an empty section is not shown"


def test_an_unpublished_page_falls_back_to_the_url_given_beside_it(client, pages):
    set_ways_in(
        way("Keep watch", "Join the vigil", page=pages["vigil"], url="https://example.org/v")
    )
    pages["vigil"].unpublish()
    assert (
        'href="https://example.org/v">Join the vigil'
        in client.get(pages["story"].url).content.decode()
    )


def test_no_calls_to_action_no_section(client, pages):
    for name in ("story", "wall", "campaign"):
        html = client.get(pages[name].url).content.decode()
        assert 'id="ways-in"' not in html, name


def test_home_page_shows_its_own_calls_to_action_or_else_the_site_ones(client, pages):
    home = pages["home"]
    set_ways_in(way("Keep watch", "Join the vigil", page=pages["vigil"]))
    html = client.get("/").content.decode()
    assert 'id="get-involved"' in html and "Join the vigil" in html

    home.calls_to_action = [way("Pray with us", "Ways to pray", page=pages["wall"])]
    home.save_revision().publish()
    html = client.get("/").content.decode()
    assert f'href="{pages["wall"].url}">Ways to pray</a>' in html
    assert "Join the vigil" not in html


def test_home_page_leaves_out_a_card_whose_page_is_gone(client, pages):
    home = pages["home"]
    home.calls_to_action = [
        way("Pray with us", "Ways to pray", page=pages["wall"]),
        way("Keep watch", "Join the vigil", page=pages["vigil"]),
    ]
    home.save_revision().publish()
    pages["wall"].unpublish()
    html = client.get("/").content.decode()
    assert "Ways to pray" not in html
    assert "<li></li>" not in html.replace(" ", "").replace("\n", "")
    assert "Join the vigil" in html


@pytest.mark.parametrize(
    "value, message",
    [
        ({"heading": "Pray", "button_label": "Go"}, "Choose a page or a form, or give a URL."),
        ({"heading": "Pray", "button_label": "Go", "form": "nonsense"}, "Select a valid choice"),
        ({"heading": "Pray", "button_label": "Go", "url": "javascript:alert(1)"}, "valid URL"),
    ],
)
def test_a_call_to_action_without_a_valid_target_is_refused(value, message):
    from django.core.exceptions import ValidationError

    block = WayInBlock()
    with pytest.raises(ValidationError) as raised:
        block.clean(block.to_python(value))
    assert message in str(getattr(raised.value, "block_errors", raised.value))


@pytest.mark.usefixtures("drawn_pages")
@pytest.mark.parametrize("where", ["story", "wall", "campaign", "home"])
def test_calls_to_action_cost_a_fixed_number_of_queries(client, pages, where):
    """Their pages come in one query however many cards there are."""

    def measure():
        client.get(pages[where].url)  # warm the caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(pages[where].url).status_code == 200
        return len(captured)

    set_ways_in(way("Keep watch", "Join the vigil", page=pages["vigil"]))
    one = measure()
    set_ways_in(
        way("Keep watch", "Join the vigil", page=pages["vigil"]),
        way("Volunteer", "Find a way to help", page=pages["volunteer"]),
        way("The wall", "Open the prayer wall", page=pages["wall"]),
        way("Campaign", "Freedom Sunday", page=pages["campaign"]),
    )
    assert measure() == one


@pytest.mark.parametrize("group", ["Prayer moderators", "Volunteer coordinators"])
def test_only_editors_change_the_calls_to_action(client, pages, group):
    member = UserFactory(is_staff=True)
    member.groups.add(Group.objects.get(name=group))
    client.force_login(member)
    site = Site.objects.get(is_default_site=True)
    url = reverse("wagtailsettings:edit", args=["website", "waysinsettings", site.pk])
    response = client.get(url)
    assert response.status_code in (302, 403)
