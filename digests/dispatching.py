"""A dispatch: find who is due, create one issue per distinct content, queue its batches.

Every due subscriber is read in one query and grouped in Python by what their digest would
contain. Each group is committed on its own: its issue, one delivery row per recipient
(unique per subscriber and issue) and its subscribers' next digest time go in one
transaction, and its batches are queued as soon as it commits, so the cluster sends the
first groups while the next ones are written. A dispatch that dies half way leaves the
groups it did not reach due, and the next tick picks them up; a group is never half made.
"""

import contextlib
import dataclasses
import logging
from collections import defaultdict
from functools import partial

from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import outbox
from core.emails import email_context
from core.mailing import batch_limit
from digests.content import (
    FIRST_PERIOD,
    browser_url,
    content_for,
    content_key,
    load_candidates,
    render_issue,
)
from digests.models import DigestDelivery, DigestIssue, Subscription
from digests.scheduling import next_digest_at
from digests.sending import KIND, send_batch

logger = logging.getLogger(__name__)

DISPATCH_LOCK = 73_310_001


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


def _due_filter(now):
    return Q(status=Subscription.Status.ACTIVE) & (
        Q(next_digest_at__isnull=True) | Q(next_digest_at__lte=now)
    )


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


def next_digests(rows, now):
    """{subscription id: its next digest time}, computed once per distinct schedule."""
    schedules = defaultdict(list)
    for subscription_id, frequency, weekday, time_zone, *_ in rows:
        schedules[(frequency, weekday, time_zone)].append(subscription_id)
    next_at = {}
    for (frequency, weekday, time_zone), ids in schedules.items():
        probe = Subscription(frequency=frequency, weekday=weekday, time_zone=time_zone)
        next_at.update(dict.fromkeys(ids, next_digest_at(probe, now)))
    return next_at


def _pg_array(values):
    """A PostgreSQL array literal: psycopg adapts 100,000 values one by one, this at once."""
    return "{" + ",".join(str(value) for value in values) + "}"


def _advance_schedules(ids, next_at, now, sent):
    """Move these subscribers' next digest on; `sent`: they got a digest now."""
    if not ids:
        return
    if db_connection.vendor == "postgresql":
        # One pass over the rows instead of one UPDATE per schedule and another for
        # last_digest_at: each row gets one new version, not two.
        times = sorted(set(next_at[i] for i in ids))
        slot = {value: position for position, value in enumerate(times, start=1)}
        table = Subscription._meta.db_table
        last_digest = "%s" if sent else "s.last_digest_at"
        with db_connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS s SET next_digest_at = (%s::timestamptz[])[v.slot], "  # noqa: S608 - ours
                f"last_digest_at = {last_digest} "
                "FROM unnest(%s::bigint[], %s::int[]) AS v(id, slot) WHERE s.id = v.id",
                [
                    times,
                    *([now] if sent else []),
                    _pg_array(ids),
                    _pg_array(slot[next_at[i]] for i in ids),
                ],
            )
        return
    by_time = defaultdict(list)
    for subscription_id in ids:
        by_time[next_at[subscription_id]].append(subscription_id)
    for due, same in by_time.items():
        fields = {"next_digest_at": due, **({"last_digest_at": now} if sent else {})}
        Subscription.objects.filter(id__in=same).update(**fields)


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
                [issue_id, _pg_array(subscription_ids), DigestDelivery.Status.PENDING],
            )
        return
    DigestDelivery.objects.bulk_create(
        (DigestDelivery(issue_id=issue_id, subscription_id=i) for i in subscription_ids),
        batch_size=500,
        ignore_conflicts=True,
    )


@contextlib.contextmanager
def _dispatch_lock():
    """Only one dispatch at a time (PostgreSQL); SQLite already serialises writers.

    A session lock, held across the dispatch's several transactions; it goes with the
    connection if the process dies.
    """
    if db_connection.vendor != "postgresql":
        yield True
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [DISPATCH_LOCK])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with db_connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [DISPATCH_LOCK])


def _count(result, groups, rows):
    result.due = len(rows)
    result.with_content = sum(len(ids) for _, ids in groups.values())
    result.without_content = result.due - result.with_content
    result.issues = len(groups)
    limit = batch_limit()
    result.batches = sum(-(-len(ids) // limit) for _, ids in groups.values())
    result.deliveries = result.with_content


def _create_issue(content, key, now, shared):
    issue = DigestIssue.objects.create(
        content_key=key,
        created_at=now,
        includes_restricted=content["restricted"],
        request_ids=content["requests"],
        story_ids=content["stories"],
        praise_ids=content["praise"],
        campaign_ids=content["campaigns"],
    )
    subject, text, html, browser_html = render_issue(content, now, browser_url(issue), shared)
    issue.subject = subject[:200]
    issue.body_text, issue.body_html, issue.browser_html = text, html, browser_html
    issue.save(update_fields=["subject", "body_text", "body_html", "browser_html"])
    return issue


def dispatch(now=None, dry_run=False, send_now=False):
    """Create this round's issues and deliveries, and queue each issue's batches.

    Idempotent: an issue's subscribers move on in the transaction that creates its
    deliveries, so running it again finds nobody due.
    """
    now = now or timezone.now()
    result = DispatchResult()
    if dry_run:
        groups, rows = plan(now)
        _count(result, groups, rows)
        return result
    with _dispatch_lock() as acquired:
        if not acquired:
            result.busy = True
            return result
        groups, rows = plan(now)
        _count(result, groups, rows)
        if not rows:
            return result
        next_at = next_digests(rows, now)
        shared = email_context({})
        after = send_batches_now if send_now else queue_batches
        for key, (content, ids) in groups.items():
            with transaction.atomic():
                issue = _create_issue(content, key, now, shared)
                _create_deliveries(issue.pk, ids)
                _advance_schedules(ids, next_at, now, sent=True)
                transaction.on_commit(partial(after, [issue.pk], now))
            result.issue_ids.append(issue.pk)
        recipients = {i for _, ids in groups.values() for i in ids}
        with transaction.atomic():
            _advance_schedules(
                [row[0] for row in rows if row[0] not in recipients], next_at, now, sent=False
            )
    logger.info(
        "digest dispatch: %s due, %s issues, %s deliveries, %s without content",
        result.due,
        result.issues,
        result.deliveries,
        result.without_content,
    )
    return result


def batch_ranges(issue_ids, now=None):
    """(issue id, first row id, last row id) for each batch of sendable rows of these issues."""
    return [
        (issue_id, first_id, last_id)
        for issue_id in issue_ids
        for first_id, last_id in outbox.batch_ranges(KIND, issue_id, now)
    ]


def queue_batches(issue_ids, now=None):
    """Queue one outbox task per batch of sendable rows (a range of row ids, not a list)."""
    return sum(outbox.queue_batches(KIND, issue_id, now) for issue_id in issue_ids)


def send_batches_now(issue_ids, now=None):
    """Send every batch in this process (manage.py send_digests), not through the cluster."""
    batches = batch_ranges(issue_ids, now)
    for issue_id, first_id, last_id in batches:
        send_batch(issue_id, first_id, last_id)
    return len(batches)
