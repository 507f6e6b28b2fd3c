"""Crash benchmark and gate for the outbox: SIGKILL the task cluster mid-send, restart, count.

One kind at a time -- a digest dispatch (digests/dispatching.py), a campaign update
(campaigns/updates.py), a vigil organisers' message (vigils/tasks.py), a prayer calendar's
day (vigils/calendars.py) and a shift message (volunteers/tasks.py), all sent by
core/outbox.py -- the benchmark builds the data
on PostgreSQL, starts a real `manage.py qcluster` in its own process group (Redis broker),
triggers the send as the back office (or the digest schedule) does, and kills the whole
process group with SIGKILL once some but not all recipients were accepted by the fake
provider. It then starts a new cluster and does nothing else: the cluster's own
"resume-outbox-sends" schedule (every minute here, every five in production) must finish the
send by itself -- claims of the dead workers go stale after OUTBOX_CLAIM_TIMEOUT seconds, a
batch whose provider call is in doubt is checked with the provider first.

Then it waits until no delivery row is open and the provider has accepted nothing new for a
few seconds, and counts, per address, what the fake provider accepted: due, sent_once,
duplicates (addresses that got the message more than once), missing.

Backends: `--backend batch` (anymail's Mailgun backend against bench/digest.py's fake Mailgun,
one provider call per batch, answering after --delay seconds) or `--backend one-by-one`
(Django's SMTP backend against a fake SMTP server that accepts each message, then waits
--smtp-delay seconds before saying so).

The gate (exit status 1): any kind with missing > 0, or an error; with the batch backend any
duplicate; with the one-by-one backend more duplicates than killed worker processes. An SMTP
server cannot be asked whether it accepted a message, so a worker killed between the server
accepting its message and the worker marking that row repeats that one message: at most one
repeat per worker process killed (Q_CLUSTER's workers, 2). They are reported separately as
"in_flight_repeats" (and counted in "duplicates").

The database (OUTBOX_CRASH_DATABASE_URL, default .../vigil_bench_outbox) is dropped and
migrated afresh; Redis is OUTBOX_CRASH_REDIS_URL (default db 9), emptied. Prints one JSON
line last.
"""

import argparse
import datetime
import json
import multiprocessing
import os
import socketserver
import sys
import threading
import time
import urllib.parse

import digest
import digest_crash

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/vigil_bench_outbox"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
CLAIM_TIMEOUT = 8
# Q_CLUSTER's worker processes (website/settings/env.py): each can have one message in flight.
WORKERS = 2
RESUME_SCHEDULE = "resume-outbox-sends"
KINDS = ("digest", "campaign_update", "vigil_message", "calendar_day", "shift_message")


# ---------------------------------------------------------------------------
# The fake SMTP server (--backend one-by-one), counting into the fake Mailgun's state


class FakeSMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line + b"\r\n")

    def handle(self):
        self.reply(b"220 fake.smtp ESMTP")
        recipients = []
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                self.wfile.write(b"250-fake.smtp\r\n250 8BITMIME\r\n")
            elif verb in (b"MAIL", b"RSET"):
                recipients = []
                self.reply(b"250 OK")
            elif verb == b"RCPT":
                address = line.split(b"<", 1)[-1].split(b">", 1)[0]
                recipients.append(address.decode().lower())
                self.reply(b"250 OK")
            elif verb == b"DATA":
                self.reply(b"354 End data with <CR><LF>.<CR><LF>")
                for data_line in iter(self.rfile.readline, b""):  # the message, read and dropped
                    if data_line == b".\r\n":
                        break
                self.server.accept(recipients)
                recipients = []
                if self.server.delay:
                    time.sleep(self.server.delay)  # accepted; a worker killed now never hears it
                self.reply(b"250 OK queued")
            elif verb == b"QUIT":
                self.reply(b"221 Bye")
                return
            else:
                self.reply(b"250 OK")


class FakeSMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port, mailgun, delay):
        super().__init__(("127.0.0.1", port), FakeSMTPHandler)
        self.mailgun = mailgun
        self.delay = delay

    def accept(self, recipients):
        state = self.mailgun.state
        with self.mailgun.lock:
            state["messages"] += 1
            state["received"].update(recipients)
            state["log"].append((state["messages"], "", len(recipients)))


def quiet_about_the_killed(server):
    """A worker killed mid-request leaves a broken connection: expected here, not news."""
    default = server.handle_error

    def handle_error(request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            default(request, client_address)

    server.handle_error = handle_error


def serve_fakes(http_port, smtp_port, ready, delay, smtp_delay):
    mailgun = digest.fake_mailgun_server(http_port, delay)
    smtp = FakeSMTPServer(smtp_port, mailgun, smtp_delay)
    quiet_about_the_killed(mailgun)
    quiet_about_the_killed(smtp)
    threading.Thread(target=smtp.serve_forever, daemon=True).start()
    ready.set()
    mailgun.serve_forever()


def start_fakes(delay, smtp_delay):
    """The fake Mailgun and the fake SMTP server, in one process of their own."""
    http_port, smtp_port = digest.free_port(), digest.free_port()
    ready = multiprocessing.Event()
    process = multiprocessing.Process(
        target=serve_fakes, args=(http_port, smtp_port, ready, delay, smtp_delay), daemon=True
    )
    process.start()
    ready.wait(10)
    return process, http_port, smtp_port


# ---------------------------------------------------------------------------
# The kinds: build the data, trigger the send, say whether work is open


def bench_site():
    from wagtail.models import Site

    from tests.factories import build_site

    site = Site.objects.filter(is_default_site=True, root_page__slug="home-vigil").first()
    return site.root_page.specific if site else build_site()[0]


class DigestKind:
    name = "digest"

    def __init__(self, env, size):
        self.env, self.size = env, size

    def seed(self):
        from digests.models import Subscription

        digest.seed(self.size, 200)
        return set(Subscription.objects.filter(status="active").values_list("email", flat=True))

    def trigger(self):
        digest_crash.send_digests(self.env)  # the dispatch; its batches go to the cluster

    def open_work(self):
        return digest_crash.open_rows()


class CampaignUpdateKind:
    name = "campaign_update"

    def __init__(self, env, size):
        self.env, self.size = env, size

    def seed(self):
        from django.utils import timezone

        from campaigns.models import CampaignUpdate, ChurchRegistration, RegistrationContact
        from tests.factories import open_campaign

        now = timezone.now()
        campaign = open_campaign(bench_site(), title="Bench campaign")
        churches = ChurchRegistration.objects.bulk_create(
            ChurchRegistration(
                campaign=campaign,
                church_name=f"Bench church {i}",
                city="Kolkata",
                match_key=f"bench-church-{i}",
                expected_attendance=100,
            )
            for i in range(max(1, self.size // 100))
        )
        contacts = RegistrationContact.objects.bulk_create(
            RegistrationContact(
                registration=churches[i % len(churches)],
                campaign=campaign,
                name=f"Contact {i}",
                email=f"contact{i}@campaign.bench.example.org",
                consents_to_updates=True,
                consent_at=now,
                address_confirmed_at=now,
            )
            for i in range(self.size)
        )
        self.update = CampaignUpdate.objects.create(
            campaign=campaign,
            subject="News from the bench campaign",
            body="<p>Thank you for praying. Here is what happened this week.</p>",
        )
        return {contact.email for contact in contacts}

    def trigger(self):
        from campaigns.updates import start_sending

        assert start_sending(self.update, None)  # the back office's "Send to everyone"

    def open_work(self):
        from campaigns.models import CampaignUpdate, UpdateDelivery

        if not CampaignUpdate.objects.filter(pk=self.update.pk, status="sending").exists():
            return 0
        rows = UpdateDelivery.objects.filter(update=self.update)
        if not rows.exists():
            return self.size  # the task that writes the rows has not run yet
        return rows.filter(status__in=["pending", "claimed"]).count()


class VigilMessageKind:
    name = "vigil_message"

    def __init__(self, env, size):
        self.env, self.size = env, size

    def seed(self):
        from django.utils import timezone

        from tests.factories import add_vigil
        from vigils.models import SlotBooking, VigilMessage, VigilSignup

        now = timezone.now()
        start = (now + datetime.timedelta(days=30)).date()
        vigil = add_vigil(
            bench_site(),
            title="Bench vigil",
            start_date=start,
            end_date=start + datetime.timedelta(days=1),
            capacity=None,
        )
        slots = list(vigil.slots.order_by("starts_at"))
        signups = VigilSignup.objects.bulk_create(
            VigilSignup(
                vigil=vigil,
                email=f"watcher{i}@vigil.bench.example.org",
                status=VigilSignup.Status.CONFIRMED,
                wants_organiser_email=True,
                confirmed_at=now,
            )
            for i in range(self.size)
        )
        SlotBooking.objects.bulk_create(
            SlotBooking(signup=signup, slot=slots[i % len(slots)], confirmation_sent_at=now)
            for i, signup in enumerate(signups)
        )
        self.message = VigilMessage.objects.create(
            vigil=vigil, subject="Tonight's vigil", body="The room opens at eight. Thank you."
        )
        return {signup.email for signup in signups}

    def trigger(self):
        from vigils.emails import send_message_to_everyone

        send_message_to_everyone(self.message)  # what the back office's create view calls

    def open_work(self):
        from vigils.models import VigilMessage

        message = VigilMessage.objects.get(pk=self.message.pk)
        return 0 if message.finished_at else self.size


class CalendarDayKind:
    name = "calendar_day"

    def __init__(self, env, size):
        self.env, self.size = env, size

    def seed(self):
        from django.utils import timezone

        from tests.factories import add_prayer_calendar
        from vigils.models import CalendarSubscription

        today = timezone.now().date()
        calendar = add_prayer_calendar(
            bench_site(), title="Bench calendar", days=3, start_date=today
        )
        subscriptions = CalendarSubscription.objects.bulk_create(
            CalendarSubscription(
                calendar=calendar,
                email=f"reader{i}@calendar.bench.example.org",
                hour=0,  # due from midnight UTC: due now, whenever the bench runs
                time_zone="UTC",
                status=CalendarSubscription.Status.ACTIVE,
            )
            for i in range(self.size)
        )
        return {subscription.email for subscription in subscriptions}

    def trigger(self):
        from vigils.calendars import send_due_entries

        send_due_entries()  # the 15-minute run: the rows, then the batches to the cluster

    def open_work(self):
        from vigils.models import CalendarDaySend, CalendarDelivery

        if not CalendarDaySend.objects.exists():
            return self.size
        return CalendarDelivery.objects.filter(status__in=["pending", "claimed"]).count()


class ShiftMessageKind:
    name = "shift_message"

    def __init__(self, env, size):
        self.env, self.size = env, size

    def seed(self):
        from django.utils import timezone

        from tests.factories import add_opportunity, add_shift
        from volunteers.models import SignUp, Volunteer

        now = timezone.now()
        opportunity = add_opportunity(bench_site(), title="Bench drop-in centre")
        self.shift = add_shift(
            opportunity, starts_at=now + datetime.timedelta(days=10), capacity=self.size
        )
        volunteers = Volunteer.objects.bulk_create(
            Volunteer(
                email=f"volunteer{i}@shift.bench.example.org",
                name=f"Volunteer {i}",
                confirmed_age=18,
                address_proven_at=now,
            )
            for i in range(self.size)
        )
        SignUp.objects.bulk_create(
            SignUp(
                shift=self.shift,
                volunteer=volunteer,
                status=SignUp.Status.CONFIRMED,
                email_confirmed_at=now,
                confirmed_at=now,
            )
            for volunteer in volunteers
        )
        return {volunteer.email for volunteer in volunteers}

    def trigger(self):
        from volunteers.coordination import message_shift

        self.message = message_shift(
            self.shift, "Tomorrow's shift", "Please bring your badge. Thank you.", None
        )

    def open_work(self):
        from volunteers.models import ShiftMessage

        message = ShiftMessage.objects.get(pk=self.message.pk)
        return 0 if message.finished_at else self.size


KIND_CLASSES = {
    kind.name: kind
    for kind in (
        DigestKind,
        CampaignUpdateKind,
        VigilMessageKind,
        CalendarDayKind,
        ShiftMessageKind,
    )
}
# The command-line option that sizes each kind.
SIZE_FLAGS = {
    "digest": "subscribers",
    "campaign_update": "contacts",
    "vigil_message": "watchers",
    "calendar_day": "readers",
    "shift_message": "volunteers",
}


# ---------------------------------------------------------------------------
# One crash per kind


def run_kind(kind, env, port, redis_url, args, log):
    digest_crash.flush_redis(redis_url)
    expected = kind.seed()
    due = len(expected)
    digest.fake_reset(port)
    started = time.monotonic()
    deadline = started + args.timeout
    cluster = digest_crash.start_cluster(env, log)
    try:
        kind.trigger()
        while True:
            received = digest.fake_stats(port)["recipients"]
            if due * args.kill_from <= received < due * args.kill_before:
                break
            if received >= due * args.kill_before or time.monotonic() > deadline:
                return {"due": due, "error": f"missed the moment to kill: {received} received"}
            time.sleep(0.02)
        digest_crash.kill_cluster(cluster)
        killed_at = digest.fake_stats(port)["recipients"]
        # From here on nothing but the cluster and its resume schedule finishes the send.
        cluster = digest_crash.start_cluster(env, log)
        last, last_change = -1, time.monotonic()
        while time.monotonic() < deadline:
            received = digest.fake_stats(port)["recipients"]
            if received != last:
                last, last_change = received, time.monotonic()
            if not kind.open_work() and time.monotonic() - last_change >= args.settle:
                break
            time.sleep(0.5)
        digest_crash.kill_cluster(cluster)
        cluster = None
    finally:
        if cluster is not None:
            digest_crash.kill_cluster(cluster)
    counts = digest.fake_stats(port, full=True)["received"]
    result = {
        "due": due,
        "sent_once": sum(1 for address in expected if counts.get(address) == 1),
        "duplicates": sum(1 for address in expected if counts.get(address, 0) > 1),
        "missing": sum(1 for address in expected if address not in counts),
        "killed_workers": WORKERS,
    }
    if kind.open_work():
        result["error"] = "the send did not finish before --timeout"
    if args.backend == "one-by-one":
        result["in_flight_repeats"] = result["duplicates"]
    print(
        f"{kind.name}: killed with {killed_at} of {due} accepted; {result}; "
        f"{time.monotonic() - started:.0f}s",
        file=sys.stderr,
    )
    return result


def fresh_database(database_url):
    import psycopg

    parts = urllib.parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["batch", "one-by-one"], default="batch")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated")
    parser.add_argument("--subscribers", type=int, default=5_000, help="digest")
    parser.add_argument("--contacts", type=int, default=2_000, help="campaign update")
    parser.add_argument("--watchers", type=int, default=2_000, help="vigil message")
    parser.add_argument("--readers", type=int, default=5_000, help="prayer calendar day")
    parser.add_argument("--volunteers", type=int, default=2_000, help="shift message")
    parser.add_argument("--delay", type=float, default=0.4, help="fake Mailgun answer delay (s)")
    parser.add_argument("--smtp-delay", type=float, default=0.01, help="per message (s)")
    parser.add_argument("--kill-from", type=float, default=0.25, help="share accepted")
    parser.add_argument("--kill-before", type=float, default=0.75, help="share accepted")
    parser.add_argument("--settle", type=float, default=5, help="quiet seconds before counting")
    parser.add_argument("--timeout", type=float, default=240, help="per kind (s)")
    args = parser.parse_args()
    kinds = [name.strip() for name in args.kinds.split(",") if name.strip()]
    if unknown := set(kinds) - set(KINDS):
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")

    database_url = os.environ.get("OUTBOX_CRASH_DATABASE_URL") or DEFAULT_DATABASE_URL
    name = urllib.parse.urlsplit(database_url).path.lstrip("/")
    if not database_url.startswith("postgres") or not name.startswith("vigil_bench"):
        sys.exit("bench-outbox-crash drops its database: give a PostgreSQL vigil_bench* one.")
    redis_url = os.environ.get("OUTBOX_CRASH_REDIS_URL") or DEFAULT_REDIS_URL
    fresh_database(database_url)
    server, port, smtp_port = start_fakes(args.delay, args.smtp_delay)
    log_path = digest.ROOT / "var" / "bench" / "outbox_crash_cluster.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    results = {}
    try:
        extra = {
            "DJANGO_SETTINGS_MODULE": "bench.outbox_crash_settings",
            "REDIS_URL": redis_url,
            "OUTBOX_CLAIM_TIMEOUT": str(CLAIM_TIMEOUT),
        }
        if args.backend == "one-by-one":
            extra.update(EMAIL_PROVIDER="smtp", BENCH_SMTP_PORT=str(smtp_port))
        env = digest.bench_environment(port, database_url, extra)
        digest.manage(env, "migrate", "--noinput", "-v", "0")
        digest.setup_django(env)
        from django.utils import timezone
        from django_q.models import Schedule

        from core.schedules import SCHEDULES

        # Only the outbox's resume runs, every minute (the shortest django-q2 schedule); the
        # benchmark triggers each send itself.
        Schedule.objects.exclude(name=RESUME_SCHEDULE).delete()
        Schedule.objects.filter(name=RESUME_SCHEDULE).update(
            func=SCHEDULES[RESUME_SCHEDULE][0], minutes=1, next_run=timezone.now()
        )
        with open(log_path, "w") as log:
            for name in kinds:
                kind = KIND_CLASSES[name](env, getattr(args, SIZE_FLAGS[name]))
                results[name] = run_kind(kind, env, port, redis_url, args, log)
    finally:
        server.terminate()
        server.join(5)
    failures = gate(results, args.backend)
    print(
        json.dumps(
            {
                "bench": "outbox_crash",
                "backend": args.backend,
                "kinds": results,
                "passed": not failures,
            }
        )
    )
    if failures:
        print("outbox crash gate failed: " + "; ".join(failures), file=sys.stderr)
        sys.exit(1)


def gate(results, backend):
    """What makes the benchmark fail: see the module docstring."""
    failures = []
    for name, result in results.items():
        if "error" in result:
            failures.append(f"{name}: {result['error']}")
        if result.get("missing"):
            failures.append(f"{name}: {result['missing']} missing")
        allowed = result.get("killed_workers", 0) if backend == "one-by-one" else 0
        if result.get("duplicates", 0) > allowed:
            failures.append(f"{name}: {result['duplicates']} duplicates (allowed {allowed})")
    return failures


if __name__ == "__main__":
    main()
