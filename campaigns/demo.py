"""Demo content for the campaign the website demo builds: an open registration window, a goal,
a resource kit (PDF documents made here, and video links) and a few registered churches.

Idempotent: the campaign is found by its slug, documents by title, registrations by their
matching key; a second run creates nothing.
"""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import Collection

from campaigns.matching import match_key
from campaigns.models import (
    CampaignIndexPage,
    CampaignPage,
    ChurchRegistration,
    RegistrationContact,
)
from campaigns.registration import add_contact
from website.demo import content

CAMPAIGN_SLUG_PREFIX = "freedom-sunday"
GOAL_CHURCHES = 250
COLLECTION_NAME = "Campaign resources"

DOCUMENTS = [
    (
        "Freedom Sunday sermon outline",
        "A three-point outline on Isaiah 61:1-3 with illustrations and an invitation.",
        [
            "Freedom Sunday - sermon outline",
            "",
            "Text: Isaiah 61:1-3",
            "1. Good news to the poor: who is poor near us?",
            "2. Freedom for the captives: trafficking today, and how it hides.",
            "3. Beauty for ashes: stories of restoration.",
            "Invitation: pray, give, and learn to recognise the signs.",
        ],
    ),
    (
        "Printable prayer guide",
        "Seven days of prayer for the women and children in red-light districts.",
        [
            "Freedom Sunday - prayer guide",
            "",
            "Day 1: For women who want to leave, and for a safe way out.",
            "Day 2: For children growing up in the districts.",
            "Day 3: For outreach teams walking the lanes at night.",
            "Day 4: For police, courts and lawmakers.",
            "Day 5: For the homes that receive survivors.",
            "Day 6: For training and work that lasts.",
            "Day 7: For our own churches, to welcome without judging.",
        ],
    ),
    (
        "Bulletin insert",
        "A half-page insert for your service sheet, with the facts and how to give.",
        [
            "Freedom Sunday - bulletin insert",
            "",
            "Today we pray with churches around the world for freedom.",
            "Give: every gift supports drop-in centres and training.",
        ],
    ),
]
VIDEOS = [
    (
        "Short film: A new beginning (6 minutes)",
        "For the service or a screening evening. Subtitles in English, Hindi and Nepali.",
        "https://videos.example.org/freedom-sunday/a-new-beginning",
    ),
    (
        "Children's lesson video",
        "A gentle, age-appropriate lesson about keeping each other safe.",
        "https://videos.example.org/freedom-sunday/childrens-lesson",
    ),
]
# church, denomination, city, region, country, attendance, participation, listed, contact
REGISTRATIONS = [
    (
        "Grace Community Church",
        "Baptist",
        "Manchester",
        "",
        "GB",
        180,
        ["preach", "pray"],
        True,
        ("Sarah Okafor", "Pastor", "sarah.okafor@example.org"),
    ),
    (
        "Église Saint-Jean",
        "Catholic",
        "Lyon",
        "Auvergne-Rhône-Alpes",
        "FR",
        240,
        ["pray", "give"],
        True,
        ("Luc Moreau", "Parish priest", "luc.moreau@example.org"),
    ),
    (
        "Hope City Church",
        "Pentecostal",
        "Nairobi",
        "",
        "KE",
        420,
        ["preach", "pray", "give", "screening"],
        True,
        ("Grace Wanjiru", "Youth leader", "grace.wanjiru@example.org"),
    ),
    (
        "Trinity Lutheran Church",
        "Lutheran",
        "Minneapolis",
        "Minnesota",
        "US",
        95,
        ["pray"],
        False,
        ("Erik Lindqvist", "Deacon", "erik.lindqvist@example.org"),
    ),
    (
        "Nagaland Baptist Fellowship",
        "Baptist",
        "Kohima",
        "Nagaland",
        "IN",
        310,
        ["preach", "pray", "screening"],
        True,
        ("Vikho Rhakho", "Pastor", "vikho.rhakho@example.org"),
    ),
]


def tiny_pdf(lines):
    """A one-page PDF of plain text lines (Helvetica), built by hand: no PDF library needed."""

    def escape(text):
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ascii_lines = [line.encode("latin-1", "replace").decode("latin-1") for line in lines]
    stream = "BT /F1 12 Tf 16 TL 72 760 Td " + " ".join(
        f"({escape(line)}) Tj T*" for line in ascii_lines
    )
    stream += " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def ensure_document(title, lines, counts):
    Document = get_document_model()
    existing = Document.objects.filter(title=title).first()
    if existing:
        return existing
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=COLLECTION_NAME).first()
    if collection is None:
        collection = root.add_child(name=COLLECTION_NAME)
    filename = title.lower().replace(" ", "-").replace(":", "") + ".pdf"
    document = Document(title=title, collection=collection)
    document.file.save(filename, ContentFile(tiny_pdf(lines)), save=False)
    document.save()
    counts["documents"] += 1
    return document


def configure_campaign(campaign, now, counts):
    """Open registration now, close it three days before the day, and set the goal."""
    if campaign.registration_opens_at:
        return campaign
    campaign.registration_opens_at = now - datetime.timedelta(days=21)
    closes = datetime.datetime.combine(
        campaign.start_date - datetime.timedelta(days=3), datetime.time(23, 59)
    )
    campaign.registration_closes_at = timezone.make_aware(closes)
    campaign.goal_churches = GOAL_CHURCHES
    campaign.save_revision().publish()
    counts["campaigns configured"] += 1
    return campaign


def ensure_resource_kit(campaign, counts):
    if campaign.resources.exists():
        return
    order = 0
    for title, description, lines in DOCUMENTS:
        document = ensure_document(title, lines, counts)
        campaign.resources.create(
            title=title, description=description, document=document, sort_order=order
        )
        order += 1
    for title, description, url in VIDEOS:
        campaign.resources.create(title=title, description=description, url=url, sort_order=order)
        order += 1
    counts["resources"] += order


def create_campaign_demo(home, now=None):
    now = now or timezone.now()
    counts = {"campaigns configured": 0, "documents": 0, "resources": 0, "registrations": 0}
    campaign = (
        CampaignPage.objects.descendant_of(home)
        .filter(slug__startswith=CAMPAIGN_SLUG_PREFIX)
        .order_by("-start_date")
        .first()
    )
    if campaign is None:
        return counts
    campaign = configure_campaign(campaign, now, counts)
    ensure_resource_kit(campaign, counts)
    for days_ago, row in zip((18, 12, 9, 4, 1), REGISTRATIONS, strict=True):
        name, denomination, city, region, country, attendance, taking_part, listed, person = row
        key = match_key(name, city, country)
        if ChurchRegistration.objects.filter(campaign=campaign, match_key=key).exists():
            continue
        if RegistrationContact.objects.filter(campaign=campaign, email=person[2]).exists():
            continue
        created = now - datetime.timedelta(days=days_ago)
        registration = ChurchRegistration(
            campaign=campaign,
            church_name=name,
            denomination=denomination,
            city=city,
            region=region,
            country=country,
            match_key=key,
            expected_attendance=attendance,
            listed_publicly=listed,
            created_at=created,
        )
        registration.set_participation(taking_part)
        registration.save()
        add_contact(
            registration,
            {
                "contact_name": person[0],
                "role": person[1],
                "email": person[2],
                "consents_to_updates": True,
            },
            now=created,
        )
        counts["registrations"] += 1
    return counts


def ensure_campaign_pages(builder, home):
    """The campaign index and this year's Freedom Sunday, which demo stories belong to (a
    "pages" step of the demo command: `builder` makes pages, pictures and stream data)."""
    index = builder.ensure_page(
        home, CampaignIndexPage, content.CAMPAIGN_INDEX["slug"], lambda: content.CAMPAIGN_INDEX
    )
    prefix = content.CAMPAIGN["slug_prefix"]
    campaign = CampaignPage.objects.child_of(index).filter(slug__startswith=prefix).first()
    if campaign is None:
        start = upcoming_sunday(timezone.localdate() + datetime.timedelta(days=100))
        campaign = builder.ensure_page(
            index,
            CampaignPage,
            f"{prefix}-{start.year}",
            lambda: {
                "title": f"Freedom Sunday {start.year}",
                "start_date": start,
                "summary": content.CAMPAIGN["summary"],
                "hero_image": builder.scene("campaign-hero"),
                "body": builder.stream(content.CAMPAIGN["body"], prefix),
            },
            in_menus=False,
        )
    builder.pages["campaign"] = campaign


def upcoming_sunday(day):
    """``day`` if it is a Sunday, else the Sunday after it."""
    return day + datetime.timedelta(days=(6 - day.weekday()) % 7)
