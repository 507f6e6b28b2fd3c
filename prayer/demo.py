"""Demo content for the prayer wall: topics, the wall page and a dozen requests. Idempotent."""

import datetime

from django.utils import timezone

from prayer.models import PrayerRequest, PrayerWallPage, PrayPage, Topic
from website.demo import content
from website.models import Region

TOPICS = [
    ("Rescue and outreach", "rescue-and-outreach", "Night outreach, first contact, safe exits."),
    ("Rehabilitation homes", "rehabilitation-homes", "The women and children in our homes."),
    ("Children", "children", "The children of women in prostitution: school, safety, joy."),
    ("Vocational training", "vocational-training", "Tailoring, bakery and beauty courses."),
    ("Staff and volunteers", "staff-and-volunteers", "Strength and protection for the team."),
    ("Justice", "justice", "Court cases, police and lasting change in the law."),
]

Status = PrayerRequest.Status

# title, public text, topic slugs, region name, extra fields
REQUESTS = [
    (
        "Courage for a young mother to leave",
        "A young mother we met on outreach this month is thinking about leaving the district "
        "with her two children. Please pray for courage, for a safe way out and for trust "
        "to grow between her and our team.",
        ["rescue-and-outreach", "children"],
        "Kolkata",
        {"urgent": True},
    ),
    (
        "Safe court hearing next week",
        "One of the women in our home will give evidence against the people who trafficked "
        "her. Pray for peace, for a fair judge and for her safety on the way to court.",
        ["justice"],
        "Mumbai",
        {"urgent": True, "restricted_text": "Hearing details for vetted supporters only."},
    ),
    (
        "Exams for the children at the drop-in centre",
        "Twelve children from the drop-in centre sit their school exams soon. Pray for calm "
        "minds, good sleep and teachers who believe in them.",
        ["children"],
        "Kolkata",
        {},
    ),
    (
        "First tailoring graduates",
        "Eight women finish their tailoring course in a fortnight. Pray that each finds "
        "steady work or customers of her own, and keeps the confidence she has gained.",
        ["vocational-training"],
        "Kolkata",
        {},
    ),
    (
        "Rest for the night outreach team",
        "Our outreach team walks the lanes three nights a week. Pray for rest, protection "
        "and wisdom in every conversation.",
        ["staff-and-volunteers", "rescue-and-outreach"],
        "Bangkok",
        {},
    ),
    (
        "Healing from trauma",
        "Several residents have started counselling. Pray for gentle healing, good sleep "
        "and hope for the future.",
        ["rehabilitation-homes"],
        "Mumbai",
        {},
    ),
    (
        "A new bakery oven",
        "The bakery training kitchen needs a larger oven so more women can train at once. "
        "Pray for provision and for the right supplier.",
        ["vocational-training"],
        "Bangkok",
        {},
    ),
    (
        "Partnership with local police",
        "We are meeting district police officers to talk about how they treat women who "
        "ask for help. Pray for open hearts and practical change.",
        ["justice"],
        "Kolkata",
        {},
    ),
    (
        "Volunteers for the summer holiday club",
        "We need ten more volunteers for the children's holiday club. Pray for people with "
        "patience and joy to come forward.",
        ["staff-and-volunteers", "children"],
        "Mumbai",
        {},
    ),
    (
        "A home for a family of three",
        "A mother and her two daughters needed a safe place to rent near the school.",
        ["rehabilitation-homes", "children"],
        "Kolkata",
        {
            "status": Status.ANSWERED,
            "praise_report": "They moved into a small flat last week, close to the school. "
            "Thank you for praying!",
        },
    ),
    (
        "Visa for our counsellor",
        "Our trauma counsellor was waiting for her work visa to be renewed.",
        ["staff-and-volunteers"],
        "Bangkok",
        {
            "status": Status.ANSWERED,
            "praise_report": "The visa came through, a day before the old one ran out.",
        },
    ),
    (
        "Pray for my sister",
        "My sister has been in a hard situation for years. Please pray that she finds a way "
        "out and people who will help her.",
        ["rescue-and-outreach"],
        None,
        {"status": Status.SUBMITTED, "from_public_form": True, "consent_to_publish": True},
    ),
]


def create_prayer_demo(home_page, stdout=None):
    """Create what is missing: topics, the prayer wall under `home_page`, demo requests."""
    created = {"topics": 0, "wall": 0, "requests": 0}
    topics = {}
    for name, slug, description in TOPICS:
        topic, made = Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        topics[slug] = topic
        created["topics"] += made

    if not PrayerWallPage.objects.exists():
        wall = PrayerWallPage(
            title="Prayer wall",
            slug="prayer-wall",
            show_in_menus=True,
            intro="Pray with us for the women and children we serve. Names and places are "
            "changed or left out to keep everyone safe.",
        )
        home_page.add_child(instance=wall)
        wall.save_revision().publish()
        created["wall"] = 1

    now = timezone.now()
    for index, (title, text, topic_slugs, region_name, extra) in enumerate(REQUESTS):
        if PrayerRequest.objects.filter(title=title).exists():
            continue
        fields = {"status": Status.APPROVED, **extra}
        moment = now - datetime.timedelta(days=index + 1)
        if fields["status"] in (Status.APPROVED, Status.ANSWERED):
            fields.setdefault("approved_at", moment)
            fields.setdefault("moderated_at", moment)
            fields.setdefault("consent_to_publish", True)
        if fields["status"] == Status.ANSWERED:
            fields.setdefault("answered_at", moment + datetime.timedelta(hours=12))
        prayer_request = PrayerRequest.objects.create(
            title=title,
            public_text=text,
            created_at=moment,
            prayed_count=(index * 7) % 23,
            **fields,
        )
        prayer_request.topics.set([topics[slug] for slug in topic_slugs])
        if region_name:
            slug = region_name.lower()
            region = (
                Region.objects.filter(name=region_name).first()
                or Region.objects.filter(slug=slug).first()
            )
            if region is None:
                region = Region.objects.create(name=region_name, slug=slug)
            prayer_request.regions.add(region)
        created["requests"] += 1

    if stdout is not None:
        stdout.write(
            f"Prayer: {created['topics']} topics, {created['wall']} wall page, "
            f"{created['requests']} requests created."
        )
    return created


def ensure_pray_page(builder, home):
    """The Pray page, in the menu just after the stories: every way to pray (a "finish" step
    of the demo command, once the wall, vigil and calendar its ways lead to exist)."""
    existing = PrayPage.objects.child_of(home).first()
    if existing is None:
        existing = builder.ensure_page(
            home,
            PrayPage,
            content.PRAY["slug"],
            lambda: {
                "title": content.PRAY["title"],
                "intro": content.PRAY["intro"],
                "ways": builder.stream([("way", key) for key in content.PRAY["ways"]], "pray"),
            },
        )
        existing.move(builder.pages["news"], pos="right")
    builder.pages["pray"] = existing
