"""Factories and page builders shared by the tests."""

import datetime
import itertools
from io import BytesIO

import factory
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from PIL import Image as PillowImage
from wagtail.images.models import Image
from wagtail.models import Collection, Locale, Page, Site

from campaigns.models import CampaignIndexPage, CampaignPage
from core.sites import site_address
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
    hostname, port = site_address(settings.SITE_URL)  # as migrate leaves it (core/sites.py)
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": hostname, "port": port, "root_page": home, "site_name": "Vigil"},
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
    """POST data for a public form (core.formguard): the fields plus a valid fill-time stamp."""
    from core.formguard import STAMP_FIELD, new_stamp

    return {**(data or {}), **fields, STAMP_FIELD: new_stamp()}


def way_in(heading, label, page=None, form="", url="", kind="call_to_action"):
    """A call to action (a "way" on the Pray page): StreamField data for WaysInSettings,
    a page's own calls to action or PrayPage.ways, leading to a page, a site form or a URL."""
    value = {"heading": heading, "text": f"{heading}.", "button_label": label}
    return (kind, {**value, "page": page, "form": form, "url": url})


# ---------------------------------------------------------------------------
# prayer: calendars and vigils


def add_prayer_calendar(parent, title="21 days of prayer", days=3, **fields):
    from vigils.models import PrayerCalendarDay, PrayerCalendarPage

    fields.setdefault("start_date", datetime.date(2026, 3, 1))
    fields.setdefault("time_zone", "UTC")
    calendar = PrayerCalendarPage(title=title, **fields)
    calendar.days = [
        PrayerCalendarDay(
            title=f"Focus {number}",
            reading=f"Reading for day {number}.",
            prayer_points=f"First point of day {number}\nSecond point of day {number}",
            sort_order=number,
        )
        for number in range(1, days + 1)
    ]
    parent.add_child(instance=calendar)
    calendar.save_revision().publish()
    return calendar


def add_vigil(parent, title="Night of prayer", **fields):
    """A published vigil (its slots are made on publish). Times are host wall-clock times."""
    from vigils.models import VigilPage

    fields.setdefault("time_zone", "UTC")
    fields.setdefault("start_date", datetime.date(2026, 3, 1))
    fields.setdefault("start_time", datetime.time(20))
    fields.setdefault("end_date", datetime.date(2026, 3, 2))
    fields.setdefault("end_time", datetime.time(8))
    fields.setdefault("slot_minutes", 60)
    fields.setdefault("capacity", 1)
    vigil = VigilPage(title=title, **fields)
    parent.add_child(instance=vigil)
    vigil.save_revision().publish()
    return vigil


# Volunteers (issue 4)


def add_volunteer_index(home, slug="volunteer-with-us"):
    from volunteers.models import VolunteerIndexPage

    index = VolunteerIndexPage.objects.filter(slug=slug).first()
    if index is None:
        index = VolunteerIndexPage(title="Volunteer with us", slug=slug)
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


def add_opportunity(home, title="Teach at the drop-in centre", **fields):
    from volunteers.models import OpportunityPage

    index = add_volunteer_index(home)
    fields.setdefault("role", "Teacher")
    fields.setdefault("area", "Kalighat, Kolkata")
    fields.setdefault("exact_address", "CANARY-ADDRESS 12 Hidden Lane")
    opportunity = OpportunityPage(title=title, **fields)
    index.add_child(instance=opportunity)
    opportunity.save_revision().publish()
    return opportunity


def add_shift(opportunity, starts_at=None, hours=3, capacity=5, **fields):
    from django.utils import timezone

    from volunteers.models import Shift

    starts_at = starts_at or timezone.now() + datetime.timedelta(days=3)
    fields.setdefault("time_zone", "Asia/Kolkata")
    return Shift.objects.create(
        opportunity=opportunity,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=hours),
        capacity=capacity,
        **fields,
    )


def add_volunteer(email=None, name="Asha", **fields):
    from volunteers.models import Volunteer

    email = email or f"volunteer{Volunteer.objects.count() + 1}@example.org"
    fields.setdefault("phone", "+919876543210")
    fields.setdefault("confirmed_age", 18)
    return Volunteer.objects.create(email=email, name=name, **fields)


def add_check(volunteer, verified_on=None, expires_on=None, **fields):
    from django.utils import timezone

    from volunteers.models import SafeguardingCheck

    verified_on = verified_on or timezone.localdate() - datetime.timedelta(days=30)
    return SafeguardingCheck.objects.create(
        volunteer=volunteer, verified_on=verified_on, expires_on=expires_on, **fields
    )


# ---------------------------------------------------------------------------
# Campaigns: open campaigns, resource kits, registrations


def open_campaign(home, title="Freedom Sunday", **fields):
    """A published campaign whose registration window is open now."""
    from django.utils import timezone

    now = timezone.now()
    fields.setdefault("start_date", (now + datetime.timedelta(days=60)).date())
    fields.setdefault("registration_opens_at", now - datetime.timedelta(days=1))
    fields.setdefault("registration_closes_at", now + datetime.timedelta(days=30))
    fields.setdefault("goal_churches", 10)
    return add_campaign(home, title=title, **fields)


def make_document(title="Sermon outline", content=b"%PDF-1.4\n%%EOF\n", collection=None):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    document = get_document_model()(title=title)
    if collection is not None:
        document.collection = collection
    document.file.save(f"{title.lower().replace(' ', '-')}.pdf", ContentFile(content), save=False)
    document.save()
    return document


def add_resource(campaign, title="Sermon outline", **fields):
    if "document" not in fields and "url" not in fields:
        fields["document"] = make_document(title)
    return campaign.resources.create(title=title, **fields)


def registration_form_data(**overrides):
    """Valid POST data for the church registration form (guarded: call `guarded` on it)."""
    data = {
        "church_name": "Grace Community Church",
        "denomination": "Baptist",
        "city": "Manchester",
        "region": "",
        "country": "GB",
        "contact_name": "Sarah Okafor",
        "role": "Pastor",
        "email": "sarah@example.org",
        "phone": "",
        "expected_attendance": "120",
        "participation": ["preach", "pray"],
        "listed_publicly": "on",
        "consents_to_updates": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def register_church(campaign, **overrides):
    """A registration with its first contact, as the form would make it."""
    from campaigns.forms import RegistrationForm
    from campaigns.registration import register_church as register

    form = RegistrationForm(guarded(registration_form_data(**overrides)))
    assert form.is_valid(), form.errors
    return register(campaign, form.cleaned_data)


# ---------------------------------------------------------------------------
# My Vigil (issue 7): one supporter's records in every app, made before any account


SUPPORTER_NUMBERS = itertools.count(1)


def supporter_records(home, email, name="Ruth Mensah", now=None):
    """Everything a supporter can join with `email`, as the public forms leave it confirmed:
    a prayer subscription, a prayer calendar, a vigil with one past and one future slot, a
    prayer request, a volunteer profile with a past attended shift, a future shift and a
    check, and a church registration. Returns a dict of the records by name."""
    from django.db.models import F
    from django.utils import timezone

    from digests.models import Subscription
    from prayer.models import PrayerRequest
    from vigils.models import CalendarSubscription, SlotBooking, VigilSignup
    from volunteers.models import Shift, SignUp

    now = now or timezone.now()
    records = {}
    subscription = Subscription.objects.create(
        email=email,
        name=name,
        status=Subscription.Status.ACTIVE,
        consent_at=now,
        consent_source="/pray/subscribe/",
        consent_ip="203.0.113.7",
        confirmed_at=now,
    )
    records["subscription"] = subscription

    number = next(SUPPORTER_NUMBERS)
    calendar = prayer_calendar_for(home)
    records["calendar_subscription"] = CalendarSubscription.objects.create(
        calendar=calendar,
        email=email,
        status=CalendarSubscription.Status.ACTIVE,
        consent_at=now,
        confirmed_at=now,
    )

    today = timezone.localdate(now)
    vigil = add_vigil(
        home,
        title=f"Night of prayer {number}",
        start_date=today - datetime.timedelta(days=1),
        start_time=datetime.time(0),
        end_date=today + datetime.timedelta(days=2),
        end_time=datetime.time(0),
        capacity=2,
    )
    signup = VigilSignup.objects.create(
        vigil=vigil,
        email=email,
        display_name=name,
        status=VigilSignup.Status.CONFIRMED,
        confirmed_at=now,
    )
    slots = vigil.slots.order_by("starts_at")
    past = slots.filter(ends_at__lte=now).first()
    future = slots.filter(starts_at__gt=now + datetime.timedelta(hours=2)).first()
    for slot in (past, future):
        SlotBooking.objects.create(signup=signup, slot=slot)
        type(slot).objects.filter(pk=slot.pk).update(taken=F("taken") + 1)
    records.update(vigil_signup=signup, past_slot=past, future_slot=future)

    records["prayer_request"] = PrayerRequest.objects.create(
        title="Pray for my sister’s recovery",
        public_text="Strength and healing for my sister.",
        restricted_text="She is at the shelter in the old town.",
        submitter_name=name,
        submitter_email=email,
        wants_reply=True,
        status=PrayerRequest.Status.APPROVED,
        approved_at=now,
    )

    opportunity = add_opportunity(home, title=f"Teach at the drop-in centre {number}")
    volunteer = add_volunteer(email=email, name=name, phone="+447700900123", notes="Reliable.")
    past_shift = add_shift(opportunity, starts_at=now - datetime.timedelta(days=10), hours=3)
    future_shift = add_shift(opportunity, starts_at=now + datetime.timedelta(days=5), capacity=1)
    SignUp.objects.create(
        shift=past_shift,
        volunteer=volunteer,
        status=SignUp.Status.CONFIRMED,
        attendance=SignUp.Attendance.ATTENDED,
        confirmed_at=now - datetime.timedelta(days=20),
    )
    upcoming = SignUp.objects.create(
        shift=future_shift, volunteer=volunteer, status=SignUp.Status.CONFIRMED, confirmed_at=now
    )
    Shift.objects.filter(pk__in=[past_shift.pk, future_shift.pk]).update(confirmed_count=1)
    records.update(
        volunteer=volunteer,
        past_shift=past_shift,
        future_shift=future_shift,
        upcoming_signup=upcoming,
        check=add_check(volunteer, reference="CERT-778899"),
    )

    campaign = open_campaign(home, title=f"Freedom Sunday {number}")
    result = register_church(
        campaign,
        email=email,
        contact_name=name,
        church_name=f"Grace Church {number}",
        phone="+442079460958",
    )
    records.update(campaign=campaign, registration=result.registration, contact=result.contact)
    return records


def prayer_calendar_for(home):
    from vigils.models import PrayerCalendarPage

    return PrayerCalendarPage.objects.first() or add_prayer_calendar(home)


# ---------------------------------------------------------------------------
# Consent (issue 7): a record for a story, a photo or a prayer request


def add_consent(content, given_on=None, **fields):
    """A consent record for `content` (StoryPage, Image or PrayerRequest), current by default."""
    from website.models import ConsentRecord

    fields.setdefault("given_by", "Asha Kumari, in person")
    fields.setdefault("covers", "Her story with a changed name, and the photo without her face.")
    given_on = given_on or datetime.date(2026, 1, 5)
    return ConsentRecord.objects.create_for(content, given_on=given_on, **fields)


def as_first_visited(site_pages):
    """The site as its first visit leaves it: Wagtail makes its settings on first use, which
    moves the content generation once (core/generations.py), so a page drawn by the first
    visit would be kept under a generation already gone."""
    from core.models import OrganisationSettings
    from website.models.site_settings import WaysInSettings

    site = Site.objects.get(is_default_site=True)
    for setting in (OrganisationSettings, WaysInSettings):
        setting.for_site(site)
    return site_pages
