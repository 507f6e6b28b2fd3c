"""A visitor on a phone (390 x 844) finds "Pray" behind the Menu button, with or without
JavaScript, on pages that never scroll sideways and whose content starts in the first screen."""

import pytest
from wagtail.models import Site

from prayer.models import PrayPage
from tests.e2e.axe import serious_violations
from tests.factories import add_ministry, add_story, add_vigil, build_site, way_in
from tests.prayer.request_helpers import make_request, make_wall
from website.models import WaysInSettings

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone_site(transactional_db):
    """A site with a menu as long as the demo's, a story, the wall, a vigil and the Pray page."""
    home, news = build_site()
    news.show_in_menus = True
    news.save_revision().publish()
    add_story(news, title="Asha learns to sew", slug="asha")
    add_ministry(home, title="Kolkata Drop-in Centre", show_in_menus=True)
    add_ministry(home, title="Kathmandu Training Bakery", show_in_menus=True)
    wall = make_wall(home)  # in the menu
    make_request()
    vigil = add_vigil(home, title="Seven days of prayer")
    pray = PrayPage(
        title="Pray",
        slug="pray",
        show_in_menus=True,
        intro="Every way to pray with us.",
        ways=[
            way_in("The prayer wall", "Open the prayer wall", page=wall, kind="way"),
            way_in("Pray by email", "Receive prayer updates", form="prayer_updates", kind="way"),
            way_in("The vigil", "Join the vigil", page=vigil, kind="way"),
        ],
    )
    home.add_child(instance=pray)
    pray.save_revision().publish()
    WaysInSettings.objects.create(
        site=Site.objects.get(is_default_site=True),
        calls_to_action=[
            way_in("Pray by email", "Receive prayer updates", form="prayer_updates"),
            way_in("Keep watch", "Join the vigil", page=vigil),
        ],
    )
    return {"home": "/", "story": "/stories/asha/", "wall": wall.url, "pray": "/pray/"}


def open_phone(browser, javascript):
    context = browser.new_context(viewport=PHONE, is_mobile=True, java_script_enabled=javascript)
    return context, context.new_page()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_on_a_phone_the_menu_button_leads_to_pray(live_server, phone_site, browser, javascript):
    context, phone = open_phone(browser, javascript)
    phone.goto(live_server.url + phone_site["story"])
    menu_link = phone.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Pray", exact=True
    )
    button = phone.locator("summary", has_text="Menu")
    assert button.is_visible()
    assert not menu_link.is_visible(), "the menu is folded away until asked for"

    button.click()
    assert menu_link.is_visible()
    assert phone.get_by_role("searchbox", name="Search the site").is_visible()
    menu_link.click()
    phone.wait_for_url("**/pray/")
    assert phone.locator("h1").inner_text() == "Pray"
    main = phone.locator("main")
    for label in ["Open the prayer wall", "Receive prayer updates", "Join the vigil"]:
        assert main.get_by_role("link", name=label).is_visible()
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_phone_pages_fit_the_screen_and_start_in_the_first_screenful(
    live_server, phone_site, browser, javascript
):
    context, phone = open_phone(browser, javascript)
    for name, path in phone_site.items():
        phone.goto(live_server.url + path)
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"{name} scrolls sideways on a phone"
        )
        heading_top = phone.evaluate(
            "document.querySelector('main h1').getBoundingClientRect().top"
        )
        assert heading_top < PHONE["height"] / 2, f"{name}: the heading starts at {heading_top}px"
        phone.locator("summary", has_text="Menu").click()
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            f"{name} scrolls sideways with the menu open"
        )
    context.close()


def test_phone_pages_with_the_menu_open_or_closed_meet_no_serious_axe_issue(
    live_server, phone_site, browser
):
    context, phone = open_phone(browser, True)
    for path in [phone_site["home"], phone_site["story"], phone_site["pray"]]:
        phone.goto(live_server.url + path)
        assert serious_violations(phone) == [], path
        phone.locator("summary", has_text="Menu").click()
        assert serious_violations(phone) == [], path
    context.close()


def test_calls_to_action_on_a_story_lead_to_their_pages(live_server, phone_site, browser):
    context, phone = open_phone(browser, False)
    phone.goto(live_server.url + phone_site["story"])
    section = phone.get_by_role("region", name="Pray and take part")
    section.get_by_role("link", name="Receive prayer updates").click()
    phone.wait_for_url("**/pray/subscribe/")
    phone.go_back()
    phone.get_by_role("region", name="Pray and take part").get_by_role(
        "link", name="Join the vigil"
    ).click()
    phone.wait_for_url("**/seven-days-of-prayer/")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


def test_on_a_wide_screen_the_menu_shows_without_a_button(live_server, phone_site, page):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/")
    assert not page.locator("summary", has_text="Menu").is_visible()
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Pray", exact=True).is_visible()
    assert nav.get_by_role("link", name="Prayer wall").is_visible()
    assert page.get_by_role("searchbox", name="Search the site").is_visible()
