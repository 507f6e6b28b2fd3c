"""Digest benchmark: one full dispatch to 100,000 subscribers through anymail's Mailgun backend.

A small HTTP server on 127.0.0.1 (its own process, so it does not share our GIL) imitates
Mailgun's batch API: POST /v3/<domain>/messages answers 200 with a message id and counts
the recipients in the "to" fields; GET /v3/<domain>/events answers which batches (by their
``v:outbox_claim`` variable) it accepted. The dispatch runs in a fresh child process, so
its peak RSS and query count are its own; its batch tasks run in --workers forked
processes (default 2, as the cluster's two workers would; 0 runs every task synchronously
in the dispatching process). "peak_rss_mb" is the largest of those processes, "queries"
the sum over all of them. A per-recipient render-and-send baseline runs on a
2,000-recipient sample for comparison.

Uses DATABASE_URL (PostgreSQL; default postgres://postgres@127.0.0.1:5432/vigil_bench,
created if missing). Prints one JSON line last.
"""

import argparse
import datetime
import json
import multiprocessing
import os
import random
import resource
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from demo_server import ensure_postgres_database

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/vigil_bench"
TIME_ZONES = [
    "UTC",
    "Europe/London",
    "Asia/Kolkata",
    "America/New_York",
    "Pacific/Auckland",
    "Africa/Nairobi",
]


# ---------------------------------------------------------------------------
# The fake Mailgun


# website/outbox.py's claim variable, as Mailgun's form encoding carries it.
CLAIM_FIELD = b"v%3Aoutbox_claim="


class FakeMailgunHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _reply(self, payload, status=200):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length)
        if self.path == "/reset":
            self.server.state.update(received=Counter(), messages=0, claims=set(), log=[])
            return self._reply({})
        if not self.path.endswith("/messages"):
            return self._reply({"message": "not found"}, 404)
        # Only the fields we count are decoded: this server shares the machine's two
        # cores with the dispatch it measures.
        recipients = []
        claim = ""
        for field in raw.split(b"&"):
            if field.startswith(b"to="):
                recipients.append(urllib.parse.unquote_plus(field[3:].decode()))
            elif field.startswith(CLAIM_FIELD):
                claim = urllib.parse.unquote_plus(field[len(CLAIM_FIELD) :].decode())
        state = self.server.state
        with self.server.lock:
            state["messages"] += 1
            message_id = f"<bench.{state['messages']}@fake.mailgun>"
            state["received"].update(address.lower() for address in recipients)
            if claim:
                state["claims"].add(claim)
            state["log"].append((message_id, claim, len(recipients)))
        if self.server.delay:
            # Accepted, but the answer takes a while: a worker killed now has had its
            # batch accepted without hearing so.
            time.sleep(self.server.delay)
        self._reply({"id": message_id, "message": "Queued. Thank you."})

    def do_GET(self):
        parts = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parts.query)
        state = self.server.state
        if parts.path == "/stats":
            with self.server.lock:
                received = state["received"]
                return self._reply(
                    {
                        "messages": state["messages"],
                        "recipients": sum(received.values()),
                        "addresses": len(received),
                        "duplicates": sum(1 for n in received.values() if n > 1),
                        "received": dict(received) if "full" in query else {},
                    }
                )
        if parts.path.endswith("/events"):
            wanted = json.loads(query.get("user-variables", ["{}"])[0]).get("outbox_claim")
            with self.server.lock:
                accepted = wanted in state["claims"]
            items = [{"event": "accepted", "user-variables": {"outbox_claim": wanted}}]
            return self._reply({"items": items if accepted else [], "paging": {}})
        return self._reply({"message": "not found"}, 404)


def fake_mailgun_server(port, delay=0.0):
    """The fake Mailgun; its ``state`` and ``lock`` may be shared with another fake front
    (bench/outbox_crash.py's SMTP server), whose messages /stats then counts too."""
    server = ThreadingHTTPServer(("127.0.0.1", port), FakeMailgunHandler)
    server.delay = delay
    server.daemon_threads = True
    server.request_queue_size = 64
    server.lock = __import__("threading").Lock()
    server.state = {"received": Counter(), "messages": 0, "claims": set(), "log": []}
    return server


def serve_fake_mailgun(port, ready, delay=0.0):
    server = fake_mailgun_server(port, delay)
    ready.set()
    server.serve_forever()


def start_fake_mailgun(delay=0.0):
    port = free_port()
    ready = multiprocessing.Event()
    process = multiprocessing.Process(
        target=serve_fake_mailgun, args=(port, ready, delay), daemon=True
    )
    process.start()
    ready.wait(10)
    return process, port


def fake_stats(port, full=False):
    url = f"http://127.0.0.1:{port}/stats" + ("?full=1" if full else "")
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own server
        return json.load(response)


def fake_reset(port):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/reset", data=b"", method="POST")
    urllib.request.urlopen(request, timeout=10).close()  # noqa: S310 - our own server


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------------------
# Environment and data


def bench_environment(port, database_url, extra=None):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "website.settings.production",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": "https://vigil.example.org",
        "DATABASE_URL": database_url,
        "EMAIL_PROVIDER": "mailgun",
        "MAILGUN_API_KEY": "bench",
        "MAILGUN_API_URL": f"http://127.0.0.1:{port}/v3",
        # Production refuses an anymail provider whose webhook could be forged.
        "WEBHOOK_SECRET": "bench:bench",
        "MAILGUN_WEBHOOK_SIGNING_KEY": "bench",
        "LOG_LEVEL": "WARNING",
        **(extra or {}),
    }
    env.pop("REDIS_URL", None)
    return env


ensure_database = ensure_postgres_database


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def setup_django(env):
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(subscribers, requests, seed_value=7):
    """Subscribers over 10 topics with mixed frequencies, all due; new approved requests."""
    from django.db import connection
    from django.utils import timezone

    from digests.models import DigestIssue, Subscription
    from prayer.models import PrayerRequest, Topic

    rng = random.Random(seed_value)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE prayer_digestdelivery, prayer_digestissue, prayer_subscription_topics, "
            "prayer_subscription, prayer_prayerrequest_topics, prayer_prayerrequest, "
            "prayer_prayerrequest_regions RESTART IDENTITY CASCADE"
        )
    Topic.objects.all().delete()
    topics = Topic.objects.bulk_create(
        Topic(name=f"Bench topic {i}", slug=f"bench-topic-{i}") for i in range(10)
    )
    topic_ids = [t.pk for t in topics]
    new_requests = PrayerRequest.objects.bulk_create(
        PrayerRequest(
            title=f"Bench request {i}",
            public_text=f"Please pray for the people of bench request {i}. " * 3,
            restricted_text="Details for vetted supporters only." if i % 10 == 0 else "",
            status="approved",
            urgent=i % 25 == 0,
            approved_at=now - datetime.timedelta(minutes=5 + i),
        )
        for i in range(requests)
    )
    through = PrayerRequest.topics.through
    through.objects.bulk_create(
        through(prayerrequest_id=r.pk, topic_id=topic_ids[i % 10])
        for i, r in enumerate(new_requests)
    )
    columns = (
        "email, name, frequency, weekday, time_zone, wants_restricted, restricted_verified, "
        "status, link_version, consent_source, created_at, confirmed_at"
    )
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY prayer_subscription ({columns}) FROM STDIN") as copy:
            for i in range(subscribers):
                roll = rng.random()
                frequency = "daily" if roll < 0.5 else "weekly" if roll < 0.85 else "monthly"
                vetted = i % 20 == 0
                copy.write_row(
                    (
                        f"supporter{i}@bench.example.org",
                        "",
                        frequency,
                        rng.randrange(7),
                        TIME_ZONES[i % len(TIME_ZONES)],
                        vetted,
                        vetted,
                        "active",
                        0,
                        "bench",
                        now,
                        now,
                    )
                )
        cursor.execute("SELECT min(id) FROM prayer_subscription")
        first_id = cursor.fetchone()[0]
        with raw.copy(
            "COPY prayer_subscription_topics (subscription_id, topic_id) FROM STDIN"
        ) as copy:
            for i in range(subscribers):
                # About a third follow everything; the rest follow one or two topics.
                roll = rng.random()
                if roll < 0.33:
                    continue
                chosen = {rng.choice(topic_ids)}
                if roll > 0.8:
                    chosen.add(rng.choice(topic_ids))
                for topic_id in chosen:
                    copy.write_row((first_id + i, topic_id))
        # As a live database would be: statistics current, hint bits and the visibility
        # map set, and the seeding's dirty pages written out before the clock starts.
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")
    assert Subscription.objects.count() == subscribers
    assert DigestIssue.objects.count() == 0


# ---------------------------------------------------------------------------
# Measured runs (each in its own process)


def _count_queries():
    from django.db import connection

    counter = {"queries": 0}

    def count(execute, sql, params, many, context):
        counter["queries"] += 1
        return execute(sql, params, many, context)

    return counter, lambda: connection.execute_wrapper(count)


def _send_batch_in_worker(batch):
    """A task worker: runs one batch task, returns the queries it made."""
    from digests.sending import send_batch

    counter, wrapper = _count_queries()
    with wrapper():
        send_batch(*batch)
    return counter["queries"]


def measure_dispatch(workers):
    """One dispatch; its batch tasks run in-process (workers=0) or in worker processes.

    With workers > 0 each batch goes to that many forked processes the moment the
    dispatch queues it, as a django-q2 cluster with that many workers would run it (the
    broker is left out), so sending overlaps the rest of the dispatch as it does there.
    """
    from django.db import connections
    from django_q.conf import Conf

    from core import outbox
    from digests import dispatching

    Conf.SYNC = True
    pool = None
    pending = []
    if workers:
        connections.close_all()
        pool = multiprocessing.get_context("fork").Pool(workers)

        def queue_to_pool(issue_ids, now=None):
            batches = dispatching.batch_ranges(issue_ids, now)
            pending.extend(pool.apply_async(_send_batch_in_worker, (b,)) for b in batches)
            return len(batches)

        dispatching.queue_batches = queue_to_pool
    counter, wrapper = _count_queries()
    started = time.perf_counter()
    with wrapper():
        result = dispatching.dispatch()
    dispatch_seconds = time.perf_counter() - started
    queries = counter["queries"]
    if pool:
        queries += sum(task.get() for task in pending)
        pool.close()
        pool.join()
    queries_before_resume = counter["queries"]
    with wrapper():
        resumed = outbox.resume_open_sends()
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    from digests.models import DigestDelivery

    statuses = dict(Counter(DigestDelivery.objects.values_list("status", flat=True)))
    return {
        "due": result.due,
        "issues": result.issues,
        "batches": result.batches,
        "resumed": resumed,
        "seconds": seconds,
        "peak_rss_mb": max(own, children),
        "dispatch_seconds": dispatch_seconds,
        "dispatcher_rss_mb": own,
        "worker_rss_mb": children,
        "queries": queries + counter["queries"] - queries_before_resume,
        "statuses": statuses,
    }


def measure_baseline(sample):
    """The naive way: for each recipient, query their content, render and send one message."""
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives, get_connection
    from django.utils import timezone

    from core.mailing import unsubscribe_headers
    from digests import content as digest_content
    from digests import links
    from digests.models import Subscription

    now = timezone.now()
    subscriptions = list(Subscription.objects.order_by("id")[:sample])
    started = time.perf_counter()
    with get_connection() as connection:
        for subscription in subscriptions:
            period = digest_content.FIRST_PERIOD[subscription.frequency]
            since = subscription.last_digest_at or now - period
            topic_ids = frozenset(subscription.topics.values_list("id", flat=True))
            candidates = digest_content.load_candidates(since, now)
            content = digest_content.content_for(
                candidates, since, topic_ids, subscription.receives_restricted
            )
            if content is None:
                continue
            subject, text, html, _ = digest_content.render_issue(content, now)
            values = {
                "unsubscribe_url": links.unsubscribe_url(
                    subscription.pk, subscription.link_version
                ),
                "preferences_url": links.preferences_url(
                    subscription.pk, subscription.link_version
                ),
            }
            for key, value in values.items():
                text = text.replace(digest_content.placeholder(key), value)
                html = html.replace(digest_content.placeholder(key), value)
            message = EmailMultiAlternatives(
                subject,
                text,
                settings.DEFAULT_FROM_EMAIL,
                [subscription.email],
                headers=unsubscribe_headers(values["unsubscribe_url"]),
            )
            message.attach_alternative(html, "text/html")
            connection.send_messages([message])
    seconds = time.perf_counter() - started
    return {"sample": len(subscriptions), "seconds": seconds}


def child(args):
    setup_django({})
    if args.measure == "dispatch":
        result = measure_dispatch(args.workers)
    else:
        result = measure_baseline(args.sample)
    print("RESULT " + json.dumps(result), flush=True)


def run_child(env, *args):
    completed = subprocess.run(
        [PYTHON, str(Path(__file__).resolve()), *args],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if completed.returncode:
        sys.stderr.write(completed.stderr)
        raise RuntimeError(f"the measured run {args} failed")
    for line in completed.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    sys.stderr.write(completed.stderr)
    raise RuntimeError("the measured run printed no result")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="processes running the batch tasks, as a django-q2 cluster's workers "
        "(0: every task synchronously in the dispatching process)",
    )
    parser.add_argument("--measure", choices=["dispatch", "baseline"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return child(args)

    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not database_url.startswith("postgres"):
        sys.exit("bench-digest expects PostgreSQL in DATABASE_URL.")
    ensure_database(database_url)
    server, port = start_fake_mailgun()
    try:
        env = bench_environment(port, database_url)
        manage(env, "migrate", "--noinput", "-v", "0")
        setup_django(env)
        load = os.getloadavg()[0]
        seed(args.subscribers, args.requests)

        dispatch = run_child(env, "--measure", "dispatch", "--workers", str(args.workers))
        stats = fake_stats(port)

        seed(args.subscribers, args.requests)
        fake_reset(port)
        baseline = run_child(env, "--measure", "baseline", "--sample", str(args.sample))
        baseline_stats = fake_stats(port)
    finally:
        server.terminate()
        server.join(5)

    sent = stats["recipients"]
    recipients_per_s = sent / dispatch["seconds"] if dispatch["seconds"] else 0
    baseline_per_s = (
        baseline_stats["recipients"] / baseline["seconds"] if baseline["seconds"] else 0
    )
    print(
        f"dispatch: {dispatch['due']} due, {dispatch['issues']} issues "
        f"(planned and rendered in {dispatch['dispatch_seconds']:.1f}s), "
        f"peak RSS dispatcher {dispatch['dispatcher_rss_mb']:.0f} MB, "
        f"workers {dispatch['worker_rss_mb']:.0f} MB, "
        f"{dispatch['batches']} batches, {stats['messages']} provider calls, "
        f"{stats['duplicates']} addresses received twice, rows {dispatch['statuses']}; "
        f"batch tasks run by {args.workers} worker processes (0: in the dispatching one); "
        f"baseline {baseline_stats['recipients']} in {baseline['seconds']:.1f}s; "
        f"load average at start {load:.2f}",
        file=sys.stderr,
    )
    print(
        json.dumps(
            {
                "bench": "digest",
                "subscribers": args.subscribers,
                "sent": sent,
                "seconds": round(dispatch["seconds"], 2),
                "recipients_per_s": round(recipients_per_s),
                "peak_rss_mb": round(dispatch["peak_rss_mb"], 1),
                "queries": dispatch["queries"],
                "baseline_recipients_per_s": round(baseline_per_s, 1),
                "speedup": round(recipients_per_s / baseline_per_s, 1) if baseline_per_s else None,
            }
        )
    )


if __name__ == "__main__":
    main()
