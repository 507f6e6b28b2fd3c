"""Each due subscriber gets each digest exactly once: reruns, crashes, provider errors, races."""

import datetime
import threading

import pytest
from anymail.backends.test import EmailBackend as AnymailTestBackend
from anymail.exceptions import AnymailRequestsAPIError
from django.core import mail
from django.db import connection

from core import outbox
from digests import dispatching, sending
from digests.models import DigestDelivery, DigestIssue, Subscription
from digests.tasks import send_due_digests
from prayer.models import PrayerRequest

NOW = datetime.datetime(2026, 3, 2, 7, 30, tzinfo=datetime.UTC)


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the task gets to handle it."""


@pytest.fixture(autouse=True)
def _anymail_test_backend(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def tick():
        """What the schedules do: the digest dispatch, then the outbox's resume."""
        with django_capture_on_commit_callbacks(execute=True):
            result = send_due_digests()
            outbox.resume_open_sends()
            return result

    return tick


def setup_round(count=3):
    PrayerRequest.objects.create(
        title="Pray for the night outreach",
        public_text="The team goes out on Friday.",
        status="approved",
        approved_at=NOW - datetime.timedelta(hours=1),
    )
    return Subscription.objects.bulk_create(
        Subscription(email=f"r{i}@example.org", status="active", frequency="daily")
        for i in range(count)
    )


def received():
    """How many digests each address received, from the test backend's outbox."""
    counts = {}
    for message in mail.outbox:
        for address in message.to:
            counts[address] = counts.get(address, 0) + 1
    return counts


def outbox_claims():
    return {m.anymail_test_params.get("metadata", {}).get("outbox_claim") for m in mail.outbox}


def accepted_from_outbox(tokens):
    """The provider lookup, answered by the test backend's outbox (as Mailgun's events API)."""
    return set(tokens) & outbox_claims()


@pytest.mark.django_db
def test_dispatch_twice_sends_once(clock, run):
    subs = setup_round()

    run()
    second = run()

    assert second["due"] == 0
    assert received() == {s.email: 1 for s in subs}
    assert DigestDelivery.objects.count() == 3


@pytest.mark.django_db
def test_same_batch_task_twice_sends_once(clock, run):
    subs = setup_round()
    run()
    rows = DigestDelivery.objects.order_by("id")

    assert sending.send_batch(rows[0].issue_id, rows[0].id, rows[2].id) == 0

    assert received() == {s.email: 1 for s in subs}


@pytest.mark.django_db
def test_dispatch_again_at_the_same_moment_creates_no_second_issue(clock, run):
    setup_round()
    run()
    dispatching.dispatch()
    assert DigestIssue.objects.count() == 1


@pytest.mark.django_db
def test_killed_after_provider_call_is_not_resent_when_provider_confirms(clock, run, monkeypatch):
    subs = setup_round()
    real_send = AnymailTestBackend.send_messages

    def send_then_die(self, messages):
        real_send(self, messages)
        raise WorkerKilled

    monkeypatch.setattr(AnymailTestBackend, "send_messages", send_then_die)
    with pytest.raises(WorkerKilled):
        run()
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {"claimed"}
    assert received() == {s.email: 1 for s in subs}

    monkeypatch.setattr(AnymailTestBackend, "send_messages", real_send)
    monkeypatch.setattr(outbox, "provider_accepted_claims", accepted_from_outbox)
    # Before the stale timeout nobody touches the claimed rows.
    clock.shift(datetime.timedelta(seconds=outbox.claim_timeout() - 5))
    run()
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {"claimed"}
    # After it, they are reconciled with the provider instead of sent again.
    clock.shift(datetime.timedelta(seconds=10))
    run()

    assert received() == {s.email: 1 for s in subs}
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {"sent"}
    assert DigestIssue.objects.get().status == "done"


@pytest.mark.django_db
def test_killed_before_provider_call_is_sent_after_stale_timeout(clock, run, monkeypatch):
    subs = setup_round()

    def die(self, messages):
        raise WorkerKilled

    real_send = AnymailTestBackend.send_messages
    monkeypatch.setattr(AnymailTestBackend, "send_messages", die)
    with pytest.raises(WorkerKilled):
        run()
    assert mail.outbox == []

    monkeypatch.setattr(AnymailTestBackend, "send_messages", real_send)
    monkeypatch.setattr(outbox, "provider_accepted_claims", accepted_from_outbox)
    clock.shift(datetime.timedelta(seconds=outbox.claim_timeout() + 1))
    run()

    assert received() == {s.email: 1 for s in subs}
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_mailgun_events_lookup_answers_which_claims_were_accepted(settings, monkeypatch):
    settings.EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
    settings.ANYMAIL = {
        "MAILGUN_API_KEY": "key",
        "MAILGUN_SENDER_DOMAIN": "mg.example.org",
        "MAILGUN_API_URL": "https://api.example.test/v3",
    }
    seen = []

    class Response:
        def __init__(self, items):
            self.items = items

        def raise_for_status(self):
            pass

        def json(self):
            return {"items": self.items}

    def fake_get(url, params, auth, timeout):
        seen.append((url, params))
        return Response([{"event": "accepted"}] if "yes" in params["user-variables"] else [])

    monkeypatch.setattr("requests.get", fake_get)

    assert outbox.provider_accepted_claims(["yes-token", "no-token"]) == {"yes-token"}
    assert seen[0][0] == "https://api.example.test/v3/mg.example.org/events"
    assert seen[0][1]["event"] == "accepted"


@pytest.mark.django_db
def test_in_doubt_rows_wait_when_the_provider_lookup_fails(clock, run, monkeypatch):
    subs = setup_round()
    real_send = AnymailTestBackend.send_messages

    def send_then_die(self, messages):
        real_send(self, messages)
        raise WorkerKilled

    monkeypatch.setattr(AnymailTestBackend, "send_messages", send_then_die)
    with pytest.raises(WorkerKilled):
        run()
    monkeypatch.setattr(AnymailTestBackend, "send_messages", real_send)

    def lookup_down(tokens):
        raise outbox.ProviderLookupFailed("ConnectionError")

    monkeypatch.setattr(outbox, "provider_accepted_claims", lookup_down)
    clock.shift(datetime.timedelta(seconds=outbox.claim_timeout() + 1))
    run()
    assert received() == {s.email: 1 for s in subs}
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {"claimed"}

    monkeypatch.setattr(outbox, "provider_accepted_claims", accepted_from_outbox)
    clock.shift(datetime.timedelta(seconds=outbox.claim_timeout() + 1))
    run()
    assert received() == {s.email: 1 for s in subs}
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_other_providers_cannot_be_asked():
    assert outbox.provider_accepted_claims(["token"]) is None


@pytest.mark.django_db
def test_provider_5xx_is_retried_with_backoff_then_sent(clock, run, monkeypatch):
    subs = setup_round()
    real_send = AnymailTestBackend.send_messages

    def unavailable(self, messages):
        raise AnymailRequestsAPIError("Service unavailable", status_code=503)

    monkeypatch.setattr(AnymailTestBackend, "send_messages", unavailable)
    run()
    delivery = DigestDelivery.objects.first()
    assert delivery.status == "pending"
    assert delivery.attempts == 1
    assert delivery.last_error == "AnymailRequestsAPIError: HTTP 503"
    assert delivery.next_attempt_at == NOW + outbox.RETRY_BACKOFF
    assert "@" not in delivery.last_error

    monkeypatch.setattr(AnymailTestBackend, "send_messages", real_send)
    run()  # too early: the backoff has not passed
    assert mail.outbox == []

    clock.shift(outbox.RETRY_BACKOFF)
    run()

    assert received() == {s.email: 1 for s in subs}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)


@pytest.mark.django_db
def test_rate_limited_429_is_retried(clock, run, monkeypatch):
    setup_round(1)
    monkeypatch.setattr(
        AnymailTestBackend,
        "send_messages",
        lambda self, messages: (_ for _ in ()).throw(
            AnymailRequestsAPIError("Too many", status_code=429)
        ),
    )
    run()
    assert DigestDelivery.objects.get().status == "pending"


@pytest.mark.django_db
def test_repeated_failure_marks_rows_failed(clock, run, monkeypatch):
    setup_round(2)

    def unavailable(self, messages):
        raise AnymailRequestsAPIError("Bad gateway", status_code=502)

    monkeypatch.setattr(AnymailTestBackend, "send_messages", unavailable)
    run()
    for attempt in range(1, outbox.MAX_ATTEMPTS):
        clock.shift(outbox.RETRY_BACKOFF * 2 ** (attempt - 1))
        run()

    rows = DigestDelivery.objects.all()
    assert {row.status for row in rows} == {"failed"}
    assert {row.attempts for row in rows} == {outbox.MAX_ATTEMPTS}
    assert DigestIssue.objects.get().status == "done"
    # Nothing more happens on later ticks.
    clock.shift(datetime.timedelta(days=1))
    monkeypatch.undo()
    run()
    assert mail.outbox == []


@pytest.mark.django_db
def test_client_error_fails_at_once(clock, run, monkeypatch):
    setup_round(1)
    monkeypatch.setattr(
        AnymailTestBackend,
        "send_messages",
        lambda self, messages: (_ for _ in ()).throw(
            AnymailRequestsAPIError("Bad request", status_code=400)
        ),
    )
    run()
    assert DigestDelivery.objects.get().status == "failed"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Row locks in the claim UPDATE only race meaningfully on PostgreSQL; SQLite "
    "serialises writers.",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_batch_never_send_a_row_twice(monkeypatch, settings):
    setup_round(40)
    with_batches = []
    monkeypatch.setattr(dispatching, "queue_batches", lambda *a, **k: with_batches.append(a))
    dispatching.dispatch(now=NOW)
    first, last = (
        DigestDelivery.objects.order_by("id").first().id,
        DigestDelivery.objects.order_by("id").last().id,
    )
    issue_id = DigestIssue.objects.get().id
    start = threading.Barrier(2)
    errors = []

    def worker():
        try:
            start.wait()
            sending.send_batch(issue_id, first, last, now=NOW)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    counts = received()
    assert len(counts) == 40
    assert set(counts.values()) == {1}
    assert DigestDelivery.objects.filter(status="sent").count() == 40


def two_kinds_of_subscriber():
    """Two topics, so the round makes two issues: one per distinct content."""
    from prayer.models import Topic

    children, staff = (
        Topic.objects.create(name="Children", slug="children"),
        Topic.objects.create(name="Staff", slug="staff"),
    )
    for topic in (children, staff):
        request = PrayerRequest.objects.create(
            title=f"Pray for the {topic.name.lower()}",
            public_text="Please pray.",
            status="approved",
            approved_at=NOW - datetime.timedelta(hours=1),
        )
        request.topics.add(topic)
    subs = Subscription.objects.bulk_create(
        Subscription(email=f"k{i}@example.org", status="active", frequency="daily")
        for i in range(6)
    )
    for sub in subs[:3]:
        sub.topics.add(children)
    for sub in subs[3:]:
        sub.topics.add(staff)
    return subs


@pytest.mark.django_db(transaction=True)
def test_a_dispatch_dying_between_issues_leaves_the_rest_due_and_the_next_tick_sends_them(
    monkeypatch,
):
    two_kinds_of_subscriber()
    real_create = dispatching._create_issue
    made = []

    def dies_on_the_second_issue(*args, **kwargs):
        if made:
            raise WorkerKilled
        made.append(real_create(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(dispatching, "_create_issue", dies_on_the_second_issue)
    with pytest.raises(WorkerKilled):
        dispatching.dispatch(now=NOW, send_now=True)

    # The first issue was committed whole and sent; its subscribers moved on.
    assert DigestIssue.objects.count() == 1
    assert len(received()) == 3
    assert Subscription.objects.filter(next_digest_at__lte=NOW).count() == 0
    assert Subscription.objects.filter(next_digest_at__isnull=True).count() == 3

    monkeypatch.setattr(dispatching, "_create_issue", real_create)
    result = dispatching.dispatch(now=NOW, send_now=True)

    assert result.due == 3
    assert DigestIssue.objects.count() == 2
    counts = received()
    assert len(counts) == 6
    assert set(counts.values()) == {1}


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="The dispatch lock is a PostgreSQL advisory lock."
)
@pytest.mark.django_db(transaction=True)
def test_a_second_dispatch_while_one_runs_reports_busy_and_sends_nothing(monkeypatch):
    setup_round(3)
    inside = threading.Event()
    release = threading.Event()
    real_plan = dispatching.plan
    results = []

    def slow_plan(now):
        inside.set()
        release.wait(10)
        return real_plan(now)

    def first():
        try:
            results.append(dispatching.dispatch(now=NOW, send_now=True))
        finally:
            connection.close()

    monkeypatch.setattr(dispatching, "plan", slow_plan)
    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(10)
    try:
        second = dispatching.dispatch(now=NOW, send_now=True)
    finally:
        release.set()
        thread.join()

    assert second.busy
    assert second.issues == 0
    assert results[0].issues == 1
    assert set(received().values()) == {1}
    # The lock went with the first dispatch: the next one may run.
    assert not dispatching.dispatch(now=NOW + datetime.timedelta(days=1)).busy
