"""The header and footer every page shares: menu and organisation details, fresh after edits."""

import pytest
from wagtail.models import Site

from core.models import OrganisationSettings
from tests.factories import add_standard

pytestmark = pytest.mark.django_db


def menu_titles(client):
    return [item["title"] for item in client.get("/").context["items"]]


def test_menu_follows_publishing(client, site_pages):
    home, _ = site_pages
    about = add_standard(home, title="About us", show_in_menus=True)
    assert "About us" in menu_titles(client)

    add_standard(home, title="Our centres", show_in_menus=True)
    assert "Our centres" in menu_titles(client)

    about.unpublish()
    assert "About us" not in menu_titles(client)

    about.title = "Who we are"
    about.save_revision().publish()
    assert "Who we are" in menu_titles(client)


def test_menu_marks_the_current_section(client, site_pages):
    home, _ = site_pages
    about = add_standard(home, title="About us", show_in_menus=True)
    html = client.get(about.url).content.decode()
    assert f'href="{about.url}" aria-current="page"' in html


def test_organisation_details_update_at_once(client, site_pages):
    site = Site.objects.get(is_default_site=True)
    organisation = OrganisationSettings.for_site(site)
    organisation.organisation_name = "Hope Across Borders"
    organisation.donate_url = "https://example.org/give"
    organisation.save()
    html = client.get("/").content.decode()
    assert "Hope Across Borders" in html
    assert "https://example.org/give" in html

    organisation.organisation_name = "Freedom Homes"
    organisation.save()
    assert "Freedom Homes" in client.get("/").content.decode()


def test_restricted_pages_stay_out_of_listings_and_feed(client, site_pages):
    from wagtail.models import PageViewRestriction

    from tests.factories import add_story

    _, news = site_pages
    add_story(news, title="Open to all")
    private = add_story(news, title="Partners only briefing")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    for url in ["/", "/stories/", "/feeds/stories/", "/search/?q=briefing"]:
        assert "Partners only briefing" not in client.get(url).content.decode(), url
    assert "Open to all" in client.get("/stories/").content.decode()
