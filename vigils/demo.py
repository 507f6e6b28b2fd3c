"""Demo: a 7-day vigil and a 21-day prayer calendar for the demo campaign. Idempotent.

Both start on the day the demo is built, so a fresh demo shows a vigil under way (with its
"praying now" box) and a calendar with today highlighted. Pages are found by slug; a second
run creates nothing.
"""

import datetime

from django.utils import timezone

from vigils.models import (
    PrayerCalendarDay,
    PrayerCalendarPage,
    SlotBooking,
    VigilPage,
    VigilSignup,
    VigilSlot,
    VigilTheme,
)
from vigils.slots import SlotsUnavailable, book_slots

CAMPAIGN_SLUG_PREFIX = "freedom-sunday"
VIGIL_SLUG = "freedom-vigil"
CALENDAR_SLUG = "21-days-of-prayer"
HOST_ZONE = "Europe/London"

VIGIL_THEMES = [
    ("Children at risk", datetime.time(0), datetime.time(6)),
    ("Staff and volunteers", datetime.time(6), datetime.time(12)),
    ("Women in our homes", datetime.time(12), datetime.time(18)),
    ("Justice and the police", datetime.time(18), datetime.time(0)),
]

# (display name or "" for anonymous, address, hours after the vigil's start)
VIGIL_PEOPLE = [
    ("Ruth", "ruth.demo@example.org", [0, 1, 2]),
    ("", "anonymous.demo@example.org", [1, 5]),
    ("Pastor Joel", "joel.demo@example.org", [3, 4, 24, 25]),
    ("Mei", "mei.demo@example.org", [8, 9, 10, 11]),
]

CALENDAR_DAYS = [
    ("Eyes to see", "Isaiah 61:1", "Open our eyes to the people around us who are exploited."),
    ("Children at risk", "Matthew 18:10", "Protection for children born in the districts."),
    ("Courage to leave", "Psalm 27:1", "Courage and a safe way out for women who want to leave."),
    ("Outreach teams", "Romans 10:15", "Rest and wisdom for the night outreach teams."),
    ("Safe homes", "Psalm 68:6", "Peace and healing in our rehabilitation homes."),
    ("Trauma counselling", "Psalm 147:3", "Gentle healing from trauma; skilled counsellors."),
    ("Vocational training", "Proverbs 31:17", "Steady work for trainees in tailoring and baking."),
    ("Justice", "Amos 5:24", "Fair judges and brave witnesses in trafficking cases."),
    ("Police", "Romans 13:4", "Police who protect and believe the people who ask for help."),
    ("Families", "Psalm 68:5", "Families restored, and safe homes for children."),
    ("Churches", "Isaiah 58:6", "Churches that speak up and welcome survivors."),
    ("Volunteers", "Galatians 6:9", "Faithful volunteers who do not grow weary."),
    ("Online exploitation", "Luke 8:17", "Protection for children online; wise parents."),
    ("Labour trafficking", "James 5:4", "Fair pay and freedom for workers held in debt."),
    ("Border crossings", "Psalm 121:8", "Safety for people crossing borders in search of work."),
    ("Survivors' voices", "Psalm 40:2", "Survivors heard, believed and leading change."),
    ("Staff wellbeing", "Matthew 11:28", "Rest, joy and protection for our staff."),
    ("Donors and partners", "2 Corinthians 9:8", "Generous, steady partners for the work."),
    ("Lawmakers", "Proverbs 31:8", "Laws that punish traffickers and protect victims."),
    ("Freedom Sunday", "Luke 4:18", "Churches preaching freedom this Sunday."),
    ("Hope", "Romans 15:13", "Hope that lasts for every woman and child we serve."),
]


def demo_campaign():
    from campaigns.models import CampaignPage

    return CampaignPage.objects.filter(slug__startswith=CAMPAIGN_SLUG_PREFIX).first()


def create_vigil_demo(home_page):
    """Create what is missing; return how many of each thing was created."""
    created = {"vigil pages": 0, "calendar pages": 0, "vigil sign-ups": 0}
    campaign = demo_campaign()
    today = timezone.localdate()

    vigil = VigilPage.objects.filter(slug=VIGIL_SLUG).first()
    if vigil is None:
        vigil = VigilPage(
            title="Seven days of unbroken prayer",
            slug=VIGIL_SLUG,
            show_in_menus=False,  # the Pray page in the menu leads to it
            intro="Before Freedom Sunday we pray around the clock for a week. Choose an hour "
            "(or several) in your own time zone, and someone will be praying at every moment.",
            campaign=campaign,
            time_zone=HOST_ZONE,
            start_date=today,
            start_time=datetime.time(0),
            end_date=today + datetime.timedelta(days=7),
            end_time=datetime.time(0),
            slot_minutes=60,
            capacity=2,
            themes=[
                VigilTheme(title=title, start_time=start, end_time=end, sort_order=order)
                for order, (title, start, end) in enumerate(VIGIL_THEMES)
            ],
        )
        home_page.add_child(instance=vigil)
        vigil.save_revision().publish()
        created["vigil pages"] = 1

    if not SlotBooking.objects.filter(slot__vigil=vigil).exists():
        created["vigil sign-ups"] = add_demo_signups(vigil)

    if not PrayerCalendarPage.objects.filter(slug=CALENDAR_SLUG).exists():
        calendar = PrayerCalendarPage(
            title="21 days of prayer for freedom",
            slug=CALENDAR_SLUG,
            show_in_menus=False,
            intro="One focus a day for three weeks, leading up to Freedom Sunday. Read it here, "
            "add it to your calendar, follow the feed, or receive each day by email.",
            campaign=campaign,
            start_date=today - datetime.timedelta(days=2),
            time_zone=HOST_ZONE,
            days=[
                PrayerCalendarDay(
                    title=title,
                    reading_reference=reference,
                    reading="Read the passage slowly, then pray with the points below.",
                    prayer_points=f"{point}\nFor the people we serve in Kolkata, Mumbai and "
                    "Kathmandu.\nThat we would act on what we pray.",
                    sort_order=order,
                )
                for order, (title, reference, point) in enumerate(CALENDAR_DAYS)
            ],
        )
        home_page.add_child(instance=calendar)
        calendar.save_revision().publish()
        created["calendar pages"] = 1
    return created


def add_demo_signups(vigil):
    slots = list(VigilSlot.objects.filter(vigil=vigil).order_by("starts_at"))
    made = 0
    for name, email, hours in VIGIL_PEOPLE:
        signup, new = VigilSignup.objects.get_or_create(
            vigil=vigil,
            email=email,
            defaults={
                "display_name": name,
                "status": VigilSignup.Status.CONFIRMED,
                "confirmed_at": timezone.now(),
                "time_zone": HOST_ZONE,
            },
        )
        chosen = [slots[hour] for hour in hours if hour < len(slots)]
        try:
            # Bookings "now" for slots that may have started today: the demo fills them anyway.
            book_slots(signup, chosen, now=vigil.starts_at - datetime.timedelta(minutes=1))
        except SlotsUnavailable:
            continue
        made += new
    return made
