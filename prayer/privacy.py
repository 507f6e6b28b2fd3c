"""What the prayer app holds about an address (the prayer requests it sent), for My Vigil,
the data download and erasure (the four functions `core.privacy` asks every app for).

Requests are found by address. Erasing keeps a request's text and its prayers; only the
person is removed.
"""

from django.urls import reverse

from core.privacy import Item, Link, Section, when
from prayer.models import PrayerRequest


def requests_of(addresses):
    return PrayerRequest.objects.filter(submitter_email__in=addresses).order_by("-created_at", "pk")


def request_item(prayer_request):
    details = [("Sent on", when(prayer_request.created_at))]
    if prayer_request.prayed_count:
        details.append(("Prayed for", f"{prayer_request.prayed_count} times"))
    return Item(
        title=prayer_request.title, status=prayer_request.get_status_display(), details=details
    )


def request_record(prayer_request):
    return {
        "title": prayer_request.title,
        "text": prayer_request.public_text,
        "restricted_text": prayer_request.restricted_text,
        "topics": [topic.name for topic in prayer_request.topics.all()],
        "status": prayer_request.get_status_display(),
        "your_name": prayer_request.submitter_name,
        "your_email": prayer_request.submitter_email,
        "wants_reply": prayer_request.wants_reply,
        "consent_to_publish": prayer_request.consent_to_publish,
        "sent_at": prayer_request.created_at,
        "approved_at": prayer_request.approved_at,
        "answered_at": prayer_request.answered_at,
        "praise_report": prayer_request.praise_report,
        "prayed_count": prayer_request.prayed_count,
    }


def attach(user, addresses):
    """Requests are not linked to accounts: found by address each time."""
    return {}


def sections(addresses, request):
    requests = list(requests_of(addresses))
    return [
        Section(
            key="prayer-requests",
            heading="Your prayer requests",
            items=[request_item(prayer_request) for prayer_request in requests],
            empty="You have not sent us a prayer request.",
            links=[Link("Send a prayer request", reverse("prayer:submit_request"))],
        ),
    ]


def export(addresses):
    return {
        "prayer_requests": [
            request_record(prayer_request)
            for prayer_request in requests_of(addresses).prefetch_related("topics")
        ],
    }


def erase(addresses, now):
    """The request stays (its text was given to be prayed for); who sent it goes."""
    requests = PrayerRequest.objects.filter(submitter_email__in=addresses).update(
        submitter_name="", submitter_email="", wants_reply=False
    )
    return {"prayer_requests_made_anonymous": requests}
