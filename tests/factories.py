"""Factories and page builders shared by the tests."""

import datetime
from io import BytesIO

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from PIL import Image as PillowImage
from wagtail.images.models import Image
from wagtail.models import Collection, Locale, Page, Site

from campaigns.models import CampaignIndexPage, CampaignPage
from website.models import HomePage, MinistryPage, NewsIndexPage, Region, StandardPage, StoryPage

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Region {n}")
    slug = factory.Sequence(lambda n: f"region-{n}")


def make_image(title="A sunrise over the river", size=(64, 36), colour=(200, 120, 60)):
    buffer = BytesIO()
    PillowImage.new("RGB", size, colour).save(buffer, "JPEG")
    return Image.objects.create(
        title=title,
        description=f"Picture: {title}",
        file=ImageFile(buffer, name=f"{title[:20].replace(' ', '-')}.jpg"),
    )


def create_tree_roots():
    """What Wagtail's migrations create, for tests whose tables were flushed (live_server)."""
    Locale.objects.get_or_create(language_code="en")
    if not Collection.get_first_root_node():
        Collection.add_root(name="Root")
    return Page.add_root(instance=Page(title="Root", slug="root", live=True))


def build_site():
    """A home page as the default site's root, with a news index, as on a fresh install."""
    root = Page.get_first_root_node() or create_tree_roots()
    home = HomePage(title="Home", slug="home-vigil", hero_heading="Freedom for every child")
    root.add_child(instance=home)
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Vigil"},
    )
    Page.objects.filter(depth=2).exclude(pk=home.pk).delete()
    news = NewsIndexPage(title="Stories", slug="stories")
    home.add_child(instance=news)
    return home, news


def add_story(news, title="A new beginning", publish=True, **fields):
    fields.setdefault("intro", "She found work, and a home.")
    fields.setdefault("date", datetime.date(2026, 5, 1))
    fields.setdefault("body", [("paragraph", "<p>The story told with care.</p>")])
    story = StoryPage(title=title, **fields)
    news.add_child(instance=story)
    if publish:
        story.save_revision().publish()
    else:
        story.live = False
        story.save_revision()
        story.save(update_fields=["live"])
    return story


def add_ministry(parent, title="Hope Centre", **fields):
    fields.setdefault("city", "Kolkata")
    fields.setdefault("country", "India")
    ministry = MinistryPage(title=title, **fields)
    parent.add_child(instance=ministry)
    ministry.save_revision().publish()
    return ministry


def add_standard(parent, title="About us", **fields):
    page = StandardPage(title=title, **fields)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def add_campaign(home, title="Freedom Sunday", **fields):
    index = CampaignIndexPage.objects.first()
    if index is None:
        index = CampaignIndexPage(title="Campaigns", slug="campaigns")
        home.add_child(instance=index)
    fields.setdefault("start_date", datetime.date(2027, 3, 7))
    fields.setdefault("summary", "Churches preach, pray and give for freedom.")
    campaign = CampaignPage(title=title, **fields)
    index.add_child(instance=campaign)
    campaign.save_revision().publish()
    return campaign


def guarded(data=None, **fields):
    """POST data for a public form (website.formguard): the fields plus a valid fill-time stamp."""
    from website.formguard import STAMP_FIELD, new_stamp

    return {**(data or {}), **fields, STAMP_FIELD: new_stamp()}
