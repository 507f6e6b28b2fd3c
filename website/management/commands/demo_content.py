"""Build a believable demo site: organisation, home page, stories, ministries, and what each
app registered with core.demo (a campaign, prayer requests, vigils, volunteering).

Safe to run again: every piece is looked up by its slug (pictures by title) and only what is
missing is created, so a second run adds no rows, no revisions and no files.
"""

import datetime
import hashlib
import uuid
from collections import Counter
from io import BytesIO

from django.conf import settings
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, Site

from core import demo
from core.models import OrganisationSettings
from core.sites import align_default_site, site_address
from website.demo import content
from website.demo.images import render_jpeg
from website.demo.stories import STORIES
from website.models import (
    HomePage,
    MinistryGalleryImage,
    MinistryPage,
    NewsIndexPage,
    Region,
    StandardPage,
    StoryPage,
    WaysInSettings,
)

COLLECTION_NAME = "Demo pictures"
# Stream block ids derive from this, so two builds of the demo store the same data.
BLOCK_ID_NAMESPACE = uuid.UUID("5a1d7c4e-9f0b-4c3e-8d6a-2b7e1f0c9a31")


class Command(BaseCommand):
    help = "Create demo content (organisation, home page, stories, ministries, a campaign)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--image-width",
            type=int,
            default=1600,
            help="Width in pixels of the generated 16:9 pictures (default 1600).",
        )

    def handle(self, *args, image_width, **options):
        if image_width < 32:
            raise CommandError("--image-width must be at least 32 pixels.")
        builder = DemoBuilder(image_width)
        with transaction.atomic():
            home = builder.build()
            areas = {}
            for create in demo.steps("content"):  # what the apps registered (core/demo.py)
                areas.update(create(home))
            builder.finish(home)
        for note in builder.notes:
            self.stdout.write(note)
        if any(areas.values()):
            made = ", ".join(f"{count} {what}" for what, count in areas.items() if count)
            self.stdout.write(
                self.style.SUCCESS(f"Prayer, campaign and volunteer demo created: {made}.")
            )
        if not builder.created:
            if not builder.notes and not any(areas.values()):
                self.stdout.write("Demo content already present; nothing to do.")
            return
        summary = ", ".join(
            f"{count} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}"
            for model, count in builder.created.items()
        )
        self.stdout.write(self.style.SUCCESS(f"Demo content created: {summary}."))


class DemoBuilder:
    """Creates whatever part of the demo site is missing and counts what it made."""

    def __init__(self, image_width):
        self.image_size = (image_width, round(image_width * 9 / 16))
        self.created = Counter()  # model -> how many were created
        self.notes = []
        self.pages = {}
        self.regions = {}
        self.new_home = False
        self._collection = None

    def build(self):
        """The home page and the pages the prayer, campaign and volunteer demos hang from."""
        home = self.ensure_home()
        self.ensure_organisation()
        self.regions = self.ensure_regions()
        self.pages["news"] = self.ensure_page(
            home, NewsIndexPage, content.STORIES_INDEX["slug"], lambda: content.STORIES_INDEX
        )
        self.pages["about"] = self.ensure_page(
            home,
            StandardPage,
            content.ABOUT["slug"],
            lambda: {
                **content.ABOUT,
                "hero_image": self.scene("about-hero"),
                "body": self.stream(content.ABOUT["body"], "about"),
            },
        )
        for step in demo.steps("pages"):
            step(self, home)
        self.ensure_ministries(home)
        return home

    def finish(self, home):
        """Once the other demos made the prayer and volunteer pages: the Pray page, the stories
        and the calls to action that lead to them."""
        for key, page_class in demo.PAGES.items():
            found = page_class.objects.child_of(home).live().first()
            if found is not None:
                self.pages[key] = found
        for step in demo.steps("finish"):
            step(self, home)
        self.ensure_stories(self.pages["news"], self.regions)
        self.ensure_ways_in()
        self.finish_home(home, self.pages["news"])

    # Site, home page and organisation

    def ensure_home(self):
        root = Page.get_first_root_node()
        home = HomePage.objects.first()
        self.new_home = home is None
        if self.new_home:
            slug_taken = root.get_children().filter(slug="home").exists()
            home = HomePage(
                title=content.HOME["title"],
                slug="vigil-home" if slug_taken else "home",
                hero_heading=content.HOME["hero_heading"],
                hero_text=content.HOME["hero_text"],
                hero_image=self.scene("home-hero"),
                hero_button_label=content.HOME["hero_button_label"],
            )
            root.add_child(instance=home)
            self.created[HomePage] += 1

        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            hostname, port = site_address(settings.SITE_URL)
            Site.objects.create(
                hostname=hostname,
                port=port,
                root_page=home,
                is_default_site=True,
                site_name=settings.WAGTAIL_SITE_NAME,
            )
        else:
            if site.root_page_id != home.pk:
                site.root_page = home
                site.save()
            if align_default_site():
                self.notes.append(f"The site's address is now {settings.SITE_URL} (SITE_URL).")

        # Wagtail's "Welcome to your new Wagtail site!" is the only plain Page at the top.
        welcome_pages = (
            root.get_children().exact_type(Page).filter(numchild=0, sites_rooted_here__isnull=True)
        )
        for welcome in welcome_pages:
            welcome.delete()
            self.notes.append("Removed Wagtail's welcome page.")
        if self.new_home and home.slug != "home":
            home.slug = "home"
            home.save()
        return home

    def ensure_organisation(self):
        site = Site.objects.get(is_default_site=True)
        organisation = OrganisationSettings.objects.filter(site=site).first()
        untouched = organisation is None or (
            organisation.organisation_name == "Vigil"
            and not organisation.tagline
            and not organisation.donate_url
        )
        if not untouched:
            return
        organisation = organisation or OrganisationSettings(site=site)
        for field, value in content.ORGANISATION.items():
            setattr(organisation, field, value)
        organisation.save()
        self.notes.append(f"Filled in the organisation settings for {site}.")

    def finish_home(self, home, news):
        """Point the hero and calls to action at the new pages; publish the home page once."""
        if not self.new_home and home.has_unpublished_changes:
            return  # an editor's draft: publishing over it would lose their work
        changed = self.new_home
        if not home.hero_button_page_id:
            home.hero_button_page = news
            changed = True
        if not home.featured_campaign_id and "campaign" in self.pages:
            home.featured_campaign = self.pages["campaign"]
            changed = True
        if not home.calls_to_action:
            home.calls_to_action = self.stream(
                [("call_to_action", key) for key in content.HOME["calls_to_action"]], "home"
            )
            changed = True
        if changed:
            home.save_revision().publish()
            if not self.new_home:
                self.notes.append("Linked the home page to the demo pages.")

    def ensure_ways_in(self):
        """The site's calls to action (Settings → Calls to action), unless an editor set some."""
        site = Site.objects.get(is_default_site=True)
        ways_in = WaysInSettings.objects.filter(site=site).first() or WaysInSettings(site=site)
        if ways_in.calls_to_action:
            return
        ways_in.heading = content.WAYS_IN["heading"]
        ways_in.calls_to_action = self.stream(
            [("call_to_action", key) for key in content.WAYS_IN["calls_to_action"]], "ways-in"
        )
        ways_in.save()
        self.notes.append(f"Filled in the calls to action for {site}.")

    # Taxonomy

    def ensure_regions(self):
        regions = {}
        for name, slug in content.REGIONS:
            region = (
                Region.objects.filter(slug=slug).first() or Region.objects.filter(name=name).first()
            )
            if region is None:
                region = Region.objects.create(name=name, slug=slug)
                self.created[Region] += 1
            regions[slug] = region
        return regions

    # Pages

    def ensure_page(self, parent, page_class, slug, make_fields, in_menus=True):
        """The child of ``parent`` with this slug; created from ``make_fields()`` if missing.

        The fields are made only when needed, so an existing page costs no new pictures.
        """
        existing = parent.get_children().filter(slug=slug).first()
        if existing is not None:
            existing = existing.specific
            if not isinstance(existing, page_class):
                raise CommandError(
                    f"{existing.url_path} exists but is not a {page_class._meta.verbose_name}."
                )
            return existing
        page = page_class(**{**make_fields(), "slug": slug, "show_in_menus": in_menus})
        parent.add_child(instance=page)
        page.save_revision().publish()
        self.created[page_class] += 1
        return page

    def ensure_ministries(self, home):
        for ministry in content.MINISTRIES:
            self.ensure_page(
                home, MinistryPage, ministry["slug"], lambda m=ministry: ministry_fields(self, m)
            )

    def ensure_stories(self, news, regions):
        today = timezone.localdate()
        for story in STORIES:
            if news.get_children().filter(slug=story["slug"]).exists():
                continue
            date = today - datetime.timedelta(days=story["days_ago"])
            page = StoryPage(
                title=story["title"],
                slug=story["slug"],
                date=date,
                author=story["author"],
                intro=story["intro"],
                names_changed=story.get("names_changed", True),
                hero_image=self.picture(
                    story["title"], story["palette"], regions[story["regions"][0]].name
                ),
                body=self.stream(story["body"], story["slug"]),
                related_campaign=self.pages["campaign"] if story.get("campaign") else None,
            )
            page.regions = [regions[slug] for slug in story["regions"]]
            page.tags.add(*story["tags"])
            news.add_child(instance=page)
            page.save_revision().publish()
            # Published when it happened, so feeds and listings read like a year of news.
            published = timezone.make_aware(datetime.datetime.combine(date, datetime.time(9)))
            Page.objects.filter(pk=page.pk).update(first_published_at=published)
            self.created[StoryPage] += 1

    # StreamField data

    def stream(self, blocks, namespace):
        """Stream data in Wagtail's JSON form from the tuples in website/demo/*.py."""
        data = []
        for position, (kind, *args) in enumerate(blocks):
            if kind == "paragraph":
                value = args[0]
            elif kind == "image":
                image = self.scene(args[0])
                value = {"image": image.pk, "alt_text": image.description, "caption": args[1]}
            elif kind == "pull_quote":
                value = {"quote": args[0], "attribution": args[1]}
            elif kind in ("call_to_action", "way"):
                value = self.call_to_action(args[0])
            else:
                raise ValueError(f"Unknown demo block {kind!r}")
            block_id = uuid.uuid5(BLOCK_ID_NAMESPACE, f"{namespace}/{position}")
            data.append({"type": kind, "value": value, "id": str(block_id)})
        return data

    def call_to_action(self, key):
        spec = content.CALLS_TO_ACTION[key]
        page = self.pages.get(spec.get("page"))
        value = {
            "heading": spec["heading"],
            "text": spec["text"],
            "button_label": spec["button_label"],
            "page": page.pk if page else None,
            "url": spec.get("url", "" if page or "form" in spec else content.DONATE_URL),
        }
        if "form" in spec:
            value["form"] = spec["form"]
        return value

    # Pictures

    def scene(self, key):
        title, palette, label = content.SCENES[key]
        return self.picture(title, palette, label)

    def picture(self, title, palette, label):
        """The demo picture with this title, drawn and saved the first time it is asked for."""
        image_model = get_image_model()
        collection = self.collection()
        image = image_model.objects.filter(collection=collection, title=title).first()
        if image is not None:
            return image
        data = render_jpeg(title, palette, label=f"{label} · demo picture", size=self.image_size)
        image = image_model(
            title=title,
            description=f"{content.PALETTE_DESCRIPTIONS[palette]} (demo picture)",
            collection=collection,
            file=ImageFile(BytesIO(data), name=f"demo-{slugify(title)}.jpg"),
            file_size=len(data),
            file_hash=hashlib.sha1(data, usedforsecurity=False).hexdigest(),
        )
        image.save()
        self.created[image_model] += 1
        return image

    def collection(self):
        if self._collection is None:
            root = Collection.get_first_root_node()
            self._collection = root.get_children().filter(name=COLLECTION_NAME).first()
            if self._collection is None:
                self._collection = root.add_child(name=COLLECTION_NAME)
        return self._collection


def ministry_fields(builder, ministry):
    return {
        "title": ministry["title"],
        "city": ministry["city"],
        "country": ministry["country"],
        "intro": ministry["intro"],
        "hero_image": builder.scene(ministry["hero"]),
        "body": builder.stream(ministry["body"], ministry["slug"]),
        "programmes": [
            ("programme", {"name": name, "description": description})
            for name, description in ministry["programmes"]
        ],
        "impact_figures": [
            ("figure", {"figure": figure, "label": label}) for figure, label in ministry["figures"]
        ],
        "gallery_images": [
            MinistryGalleryImage(image=builder.scene(key), caption=caption, sort_order=order)
            for order, (key, caption) in enumerate(ministry["gallery"])
        ],
    }
