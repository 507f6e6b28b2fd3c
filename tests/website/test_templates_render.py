"""The public templates: every page type renders accessibly, cheaply and without inline code."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.files.images import ImageFile
from django.template import Context, Template
from django.template.loader import get_template
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Site

from core.emails import render_email
from core.models import OrganisationSettings
from tests.factories import (
    PASSWORD,
    UserFactory,
    add_campaign,
    add_ministry,
    add_standard,
    add_story,
)
from tests.factories import make_image as make_sized_image
from website.models import MinistryGalleryImage, Region

pytestmark = pytest.mark.django_db


def make_image(title="Tea at the centre"):
    buffer = io.BytesIO()
    PILImage.new("RGB", (1600, 1000), (90, 110, 120)).save(buffer, "JPEG")
    return get_image_model().objects.create(title=title, file=ImageFile(buffer, name="photo.jpg"))


def assert_well_formed(html):
    """One h1, the landmarks and skip link, the feed link, and nothing a strict CSP blocks."""
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    for part in (
        '<header class="site-header"',
        '<nav class="main-nav"',
        '<main id="main"',
        "<footer",
    ):
        assert part in html
    assert '<a class="skip-link" href="#main">' in html
    assert 'type="application/rss+xml" title="Stories" href="/feeds/stories/"' in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"<script(?![^>]*\b(src=|type=\"application/json\"))", html)
    for img in re.findall(r"<img[^>]*>", html):
        assert "alt=" in img, img


@pytest.fixture
def organisation(site_pages):
    settings = OrganisationSettings.for_site(Site.objects.get(is_default_site=True))
    settings.organisation_name = "Hope Network"
    settings.donate_url = "https://example.org/give/"
    settings.contact_email = "hello@example.org"
    settings.instagram_url = "https://instagram.com/hope"
    settings.x_handle = "hopenet"
    settings.save()
    return settings


def test_every_page_type_renders(client, site_pages, organisation):
    home, news = site_pages
    region = Region.objects.create(name="Kolkata", slug="kolkata")
    campaign = add_campaign(home, end_date=datetime.date(2027, 3, 14))
    story = add_story(
        news,
        related_campaign=campaign,
        body=[
            ("paragraph", "<p>The story told with care.</p>"),
            ("pull_quote", {"quote": "Someone asked me what I dreamed of.", "attribution": "A."}),
            (
                "call_to_action",
                {"heading": "Pray", "text": "", "button_label": "Pray", "url": "https://e.org"},
            ),
        ],
    )
    story.regions.set([region])
    story.tags.add("hope")
    story.save_revision().publish()
    ministry = add_ministry(
        home,
        programmes=[("programme", {"name": "Tailoring", "description": "Six months."})],
        impact_figures=[("figure", {"figure": "40", "label": "children served daily"})],
    )
    standard = add_standard(home, intro="Who we are.")
    home.featured_campaign = campaign
    home.calls_to_action = [
        (
            "call_to_action",
            {"heading": "Volunteer", "text": "", "button_label": "Join", "page": standard},
        )
    ]
    home.save_revision().publish()

    pages = [home, news, story, ministry, standard, campaign, campaign.get_parent()]
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 200, page
        assert_well_formed(response.content.decode())

    html = client.get(story.url).content.decode()
    assert "Names have been changed to protect the privacy" in html
    assert '<time datetime="2026-05-01">' in html
    assert f'href="{news.url}?tag=hope"' in html
    assert f'href="{news.url}?region=kolkata"' in html
    assert f'href="{campaign.url}"' in html
    assert '<meta property="og:type" content="article">' in html

    html = client.get(home.url).content.decode()
    assert '<meta property="og:type" content="website">' in html
    assert '<meta name="twitter:site" content="@hopenet">' in html
    assert "https://example.org/give/" in html
    assert "Freedom Sunday" in html
    assert '<h3 class="cta__heading">Volunteer</h3>' in html

    html = client.get(ministry.url).content.decode()
    assert "Kolkata, India" in html
    assert '<span class="impact-figure__number">40</span>' in html


def test_names_changed_notice_only_when_asked(client, site_pages):
    _, news = site_pages
    story = add_story(news, names_changed=False)
    assert "Names have been changed" not in client.get(story.url).content.decode()


def test_images_are_responsive_and_shared_absolutely(client, site_pages):
    home, news = site_pages
    photo = make_image()
    story = add_story(news, hero_image=photo)
    ministry = add_ministry(home)
    MinistryGalleryImage.objects.create(page=ministry, image=photo, caption="The kitchen")

    html = client.get(story.url).content.decode()
    assert re.search(
        r'<meta property="og:image" content="http://testserver/media/[^"]+fill-1200x630', html
    )
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert 'srcset="' in html
    assert 'alt="Tea at the centre"' in html

    listing = client.get(news.url).content.decode()
    assert 'alt=""' in listing  # the card's photo is decoration; the title is the link

    gallery = client.get(ministry.url).content.decode()
    assert "<figcaption>The kitchen</figcaption>" in gallery


def test_main_menu_costs_one_query_and_marks_the_section(rf, site_pages, django_assert_num_queries):
    home, news = site_pages
    news.show_in_menus = True
    news.save()
    add_standard(home, title="About us", show_in_menus=True)
    add_standard(home, title="Not in the menu")
    story = add_story(news)
    request = rf.get(story.url)
    Site.find_for_request(request)  # done once per request by Wagtail's page serving
    story.get_url(request)

    with django_assert_num_queries(1):
        html = Template("{% load website_tags %}{% main_menu %}").render(
            Context({"request": request, "page": story})
        )
    assert f'<a href="{news.url}" aria-current="page">Stories</a>' in html
    assert ">About us</a>" in html
    assert "Not in the menu" not in html


def test_news_index_filters_and_pagination_keep_the_query(client, site_pages, settings):
    settings.NEWS_PAGE_SIZE = 2
    _, news = site_pages
    region = Region.objects.create(name="Kathmandu", slug="kathmandu")
    for number in range(3):
        story = add_story(news, title=f"Story {number}")
        story.regions.set([region])
        story.save_revision().publish()

    html = client.get(news.url, {"region": "kathmandu"}).content.decode()
    assert '<nav class="pagination" aria-label="Stories pages">' in html
    assert 'href="?region=kathmandu&amp;page=2"' in html
    assert 'aria-current="page"' in html
    assert '<option value="kathmandu" selected>Kathmandu</option>' in html


def test_news_index_without_stories_says_so(client, site_pages):
    _, news = site_pages
    assert "There are no stories here yet" in client.get(news.url).content.decode()


def test_search_page_states(client, site_pages):
    _, news = site_pages
    add_story(news, title="Bread and a trade")

    html = client.get("/search/").content.decode()
    assert_well_formed(html)
    assert '<label for="search-query">Search the site</label>' in html
    assert "Type a word or two" in html

    html = client.get("/search/", {"q": "bread"}).content.decode()
    assert "1 result for “bread”" in html
    assert "Bread and a trade" in html

    html = client.get("/search/", {"q": "zzzqqq"}).content.decode()
    assert "Nothing on the site matches “zzzqqq”" in html


def test_robots_txt_is_plain_text(client, site_pages):
    response = client.get("/robots.txt")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert body.startswith("User-agent: *\nAllow: /\n")
    for path in ("/admin/", "/accounts/", "/account/", "/search/"):
        assert f"Disallow: {path}\n" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "&" not in body


def test_404_renders_without_any_site(client, db):
    Site.objects.all().delete()
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html
    assert_well_formed(html)


def test_500_page_is_static(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = get_template("500.html").render()
    assert '<link rel="stylesheet" href="/static/css/vigil.css">' in html
    assert "{%" not in html and "{{" not in html


def test_account_pages_use_the_site_layout(client, site_pages):
    user = UserFactory()
    assert client.get("/account/").status_code == 302

    html = client.get("/accounts/login/").content.decode()
    assert_well_formed(html)
    assert '<label for="id_login">' in html

    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    html = client.get("/account/").content.decode()
    assert_well_formed(html)
    assert user.email in html
    assert 'action="/accounts/logout/"' in html and "csrfmiddlewaretoken" in html
    for url in ("/accounts/email/", "/accounts/password/change/"):
        response = client.get(url)
        assert response.status_code == 200
        assert_well_formed(response.content.decode())


def test_allauth_emails_arrive_as_text_and_html(client, site_pages, organisation):
    client.post(
        "/accounts/signup/",
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    message = mail.outbox[-1]
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Confirm your email address" in html
    assert "Hope Network" in html
    assert "http://" in message.body


def test_test_email_uses_the_email_layout(site_pages, organisation):
    subject, text, html = render_email("test-email", {})
    assert subject == "This is a test email from Hope Network"
    assert "This is a test email from Hope Network." in text
    assert "&amp;" not in text
    assert "max-width: 600px" in html
    assert "Hope Network" in html


@pytest.mark.django_db
def test_a_picture_narrower_than_the_srcset_widths_repeats_no_width():
    """Wagtail never enlarges, so a 64 px picture asked for at 480, 800 and 1200 gives three
    renditions 64 px wide; "64w, 64w" would be an invalid srcset. One is kept, and a picture
    wide enough keeps every width."""
    template = Template(
        "{% load wagtailimages_tags %}"
        '{% srcset_image photo width-{480,800,1200} sizes="100vw" alt="" %}'
    )
    narrow = make_sized_image(size=(64, 36))
    html = template.render(Context({"photo": narrow}))
    assert "srcset" not in html and 'width="64"' in html
    assert "sizes" not in html, "sizes is valid only beside a srcset"

    wide = make_sized_image(size=(1300, 700))
    srcset = re.search(r'srcset="([^"]+)"', template.render(Context({"photo": wide}))).group(1)
    assert [part.split()[-1] for part in srcset.split(", ")] == ["480w", "800w", "1200w"]

    medium = make_sized_image(size=(600, 338))
    srcset = re.search(r'srcset="([^"]+)"', template.render(Context({"photo": medium}))).group(1)
    assert [part.split()[-1] for part in srcset.split(", ")] == ["480w", "600w"]
