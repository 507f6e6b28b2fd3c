"""Builders shared by the prayer request tests: topics, the wall page, requests on it."""

import datetime

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from prayer.models import PrayerRequest, PrayerWallPage, Topic
from tests.factories import RegionFactory, UserFactory

CANARY = "CANARY-restricted-7f3a9c"


def make_topic(name="Children", slug=None):
    slug = slug or name.lower().replace(" ", "-")
    return Topic.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def make_region(name="Kolkata", slug=None):
    return RegionFactory(name=name, slug=slug or name.lower())


def make_wall(home, title="Prayer wall", intro="Pray with us."):
    wall = PrayerWallPage(title=title, slug="prayer-wall", intro=intro, show_in_menus=True)
    home.add_child(instance=wall)
    wall.save_revision().publish()
    return wall


def make_request(title="Pray for Asha's exams", topics=(), regions=(), **fields):
    fields.setdefault("public_text", f"{title}: strength and peace.")
    fields.setdefault("status", PrayerRequest.Status.APPROVED)
    if fields["status"] in (PrayerRequest.Status.APPROVED, PrayerRequest.Status.ANSWERED):
        fields.setdefault("approved_at", timezone.now() - datetime.timedelta(hours=1))
    prayer_request = PrayerRequest.objects.create(title=title, **fields)
    prayer_request.topics.set(topics)
    prayer_request.regions.set(regions)
    return prayer_request


def make_moderator(**fields):
    """A staff member in Prayer moderators, with the model permissions granted here."""
    user = UserFactory(is_staff=True, **fields)
    group, _ = Group.objects.get_or_create(name="Prayer moderators")
    group.permissions.add(
        Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin"),
        *Permission.objects.filter(
            content_type__app_label="prayer",
            codename__in=[
                "add_prayerrequest",
                "change_prayerrequest",
                "delete_prayerrequest",
                "view_prayerrequest",
                "add_topic",
                "change_topic",
                "view_topic",
            ],
        ),
    )
    user.groups.add(group)
    return user
