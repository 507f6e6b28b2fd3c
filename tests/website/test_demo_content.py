"""The demo_content and ensure_admin management commands."""

import datetime
import logging
import stat
from io import StringIO
from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.models import Page, Revision, Site

from campaigns.models import CampaignPage
from core.models import OrganisationSettings
from tests.factories import UserFactory
from website.models import (
    HomePage,
    MinistryPage,
    NewsIndexPage,
    Region,
    StandardPage,
    StoryPage,
    WaysInSettings,
)

User = get_user_model()


def run_demo_content():
    out = StringIO()
    # Small pictures keep the test fast; the drawing is the same at any size.
    call_command("demo_content", "--image-width=64", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="class")
def demo_site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo site, built once for a test class (it takes seconds) and rolled back after it.

    Each test still runs in its own savepoint inside this transaction (the ``db`` fixture).
    """
    media_root = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root),
        transaction.atomic(),
    ):
        output = run_demo_content()
        yield SimpleNamespace(output=output, media_root=media_root)
        transaction.set_rollback(True)


def snapshot(media_root):
    """What a rerun must not change: row counts, and the files with their sizes."""
    files = sorted((str(p), p.stat().st_size) for p in media_root.rglob("*") if p.is_file())
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "images": get_image_model().objects.count(),
        "regions": Region.objects.count(),
        "tags": Tag.objects.count(),
        "sites": Site.objects.count(),
        "settings": OrganisationSettings.objects.count(),
        "calls to action": list(WaysInSettings.objects.values_list("calls_to_action", flat=True)),
        "latest revision": Revision.objects.order_by("-pk").values_list("pk", flat=True).first(),
        "files": files,
    }


@pytest.mark.django_db
class TestDemoContent:
    def test_builds_live_stories_across_regions_and_tags(self, demo_site):
        stories = StoryPage.objects.live()
        assert stories.count() == 12
        assert StoryPage.objects.count() == 12
        assert all(story.hero_image_id for story in stories)
        today = timezone.localdate()
        dates = {story.date for story in stories}
        assert len(dates) == 12
        assert all(today - datetime.timedelta(days=366) <= day <= today for day in dates)
        assert Region.objects.filter(stories__isnull=False).distinct().count() >= 4
        assert (
            Tag.objects.filter(name__in=["education", "prayer", "vocational training"]).count() == 3
        )
        assert stories.filter(names_changed=True).count() > 6
        story = stories.get(slug="ashas-first-sewing-certificate")
        assert {block.block_type for block in story.body} >= {"paragraph", "image", "pull_quote"}
        assert "embed" not in {block.block_type for story in stories for block in story.body}
        news = NewsIndexPage.objects.get(slug="stories")
        assert news.show_in_menus
        assert StoryPage.objects.child_of(news).count() == 12
        assert "12 stories" in demo_site.output

    def test_home_page_replaces_the_welcome_page(self, demo_site):
        site = Site.objects.get(is_default_site=True)
        home = site.root_page.specific
        assert isinstance(home, HomePage)
        assert home.live
        assert home.slug == "home"
        assert not Page.objects.filter(title="Welcome to your new Wagtail site!").exists()
        assert home.hero_image_id
        assert home.hero_button_page.specific == NewsIndexPage.objects.get()
        assert [block.value["heading"] for block in home.calls_to_action] == [
            "Pray with us",
            "Give your time",
        ]
        assert "Removed Wagtail's welcome page." in demo_site.output
        organisation = OrganisationSettings.for_site(site)
        assert organisation.organisation_name == "Vigil Freedom Network"
        assert organisation.donate_url == "https://example.org/give"
        assert organisation.social_links

    def test_ministries_about_and_campaign(self, demo_site):
        home = HomePage.objects.get()
        ministries = MinistryPage.objects.live().child_of(home)
        assert ministries.count() == 2
        for ministry in ministries:
            assert ministry.city and ministry.country and ministry.show_in_menus
            assert 3 <= ministry.gallery_images.count() <= 4
            assert len(ministry.programmes) >= 3
            assert len(ministry.impact_figures) >= 3

        about = StandardPage.objects.live().get(slug="about")
        assert about.show_in_menus

        campaign = CampaignPage.objects.live().get()
        assert campaign.start_date > timezone.localdate()
        assert campaign.title == f"Freedom Sunday {campaign.start_date.year}"
        assert campaign.get_parent().show_in_menus
        assert home.featured_campaign.specific == campaign
        assert StoryPage.objects.filter(related_campaign=campaign).count() == 2

    def test_pray_page_in_the_menu_gathers_every_way_to_pray(self, demo_site, client):
        from prayer.models import PrayerWallPage, PrayPage
        from vigils.models import PrayerCalendarPage, VigilPage

        pray = PrayPage.objects.live().get()
        assert pray.url == "/pray/"
        html = client.get("/").content.decode()
        menu = html[html.index('<nav class="main-nav"') :]
        menu = menu[: menu.index("</nav>")]
        assert '<a href="/pray/">Pray</a>' in menu
        assert menu.index(">Stories<") < menu.index(">Pray<"), "Pray comes right after Stories"

        page = client.get("/pray/").content.decode()
        wanted = [
            PrayerWallPage.objects.get().url,
            reverse("digests:subscribe"),
            PrayerCalendarPage.objects.get().url,
            VigilPage.objects.get().url,
            reverse("prayer:submit_request"),
        ]
        for url in wanted:
            assert f'class="button" href="{url}"' in page, url
            assert client.get(url).status_code == 200, url

    def test_home_pray_with_us_card_leads_to_the_pray_page(self, demo_site, client):
        html = client.get("/").content.decode()
        card = html[html.index("Pray with us") :]
        assert card[: card.index("</div>")].count('href="/pray/"') == 1

    def test_stories_wall_and_campaign_invite_to_pray_and_volunteer(self, demo_site, client):
        from prayer.models import PrayerWallPage
        from vigils.models import VigilPage
        from volunteers.models import VolunteerIndexPage

        ways_in = WaysInSettings.for_site(Site.objects.get(is_default_site=True))
        assert len(ways_in.calls_to_action) == 4
        for page in [
            StoryPage.objects.live().first(),
            PrayerWallPage.objects.get(),
            CampaignPage.objects.get(),
        ]:
            html = client.get(page.url).content.decode()
            assert f'href="{reverse("digests:subscribe")}"' in html, page.url
            assert f'href="{VigilPage.objects.get().url}"' in html, page.url
            assert f'href="{VolunteerIndexPage.objects.get().url}"' in html, page.url

    def test_pictures_are_small_described_files(self, demo_site):
        images = get_image_model().objects.all()
        assert images.count() >= 20
        for image in images:
            assert image.description
            assert image.width == 64
            assert (demo_site.media_root / image.file.name).is_file()

    def test_every_demo_page_passes_the_admin_validation(self, demo_site):
        for page in Page.objects.filter(depth__gt=1).specific():
            page.full_clean()

    def test_second_run_changes_nothing(self, demo_site):
        before = snapshot(demo_site.media_root)
        output = run_demo_content()
        assert snapshot(demo_site.media_root) == before
        assert "already present" in output

    def test_demo_pages_render(self, demo_site, client):
        """Only the status: the templates are tested on their own."""
        for page in Page.objects.live().filter(depth__gt=1).specific():
            response = client.get(page.url)
            assert response.status_code == 200, page.url_path


def test_fills_in_a_site_that_already_has_a_home_page(site_pages, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    home, news = site_pages

    run_demo_content()

    home.refresh_from_db()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert HomePage.objects.count() == 1
    assert home.slug == "home-vigil"
    assert home.featured_campaign.specific == CampaignPage.objects.get()
    assert home.hero_button_page_id == news.pk
    assert StoryPage.objects.child_of(news).live().count() == 12


# ensure_admin


@pytest.fixture
def credentials_file(tmp_path):
    return tmp_path / "var" / "admin-credentials.txt"


def ensure_admin(credentials_file, *args):
    out = StringIO()
    call_command("ensure_admin", f"--credentials-file={credentials_file}", *args, stdout=out)
    return out.getvalue()


def saved_password(credentials_file):
    lines = credentials_file.read_text().splitlines()
    return next(line.split(":", 1)[1].strip() for line in lines if line.startswith("password:"))


@pytest.mark.django_db
def test_ensure_admin_creates_a_verified_superuser(credentials_file, client, caplog):
    caplog.set_level(logging.DEBUG)
    output = ensure_admin(credentials_file)

    user = User.objects.get()
    assert user.is_superuser and user.is_staff
    assert user.email == "admin@vigil.localhost"
    assert EmailAddress.objects.filter(
        user=user, email=user.email, verified=True, primary=True
    ).exists()
    assert stat.S_IMODE(credentials_file.stat().st_mode) == 0o600
    password = saved_password(credentials_file)
    assert len(password) >= 20
    assert user.check_password(password)
    assert f"email admin@vigil.localhost, password {password}" in output
    assert "/admin/" in output
    assert password not in caplog.text
    assert client.login(email=user.email, password=password)


@pytest.mark.django_db
def test_ensure_admin_password_signs_in_through_allauth(credentials_file, client):
    ensure_admin(credentials_file, "--email=Editor@Example.org")
    password = saved_password(credentials_file)

    response = client.post(
        reverse("account_login"), {"login": "editor@example.org", "password": password}
    )

    assert response.status_code == 302
    assert response.url != reverse("account_email_verification_sent")
    assert int(client.session["_auth_user_id"]) == User.objects.get().pk


@pytest.mark.django_db
def test_ensure_admin_second_run_creates_nothing(credentials_file):
    ensure_admin(credentials_file)
    password = saved_password(credentials_file)
    saved = credentials_file.read_text()

    output = ensure_admin(credentials_file)

    assert User.objects.count() == 1
    assert EmailAddress.objects.count() == 1
    assert credentials_file.read_text() == saved
    assert str(credentials_file) in output
    assert f"email admin@vigil.localhost, password {password}" in output


@pytest.mark.django_db
def test_ensure_admin_leaves_an_existing_superuser_alone(credentials_file):
    UserFactory(is_superuser=True, is_staff=True)

    output = ensure_admin(credentials_file)

    assert User.objects.count() == 1
    assert not credentials_file.exists()
    assert "already exists" in output


@pytest.mark.django_db
def test_ensure_admin_refuses_an_address_used_by_a_normal_account(credentials_file):
    UserFactory(email="admin@vigil.localhost")

    with pytest.raises(CommandError, match="not a superuser"):
        ensure_admin(credentials_file)

    assert not User.objects.filter(is_superuser=True).exists()
    assert not credentials_file.exists()
