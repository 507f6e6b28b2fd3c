"""Helpers shared by the subscription tests (sign-up, preference centre, unsubscribe...)."""

import re

from django.core import mail
from django.utils import timezone

from digests.models import Subscription
from prayer.models import Topic
from tests.factories import guarded

LINK = re.compile(r"https?://[^\s\"<>]+")


def make_topic(name="Children at risk"):
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return Topic.objects.create(name=name, slug=slug)


def make_subscription(email="ruth@example.org", status=Subscription.Status.ACTIVE, **fields):
    now = timezone.now()
    defaults = {
        "consent_at": now,
        "consent_source": "/pray/subscribe/",
        "confirmed_at": now if status != Subscription.Status.PENDING else None,
    }
    topics = fields.pop("topics", [])
    subscription = Subscription.objects.create(email=email, status=status, **defaults, **fields)
    subscription.topics.set(topics)
    return subscription


def signup_data(**overrides):
    data = {
        "email": "ruth@example.org",
        "name": "Ruth",
        "frequency": "weekly",
        "weekday": "2",
        "time_zone": "Europe/Berlin",
        "website": "",
    }
    data.update(overrides)
    return guarded({key: value for key, value in data.items() if value is not None})


def links_in(text):
    return LINK.findall(text)


def html_of(message):
    return next(body for body, kind in message.alternatives if kind == "text/html")


def link_from_last_email(path_part):
    """The link containing `path_part` in the last email, checked to be in both bodies."""
    message = mail.outbox[-1]
    text_links = [link for link in links_in(message.body) if path_part in link]
    html_links = [link for link in links_in(html_of(message)) if path_part in link]
    assert text_links, f"no {path_part} link in the text body"
    assert text_links[0] in html_links, "the HTML body has a different link"
    return text_links[0]
