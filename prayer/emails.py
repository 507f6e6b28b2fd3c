"""What the prayer request flow sends: the submitter's acknowledgement, the moderators' batch."""

from django.conf import settings
from django.urls import reverse
from django.utils.text import Truncator

from core.emails import queue_email
from prayer.models import PrayerRequest

EXCERPT_WORDS = 40


def send_request_received(prayer_request):
    """Acknowledge a submission to the address the submitter gave."""
    queue_email(
        "prayer-request-received",
        prayer_request.submitter_email,
        {
            "name": prayer_request.submitter_name,
            "title": prayer_request.title,
            "wants_reply": prayer_request.wants_reply,
        },
    )


def moderation_summary(prayer_requests):
    """Plain data for the moderators' email: what was submitted and where to moderate it."""
    edit_url_name = PrayerRequest.snippet_viewset.get_url_name("edit")
    return [
        {
            "title": item.title,
            "excerpt": Truncator(item.public_text).words(EXCERPT_WORDS, truncate="…"),
            "topics": ", ".join(topic.name for topic in item.topics.all()),
            "wants_reply": item.wants_reply,
            "submitted_at": item.created_at.isoformat(),
            "edit_url": settings.SITE_URL + reverse(edit_url_name, args=[item.pk]),
        }
        for item in prayer_requests
    ]


def send_moderators_notification(addresses, summary):
    """One message to each moderator, listing every new submission."""
    list_url = reverse(PrayerRequest.snippet_viewset.get_url_name("list"))
    queue_url = f"{settings.SITE_URL}{list_url}?status=submitted"
    for address in addresses:
        queue_email(
            "prayer-requests-to-moderate",
            address,
            {"requests": summary, "count": len(summary), "queue_url": queue_url},
        )
