"""What a digest contains, and its rendering: one body per distinct content.

Due subscribers are grouped by (window, topics, restricted flag); each group's content is
computed from candidates loaded once per dispatch, and each distinct content is rendered
once, with Mailgun-style %recipient.key% placeholders where the per-recipient links go.
"""

import dataclasses
import datetime
import hashlib
import json
from collections import defaultdict

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.emails import email_context
from prayer.models import PrayerRequest

PRAISE_LIMIT = 3
CAMPAIGN_HORIZON = datetime.timedelta(days=60)
# A first digest covers one period back.
FIRST_PERIOD = {
    "daily": datetime.timedelta(days=1),
    "weekly": datetime.timedelta(days=7),
    "monthly": datetime.timedelta(days=31),
}


def placeholder(key):
    return f"%recipient.{key}%"


def browser_url(issue):
    return settings.SITE_URL + reverse("digests:digest-issue", args=[issue.pk])


@dataclasses.dataclass
class Candidates:
    """Everything any due subscriber might get, loaded once per dispatch."""

    requests: list  # (id, approved_at, topic ids frozenset, has_restricted)
    praise: list  # (id, answered_at, topic ids frozenset), newest first
    stories: list  # (id, first_published_at)
    campaigns: list  # ids, soonest first


def load_candidates(since, now):
    from campaigns.models import CampaignPage
    from website.models import StoryPage

    wall = PrayerRequest.objects.on_wall(now)
    request_rows = list(
        wall.filter(approved_at__gt=since)
        .annotate(has_restricted=~Q(restricted_text=""))
        .values_list("id", "approved_at", "has_restricted")
    )
    praise_rows = list(
        wall.filter(status=PrayerRequest.Status.ANSWERED, answered_at__gt=since)
        .exclude(praise_report="")
        .order_by("-answered_at", "-id")
        .values_list("id", "answered_at")
    )
    wanted = {row[0] for row in request_rows} | {row[0] for row in praise_rows}
    topics = defaultdict(set)
    if wanted:
        through = PrayerRequest.topics.through.objects.filter(prayerrequest_id__in=wanted)
        for request_id, topic_id in through.values_list("prayerrequest_id", "topic_id"):
            topics[request_id].add(topic_id)
    stories = list(
        StoryPage.objects.live()
        .public()
        .filter(first_published_at__gt=since, first_published_at__lte=now)
        .order_by("-first_published_at")
        .values_list("id", "first_published_at")
    )
    today = timezone.localdate(now)
    campaigns = list(
        CampaignPage.objects.live()
        .public()
        .filter(start_date__gte=today, start_date__lte=today + CAMPAIGN_HORIZON)
        .order_by("start_date", "id")
        .values_list("id", flat=True)
    )
    return Candidates(
        requests=[(i, at, frozenset(topics[i]), r) for i, at, r in request_rows],
        praise=[(i, at, frozenset(topics[i])) for i, at in praise_rows],
        stories=stories,
        campaigns=campaigns,
    )


def _matches(request_topics, subscriber_topics):
    return not subscriber_topics or bool(request_topics & subscriber_topics)


def content_for(candidates, since, subscriber_topics, receives_restricted):
    """The content key parts for one kind of subscriber, or None when nothing is new."""
    request_ids = []
    restricted = False
    for request_id, approved_at, request_topics, has_restricted in candidates.requests:
        if approved_at > since and _matches(request_topics, subscriber_topics):
            request_ids.append(request_id)
            restricted = restricted or has_restricted
    praise_ids = [
        praise_id
        for praise_id, answered_at, request_topics in candidates.praise
        if answered_at > since and _matches(request_topics, subscriber_topics)
    ][:PRAISE_LIMIT]
    story_ids = [story_id for story_id, published in candidates.stories if published > since]
    if not (request_ids or praise_ids or story_ids):
        return None
    return {
        "requests": sorted(request_ids),
        "praise": praise_ids,
        "stories": story_ids,
        "campaigns": list(candidates.campaigns),
        "restricted": bool(receives_restricted and restricted),
    }


def content_key(content):
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def render_issue(content, now, browser_url="", shared=None):
    """(subject, text, html, browser_html) for one content; the browser view never restricted.

    ``shared`` is core.emails.email_context({}), computed once per dispatch.
    """
    from campaigns.models import CampaignPage
    from website.models import StoryPage

    wanted = set(content["requests"]) | set(content["praise"])
    by_id = PrayerRequest.objects.in_bulk(wanted)
    requests = sorted(
        (by_id[i] for i in content["requests"] if i in by_id),
        key=lambda r: (not r.urgent, -(r.approved_at or now).timestamp(), r.pk),
    )
    praise = [by_id[i] for i in content["praise"] if i in by_id]
    stories_by_id = StoryPage.objects.in_bulk(content["stories"])
    stories = [stories_by_id[i] for i in content["stories"] if i in stories_by_id]
    campaigns_by_id = CampaignPage.objects.in_bulk(content["campaigns"])
    campaigns = [campaigns_by_id[i] for i in content["campaigns"] if i in campaigns_by_id]
    base = {
        "requests": requests,
        "praise": praise,
        "stories": stories,
        "campaigns": campaigns,
        "date": now,
        "unsubscribe_url": placeholder("unsubscribe_url"),
        "preferences_url": placeholder("preferences_url"),
        "browser_url": browser_url,
    }
    shared = email_context({}) if shared is None else shared
    # As core.emails.render_email renders, with its context looked up once per dispatch.
    context = {**shared, **base, "show_restricted": content["restricted"]}
    subject = " ".join(render_to_string("emails/prayer-digest-subject.txt", context).split())
    text = render_to_string("emails/prayer-digest-body.txt", context)
    html = render_to_string("emails/prayer-digest-body.html", context)
    browser_html = render_to_string(
        "digests/_content.html", {**shared, **base, "show_restricted": False}
    )
    return subject, text, html, browser_html
