"""Demo content for volunteering: an index, two opportunities with shifts in the coming days
(one needing a safeguarding check). Idempotent: pages are found by slug, and shifts are added
only to an opportunity that has no upcoming shift."""

import datetime
import zoneinfo

from django.utils import timezone

from volunteers.models import OpportunityPage, Shift, Skill, VolunteerIndexPage
from website.models import MinistryPage

TIME_ZONE = "Asia/Kolkata"
SKILLS = [("Teaching", "teaching"), ("Tailoring", "tailoring"), ("Cooking", "cooking")]

OPPORTUNITIES = [
    {
        "slug": "teach-at-the-drop-in-centre",
        "title": "Teach at the drop-in centre",
        "role": "Teacher for the children",
        "intro": "Help the children of the drop-in centre with reading, maths and homework.",
        "area": "Kalighat, Kolkata",
        "exact_address": "Demo address: 12 Example Lane, Kolkata 700026 (side gate)",
        "languages": "Bengali, Hindi or English",
        "minimum_age": 18,
        "requires_safeguarding_check": True,
        "requires_training": True,
        "skills": ["teaching"],
        "shifts": [(2, 15, 3, 6), (4, 15, 3, 6), (9, 15, 3, 6)],
    },
    {
        "slug": "bakery-helper",
        "title": "Help in the training bakery",
        "role": "Bakery helper",
        "intro": "Bake alongside the women in our vocational training bakery.",
        "area": "Sonagachi, Kolkata",
        "exact_address": "Demo address: 4 Example Street, Kolkata 700005, first floor",
        "languages": "Bengali or English",
        "minimum_age": 16,
        "eligibility_notes": "Women only: the bakery trains women in recovery.",
        "requires_safeguarding_check": False,
        "skills": ["cooking"],
        "shifts": [(1, 9, 4, 4), (3, 9, 4, 2), (6, 9, 4, 4)],
    },
]


def create_volunteer_demo(home):
    counts = {"volunteer pages": 0, "volunteer shifts": 0, "skills": 0}
    skills = {}
    for name, slug in SKILLS:
        skills[slug], created = Skill.objects.get_or_create(slug=slug, defaults={"name": name})
        counts["skills"] += created
    index = VolunteerIndexPage.objects.child_of(home).first()
    if index is None:
        index = VolunteerIndexPage(
            title="Volunteer with us",
            slug="volunteer-with-us",
            intro="Give a few hours a week: teach, bake, sew or welcome visitors at our centres.",
            show_in_menus=True,
        )
        home.add_child(instance=index)
        index.save_revision().publish()
        counts["volunteer pages"] += 1
    ministry = MinistryPage.objects.live().first()
    for spec in OPPORTUNITIES:
        opportunity = OpportunityPage.objects.filter(slug=spec["slug"]).first()
        if opportunity is None:
            fields = {k: v for k, v in spec.items() if k not in ("skills", "shifts")}
            opportunity = OpportunityPage(ministry=ministry, **fields)
            index.add_child(instance=opportunity)
            opportunity.skills.set([skills[slug] for slug in spec["skills"]])
            opportunity.save_revision().publish()
            counts["volunteer pages"] += 1
        if not Shift.objects.filter(opportunity=opportunity, starts_at__gt=timezone.now()).exists():
            counts["volunteer shifts"] += add_shifts(opportunity, spec["shifts"])
    return counts


def add_shifts(opportunity, specs):
    zone = zoneinfo.ZoneInfo(TIME_ZONE)
    today = timezone.now().astimezone(zone).date()
    for days_ahead, hour, hours, capacity in specs:
        starts_at = datetime.datetime.combine(
            today + datetime.timedelta(days=days_ahead), datetime.time(hour), tzinfo=zone
        )
        Shift.objects.create(
            opportunity=opportunity,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=hours),
            time_zone=TIME_ZONE,
            capacity=capacity,
            notes="Please arrive ten minutes early and ask for the coordinator at the door.",
        )
    return len(specs)
