"""Building and sending prayer digests, each due subscriber exactly once per issue.

A dispatch (``dispatch``) reads every due subscriber in one query, groups them in Python
by what their digest would contain, renders one DigestIssue per distinct content, and
creates one DigestDelivery row per recipient (unique per subscriber and issue). The
subscribers' schedule moves on in the same transaction, so a second dispatch finds
nobody due. Batches of delivery rows, cut to the provider's limit, are then sent by
``send_batch``: it claims its rows with one conditional UPDATE, records the provider
call, makes ONE provider call with per-recipient merge data and headers, and marks
the rows sent in bulk. No query in the send path runs once per recipient.

Only ids and flags are kept per subscriber, never personal data in logs.
"""

import dataclasses
import datetime
import hashlib
import hmac
import json
import logging
import os
import time
import uuid
from collections import defaultdict

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes

from prayer import links
from prayer.models import DigestDelivery, DigestIssue, PrayerRequest, Subscription
from prayer.scheduling import next_digest_at
from website.emails import email_context
from website.mailing import suppressed_addresses, unsubscribe_headers
from website.signing import BadToken, read_token

logger = logging.getLogger(__name__)

# How many recipients one provider call may carry (anymail does not split batches).
PROVIDER_BATCH_LIMITS = {
    "mailgun": 1000,
    "sendgrid": 1000,
    "postmark": 500,
    "amazon_ses": 50,
}
DEFAULT_BATCH_LIMIT = 500

# Backends that send one message to many recipients with per-recipient merge data,
# using Mailgun's %recipient.key% syntax in the body. Every other backend gets one
# message per recipient, built from the same rendered body by string substitution.
MERGE_BACKENDS = {
    "anymail.backends.mailgun.EmailBackend",
    "anymail.backends.test.EmailBackend",
}
MERGE_KEYS = ("unsubscribe_url", "preferences_url")

# A claim older than this belongs to a worker that died. It must outlive Q_CLUSTER's
# task timeout (300 s), so a batch still being sent is never claimed twice.
DEFAULT_CLAIM_TIMEOUT = 600
MAX_ATTEMPTS = 5
RETRY_BACKOFF = datetime.timedelta(minutes=5)
PRAISE_LIMIT = 3
CAMPAIGN_HORIZON = datetime.timedelta(days=60)
FIRST_PERIOD = {
    "daily": datetime.timedelta(days=1),
    "weekly": datetime.timedelta(days=7),
    "monthly": datetime.timedelta(days=31),
}
# Marks a row whose provider call has started under the claim token that follows.
CALL_PREFIX = "call:"
DISPATCH_LOCK = 73_310_001


def claim_timeout():
    """Seconds before a claim is stale; DIGEST_CLAIM_TIMEOUT overrides it (benchmarks)."""
    try:
        return max(1, int(os.environ.get("DIGEST_CLAIM_TIMEOUT", DEFAULT_CLAIM_TIMEOUT)))
    except ValueError:
        return DEFAULT_CLAIM_TIMEOUT


def batch_limit():
    backend = settings.EMAIL_BACKEND
    for provider, limit in PROVIDER_BATCH_LIMITS.items():
        if f".{provider}." in backend:
            return limit
    return DEFAULT_BATCH_LIMIT


def placeholder(key):
    return f"%recipient.{key}%"


@dataclasses.dataclass
class DispatchResult:
    due: int = 0
    with_content: int = 0
    without_content: int = 0
    issues: int = 0
    deliveries: int = 0
    batches: int = 0
    busy: bool = False
    issue_ids: list = dataclasses.field(default_factory=list)


# ---------------------------------------------------------------------------
# Content


def _due_filter(now):
    return Q(status=Subscription.Status.ACTIVE) & (
        Q(next_digest_at__isnull=True) | Q(next_digest_at__lte=now)
    )


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

    ``shared`` is website.emails.email_context({}), computed once per dispatch.
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
    # As website.emails.render_email renders, with its context looked up once per dispatch.
    context = {**shared, **base, "show_restricted": content["restricted"]}
    subject = " ".join(render_to_string("emails/prayer-digest-subject.txt", context).split())
    text = render_to_string("emails/prayer-digest-body.txt", context)
    html = render_to_string("emails/prayer-digest-body.html", context)
    browser_html = render_to_string(
        "prayer/digests/_content.html", {**shared, **base, "show_restricted": False}
    )
    return subject, text, html, browser_html


# ---------------------------------------------------------------------------
# Dispatch


def _due_subscribers(now):
    """One query for the subscribers, one for their topics: no query per subscriber."""
    due = Subscription.objects.filter(_due_filter(now))
    rows = list(
        due.values_list(
            "id",
            "frequency",
            "weekday",
            "time_zone",
            "wants_restricted",
            "restricted_verified",
            "last_digest_at",
        )
    )
    topics = defaultdict(set)
    through = Subscription.topics.through.objects.filter(subscription__in=due)
    for subscription_id, topic_id in through.values_list("subscription_id", "topic_id"):
        topics[subscription_id].add(topic_id)
    return rows, topics


def plan(now):
    """Group due subscribers by content: {key: (content, [subscription ids])}, and all rows."""
    rows, topics = _due_subscribers(now)
    if not rows:
        return {}, rows
    sinces = {}
    for row in rows:
        sinces[row[0]] = row[6] or now - FIRST_PERIOD.get(row[1], FIRST_PERIOD["weekly"])
    candidates = load_candidates(min(sinces.values()), now)
    # Subscribers with the same window, topics and restricted flag get the same content:
    # compute it once per kind, not once per subscriber.
    kinds = defaultdict(list)
    for row in rows:
        subscription_id = row[0]
        kind = (
            sinces[subscription_id],
            frozenset(topics.get(subscription_id, ())),
            row[4] and row[5],
        )
        kinds[kind].append(subscription_id)
    groups = {}
    for (since, subscriber_topics, receives_restricted), ids in kinds.items():
        content = content_for(candidates, since, subscriber_topics, receives_restricted)
        if content is None:
            continue
        key = content_key(content)
        groups.setdefault(key, (content, []))[1].extend(ids)
    return groups, rows


def _advance_schedules(rows, now, recipients):
    """Move every due subscriber's next digest on; note the digest for its recipients."""
    schedules = defaultdict(list)
    for subscription_id, frequency, weekday, time_zone, *_ in rows:
        schedules[(frequency, weekday, time_zone)].append(subscription_id)
    next_at = {}
    for (frequency, weekday, time_zone), ids in schedules.items():
        probe = Subscription(frequency=frequency, weekday=weekday, time_zone=time_zone)
        due = next_digest_at(probe, now)
        next_at.update(dict.fromkeys(ids, due))
    if db_connection.vendor == "postgresql":
        # One pass over the rows instead of one UPDATE per schedule and another for
        # last_digest_at: each row gets one new version, not two.
        ids = list(next_at)
        table = Subscription._meta.db_table
        with db_connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS s SET next_digest_at = v.next_at, "  # noqa: S608 - ours
                "last_digest_at = CASE WHEN v.sent THEN %s ELSE s.last_digest_at END "
                "FROM unnest(%s::bigint[], %s::timestamptz[], %s::boolean[]) "
                "AS v(id, next_at, sent) WHERE s.id = v.id",
                [now, ids, [next_at[i] for i in ids], [i in recipients for i in ids]],
            )
        return
    by_time = defaultdict(list)
    for subscription_id, due in next_at.items():
        by_time[due].append(subscription_id)
    for due, ids in by_time.items():
        Subscription.objects.filter(id__in=ids).update(next_digest_at=due)
    Subscription.objects.filter(id__in=recipients).update(last_digest_at=now)


def _create_deliveries(issue_id, subscription_ids):
    """One pending row per recipient; the unique constraint makes a repeat a no-op."""
    if db_connection.vendor == "postgresql":
        # One statement per issue instead of building 100,000 model instances.
        table = DigestDelivery._meta.db_table
        with db_connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} "  # noqa: S608 - the table name is ours
                "(issue_id, subscription_id, status, claim_token, message_id, attempts, "
                "last_error) SELECT %s, unnest(%s::bigint[]), %s, '', '', 0, '' "
                "ON CONFLICT DO NOTHING",
                [issue_id, list(subscription_ids), DigestDelivery.Status.PENDING],
            )
        return
    DigestDelivery.objects.bulk_create(
        (DigestDelivery(issue_id=issue_id, subscription_id=i) for i in subscription_ids),
        batch_size=500,
        ignore_conflicts=True,
    )


def _take_dispatch_lock():
    """Only one dispatch at a time (PostgreSQL); SQLite already serialises writers."""
    if db_connection.vendor != "postgresql":
        return True
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [DISPATCH_LOCK])
        return cursor.fetchone()[0]


def dispatch(now=None, dry_run=False, send_now=False):
    """Create this round's issues and deliveries, then queue their batches.

    Idempotent: the schedules move on in the same transaction that creates the
    deliveries, so running it again finds nobody due.
    """
    now = now or timezone.now()
    result = DispatchResult()
    with transaction.atomic():
        if not dry_run and not _take_dispatch_lock():
            result.busy = True
            return result
        groups, rows = plan(now)
        result.due = len(rows)
        result.with_content = sum(len(ids) for _, ids in groups.values())
        result.without_content = result.due - result.with_content
        result.issues = len(groups)
        limit = batch_limit()
        result.batches = sum(-(-len(ids) // limit) for _, ids in groups.values())
        result.deliveries = result.with_content
        if dry_run or not rows:
            return result
        shared = email_context({})
        for key, (content, ids) in groups.items():
            issue = DigestIssue.objects.create(
                content_key=key,
                created_at=now,
                includes_restricted=content["restricted"],
                request_ids=content["requests"],
                story_ids=content["stories"],
            )
            subject, text, html, browser_html = render_issue(
                content, now, browser_url(issue), shared
            )
            issue.subject = subject[:200]
            issue.body_text, issue.body_html, issue.browser_html = text, html, browser_html
            issue.save(update_fields=["subject", "body_text", "body_html", "browser_html"])
            result.issue_ids.append(issue.pk)
            _create_deliveries(issue.pk, ids)
        recipients = {i for _, ids in groups.values() for i in ids}
        _advance_schedules(rows, now, recipients)
        issue_ids = list(result.issue_ids)
        after = send_batches_now if send_now else queue_batches
        transaction.on_commit(lambda: after(issue_ids, now))
    logger.info(
        "digest dispatch: %s due, %s issues, %s deliveries, %s without content",
        result.due,
        result.issues,
        result.deliveries,
        result.without_content,
    )
    return result


def _sendable(now):
    stale = now - datetime.timedelta(seconds=claim_timeout())
    return Q(status=DigestDelivery.Status.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    ) | Q(status=DigestDelivery.Status.CLAIMED, claimed_at__lt=stale)


def batch_ranges(issue_ids, now=None):
    """(issue id, first row id, last row id) for each batch of sendable rows of these issues."""
    now = now or timezone.now()
    limit = batch_limit()
    rows = (
        DigestDelivery.objects.filter(issue_id__in=issue_ids)
        .filter(_sendable(now))
        .order_by("issue_id", "id")
        .values_list("issue_id", "id")
    )
    batches = []
    current = None
    for issue_id, delivery_id in rows.iterator(chunk_size=10_000):
        if current and current[0] == issue_id and current[3] < limit:
            current[2] = delivery_id
            current[3] += 1
        else:
            current = [issue_id, delivery_id, delivery_id, 1]
            batches.append(current)
    return [(issue_id, first_id, last_id) for issue_id, first_id, last_id, _ in batches]


def queue_batches(issue_ids, now=None):
    """Queue one task per batch of sendable rows (a range of row ids, not a list)."""
    from django_q.tasks import async_task

    batches = batch_ranges(issue_ids, now)
    for issue_id, first_id, last_id in batches:
        async_task(
            "prayer.tasks.digests.send_digest_batch",
            issue_id,
            first_id,
            last_id,
            task_name=f"digest-batch:{issue_id}:{first_id}",
        )
    return len(batches)


def send_batches_now(issue_ids, now=None):
    """Send every batch in this process (manage.py send_digests), not through the cluster."""
    batches = batch_ranges(issue_ids, now)
    for issue_id, first_id, last_id in batches:
        send_batch(issue_id, first_id, last_id)
    return len(batches)


def resume_unfinished(now=None, exclude=()):
    """Queue batches for rows left behind: retries that are due, and claims of dead workers.

    ``exclude``: issues whose batches were queued a moment ago by the same tick.
    """
    now = now or timezone.now()
    issue_ids = list(
        DigestIssue.objects.filter(status=DigestIssue.Status.SENDING)
        .exclude(id__in=list(exclude))
        .values_list("id", flat=True)
    )
    if not issue_ids:
        return 0
    for issue_id in issue_ids:
        _finish_if_done(issue_id, now)
    return queue_batches(issue_ids, now)


def _finish_if_done(issue_id, now):
    open_rows = DigestDelivery.objects.filter(
        issue_id=issue_id,
        status__in=[DigestDelivery.Status.PENDING, DigestDelivery.Status.CLAIMED],
    )
    if not open_rows.exists():
        DigestIssue.objects.filter(pk=issue_id, status=DigestIssue.Status.SENDING).update(
            status=DigestIssue.Status.DONE, finished_at=now
        )


# ---------------------------------------------------------------------------
# Sending one batch


def _is_retryable(error):
    status = getattr(error, "status_code", None)
    return status is None or status == 429 or status >= 500


def _error_summary(error):
    """What went wrong, without the provider's response text (it may quote addresses)."""
    status = getattr(error, "status_code", None)
    summary = type(error).__name__
    if status:
        summary += f": HTTP {status}"
    return summary[:300]


class ProviderLookupFailed(Exception):
    """The provider could have told, but did not answer: ask again later, send nothing."""


def provider_accepted_claims(tokens):
    """The claim tokens the provider says it accepted, or None if it cannot tell.

    A worker killed after its provider call but before marking rows sent leaves them
    claimed with the call recorded. Before sending them again we ask the provider: for
    Mailgun, the events API filtered by the ``digest_claim`` variable we send with
    each batch. Other providers cannot be asked, so those rows are sent again
    (at least once rather than at most once).
    """
    if ".mailgun." not in settings.EMAIL_BACKEND or not tokens:
        return None
    import requests

    anymail = getattr(settings, "ANYMAIL", {})
    api_url = anymail.get("MAILGUN_API_URL", "https://api.mailgun.net/v3").rstrip("/")
    domain = anymail.get("MAILGUN_SENDER_DOMAIN") or settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[
        -1
    ].rstrip(">")
    accepted = set()
    try:
        for token in tokens:
            response = requests.get(
                f"{api_url}/{domain}/events",
                params={
                    "event": "accepted",
                    "user-variables": json.dumps({"digest_claim": token}),
                    "limit": 1,
                },
                auth=("api", anymail.get("MAILGUN_API_KEY", "")),
                timeout=10,
            )
            response.raise_for_status()
            if response.json().get("items"):
                accepted.add(token)
    except (requests.RequestException, ValueError) as error:
        raise ProviderLookupFailed(type(error).__name__) from error
    return accepted


class _BatchSigner(signing.TimestampSigner):
    """website.signing.make_token's signer, with the key derived once and one timestamp.

    make_token derives the HMAC key again for every token; a batch makes 2,000 tokens.
    The tokens are the same as make_token's (LinkMaker checks them with read_token).
    """

    def __init__(self, purpose, timestamp):
        super().__init__(salt=f"vigil:{purpose}")
        self._timestamp = timestamp
        derived = hashlib.sha256(force_bytes(self.salt + "signer") + force_bytes(self.key)).digest()
        self._mac = hmac.new(derived, digestmod=hashlib.sha256)

    def timestamp(self):
        return self._timestamp

    def signature(self, value, key=None):
        mac = self._mac.copy()
        mac.update(force_bytes(value))
        return signing.b64_encode(mac.digest()).decode()


class LinkMaker:
    """The per-recipient links of prayer.links, for a whole batch at once.

    prayer.links reverses the URL and signs from scratch for every link (about a
    millisecond each on a busy machine); here the URL is reversed once and the signing
    key derived once. At start the fast links are checked against prayer.links and
    read_token; if anything differs, prayer.links is used for every link.
    """

    ROUTES = {
        "unsubscribe_url": (links.unsubscribe_url, links.UNSUBSCRIBE_PURPOSE),
        "preferences_url": (links.preferences_url, links.PREFERENCES_PURPOSE),
    }

    def __init__(self):
        timestamp = signing.b62_encode(int(time.time()))
        self.fast = {}
        for key, (func, purpose) in self.ROUTES.items():
            reference = func(0, 0)
            prefix = reference[: reference.rstrip("/").rfind("/") + 1]
            signer = _BatchSigner(purpose, timestamp)
            token = signer.sign_object({"id": 0, "v": 0}, compress=True)
            try:
                usable = read_token(token, purpose) == (0, 0) and read_token(
                    reference[len(prefix) : -1], purpose
                ) == (0, 0)
            except BadToken:
                usable = False
            if usable and reference.endswith("/"):
                self.fast[key] = (prefix, signer)

    def url(self, key, subscription_id, link_version):
        if key not in self.fast:
            return self.ROUTES[key][0](subscription_id, link_version)
        prefix, signer = self.fast[key]
        token = signer.sign_object({"id": subscription_id, "v": link_version}, compress=True)
        return f"{prefix}{token}/"


def _build_messages(issue, recipients, token, merge):
    """One message for the whole batch, or one per recipient for backends without merge."""
    headers = {}
    data = {}
    maker = LinkMaker()
    for email, subscription_id, link_version in recipients:
        unsubscribe = maker.url("unsubscribe_url", subscription_id, link_version)
        data[email] = {
            "unsubscribe_url": unsubscribe,
            "preferences_url": maker.url("preferences_url", subscription_id, link_version),
        }
        headers[email] = unsubscribe_headers(unsubscribe)
    if merge:
        # The one-click header is the same for everyone: sent once, not per recipient,
        # which keeps a 1,000-recipient request about a fifth smaller.
        one_click = {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        for values in headers.values():
            del values["List-Unsubscribe-Post"]
        message = EmailMultiAlternatives(
            subject=issue.subject,
            body=issue.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=list(data),
            headers=one_click,
        )
        message.attach_alternative(issue.body_html, "text/html")
        # Always set merge_data: without it every recipient would see every address.
        message.merge_data = data
        message.merge_headers = headers
        message.metadata = {"digest_claim": token}
        return [message]
    messages = []
    for email, values in data.items():
        text, html = issue.body_text, issue.body_html
        for key in MERGE_KEYS:
            text = text.replace(placeholder(key), values[key])
            html = html.replace(placeholder(key), values[key])
        message = EmailMultiAlternatives(
            subject=issue.subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email],
            headers=headers[email],
        )
        message.attach_alternative(html, "text/html")
        messages.append(message)
    return messages


def _message_ids(messages):
    """{email: provider message id} from anymail's status (empty for other backends)."""
    ids = {}
    for message in messages:
        status = getattr(message, "anymail_status", None)
        recipients = getattr(status, "recipients", None) or {}
        for email, recipient in recipients.items():
            message_id = "" if recipient.message_id is None else str(recipient.message_id)
            ids[email.lower()] = (message_id, recipient.status)
    return ids


def _mark(rows_qs, ids, **fields):
    if ids:
        rows_qs.filter(id__in=ids).update(**fields)


def send_batch(issue_id, first_id, last_id, now=None):
    """Send one batch of an issue's deliveries. Safe to run twice, or at the same time."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    rows = DigestDelivery.objects.filter(issue_id=issue_id, id__gte=first_id, id__lte=last_id)
    # The claim: one conditional UPDATE. Two workers running this batch at once each
    # get a disjoint set of rows (the row lock makes the second re-check the WHERE).
    claimed = rows.filter(_sendable(now)).update(
        status=DigestDelivery.Status.CLAIMED, claim_token=token, claimed_at=now
    )
    if not claimed:
        _finish_if_done(issue_id, now)
        return 0
    mine = rows.filter(claim_token=token, status=DigestDelivery.Status.CLAIMED)
    claimed_rows = list(
        mine.values_list(
            "id",
            "message_id",
            "subscription__email",
            "subscription_id",
            "subscription__link_version",
            "subscription__status",
        )
    )
    issue = DigestIssue.objects.get(pk=issue_id)

    # Rows whose earlier provider call is in doubt (the worker died after recording it).
    in_doubt = {}
    for row in claimed_rows:
        if row[1].startswith(CALL_PREFIX):
            in_doubt.setdefault(row[1][len(CALL_PREFIX) :], []).append(row[0])
    already_sent = set()
    if in_doubt:
        try:
            accepted = provider_accepted_claims(list(in_doubt)) or set()
        except ProviderLookupFailed as error:
            # Leave every row of this claim claimed: the claim goes stale again and
            # the next tick asks again. Sending now could send twice.
            logger.warning("digest batch: provider lookup failed (%s); retrying later", error)
            return 0
        for old_token in accepted:
            already_sent.update(in_doubt[old_token])
            _mark(
                mine,
                in_doubt[old_token],
                status=DigestDelivery.Status.SENT,
                sent_at=now,
                message_id=f"accepted:{old_token}"[:200],
            )

    candidates = [row for row in claimed_rows if row[0] not in already_sent]
    inactive = [row[0] for row in candidates if row[5] != Subscription.Status.ACTIVE]
    suppressed = suppressed_addresses([row[2] for row in candidates])
    suppressed_ids = [row[0] for row in candidates if row[2].lower() in suppressed]
    _mark(
        mine,
        inactive + suppressed_ids,
        status=DigestDelivery.Status.SUPPRESSED,
        last_error="Suppressed or no longer subscribed at send time.",
    )
    skipped = set(inactive) | set(suppressed_ids)
    to_send = [row for row in candidates if row[0] not in skipped]
    if not to_send:
        _finish_if_done(issue_id, now)
        return 0

    send_ids = [row[0] for row in to_send]
    merge = settings.EMAIL_BACKEND in MERGE_BACKENDS
    messages = _build_messages(issue, [(row[2], row[3], row[4]) for row in to_send], token, merge)
    # Record the provider call just before making it. If this worker dies between the
    # call and marking the rows sent, the rows stay claimed with this token; whoever
    # claims them after the stale timeout asks the provider whether this token was
    # accepted (provider_accepted_claims) before sending again. Where the provider
    # cannot be asked, they are sent again: the window between the provider accepting
    # the call and the UPDATE below is the remaining at-least-once gap there.
    whole_claim = len(send_ids) == len(claimed_rows)
    (mine if whole_claim else mine.filter(id__in=send_ids)).update(
        attempts=F("attempts") + 1, message_id=f"{CALL_PREFIX}{token}", last_error=""
    )
    try:
        with get_connection() as connection:
            connection.send_messages(messages)
    except Exception as error:  # noqa: BLE001 - any failure is recorded and retried
        _record_failure(mine, send_ids, error, now)
        _finish_if_done(issue_id, now)
        return 0

    ids = _message_ids(messages)
    by_message_id = defaultdict(list)
    failed = []
    for row in to_send:
        message_id, status = ids.get(row[2].lower(), ("", "sent"))
        if status in ("rejected", "invalid", "failed"):
            failed.append(row[0])
        else:
            by_message_id[message_id[:200]].append(row[0])
    sent_at = timezone.now()
    if whole_claim and not failed and len(by_message_id) == 1:
        # The usual case with batch providers: one message id for the whole batch.
        [message_id] = by_message_id
        mine.update(status=DigestDelivery.Status.SENT, sent_at=sent_at, message_id=message_id)
        by_message_id = {}
    for message_id, delivery_ids in by_message_id.items():
        _mark(
            mine,
            delivery_ids,
            status=DigestDelivery.Status.SENT,
            sent_at=sent_at,
            message_id=message_id,
        )
    _mark(
        mine,
        failed,
        status=DigestDelivery.Status.FAILED,
        message_id="",
        last_error="Rejected by the provider.",
    )
    _finish_if_done(issue_id, now)
    return len(to_send) - len(failed)


def _record_failure(rows, ids, error, now):
    """Retry later with backoff, or give up after MAX_ATTEMPTS; never log addresses."""
    summary = _error_summary(error)
    logger.warning("digest batch failed (%s rows): %s", len(ids), summary)
    attempted = rows.filter(id__in=ids)
    if not _is_retryable(error):
        attempted.update(status=DigestDelivery.Status.FAILED, message_id="", last_error=summary)
        return
    attempted.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=DigestDelivery.Status.FAILED, message_id="", last_error=summary
    )
    for attempts in range(1, MAX_ATTEMPTS):
        attempted.filter(attempts=attempts).update(
            status=DigestDelivery.Status.PENDING,
            message_id="",
            claim_token="",
            last_error=summary,
            next_attempt_at=now + RETRY_BACKOFF * 2 ** (attempts - 1),
        )


def browser_url(issue):
    return settings.SITE_URL + reverse("prayer:digest-issue", args=[issue.pk])
