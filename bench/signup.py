"""Sign-up benchmark: 200 concurrent sign-ups (distinct people) for one shift of capacity 20.

Serves the site with gunicorn (4 sync workers) on 127.0.0.1 with PostgreSQL, prepares 200
signed-in volunteers with verified addresses (sessions and CSRF cookies made beforehand, as a
browser would hold them), warms the workers, then fires the 200 one-click sign-up POSTs at
once from a separate process (one thread and one connection each, released together by a
barrier). Latency is measured per request from connect to response, queueing included. Then it
counts the sign-ups in the database. Prints one JSON line last.

`--floor` fires the same 200 signed-in requests at a page that does nothing (robots.txt)
instead, to show what the server stack alone costs for such a burst on this machine.

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/vigil_bench_signup (created if
missing); REDIS_URL (default redis://127.0.0.1:6379/11) holds the cache, the sessions and the
task queue, and is flushed before and after.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import secrets
import statistics
import string
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/vigil_bench_signup"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/11"
HOST = "127.0.0.1"
# Bench users sign in by prepared session, never by password.
UNUSABLE = "!"


def configure(database_url, redis_url, port):
    os.environ.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DJANGO_SETTINGS_MODULE="bench.signup_settings",
        DEBUG="false",
        SITE_URL=f"http://{HOST}:{port}",
        ALLOWED_HOSTS=HOST,
        PYTHONPATH=str(ROOT),
        CONN_MAX_AGE="600",
    )
    sys.path.insert(0, str(ROOT))


def ensure_database(database_url):
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not found:
            connection.execute(f'CREATE DATABASE "{name}"')


def flush_redis(redis_url):
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def prepare(requests, capacity):
    """Fresh state: one shift, `requests` signed-in users. Returns (shift id, cookies)."""
    import django

    django.setup()
    import datetime

    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from tests.factories import add_opportunity, add_shift, build_site
    from volunteers.models import OpportunityPage, Shift, SignUp, Volunteer
    from website.models import HomePage

    User = get_user_model()
    SignUp.objects.all().delete()
    Shift.objects.all().delete()
    Volunteer.objects.all().delete()
    OpportunityPage.objects.all().delete()
    User.objects.filter(email__endswith="@bench.example").delete()
    Session.objects.all().delete()
    home = HomePage.objects.first() or build_site()[0]
    opportunity = add_opportunity(home, title="Benchmark opportunity", minimum_age=18)
    shift = add_shift(
        opportunity,
        starts_at=timezone.now() + datetime.timedelta(days=7),
        capacity=capacity,
        time_zone="Asia/Kolkata",
    )
    users = User.objects.bulk_create(
        User(email=f"bench{n}@bench.example", password=UNUSABLE) for n in range(requests)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
    )
    cookies = []
    alphabet = string.ascii_letters + string.digits
    for user in users:
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        csrf = "".join(secrets.choice(alphabet) for _ in range(32))
        cookies.append((session.session_key, csrf))
    return shift.pk, cookies


def count(shift_id):
    from volunteers.models import Shift, SignUp

    statuses = SignUp.objects.filter(shift_id=shift_id).values_list("status", flat=True)
    statuses = list(statuses)
    shift = Shift.objects.get(pk=shift_id)
    return {
        "confirmed": statuses.count("confirmed"),
        "waitlisted": statuses.count("waitlisted"),
        "counter": shift.confirmed_count,
        "positions": sorted(
            s.waitlist_position()
            for s in SignUp.objects.filter(shift_id=shift_id, status="waitlisted")
        ),
    }


def wait_until_up(port, server, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", "/volunteer/sign-up/check-your-email/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def warm_up(port, shift_id, rounds=40):
    """Each worker's first requests import and compile what the sign-up needs."""
    for _ in range(rounds):
        for path in (
            f"/volunteer/shifts/{shift_id}/sign-up/",
            "/volunteer/sign-up/check-your-email/",
        ):
            connection = http.client.HTTPConnection(HOST, port, timeout=10)
            connection.request("GET", path)
            connection.getresponse().read()
            connection.close()


def fire(port, request_line, cookies, results, concurrency):
    """The client process: one thread per sign-up, all released together (at most
    `concurrency` of them in flight; by default all of them)."""
    barrier = threading.Barrier(len(cookies))
    in_flight = threading.BoundedSemaphore(concurrency)
    outcomes = [None] * len(cookies)

    def one(index, session_key, csrf):
        body = f"csrfmiddlewaretoken={csrf}&age_confirmed=on"
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"sessionid={session_key}; csrftoken={csrf}",
        }
        barrier.wait()
        in_flight.acquire()
        started = time.perf_counter()
        # Connected inside the measured time: a sync worker that accepted an idle
        # connection would wait for it, so no connection is opened before its request.
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        try:
            connection.request(*request_line, body, headers)
            response = connection.getresponse()
            response.read()
            status = response.status
        except OSError as error:
            status = repr(error)
        outcomes[index] = (status, (time.perf_counter() - started) * 1000)
        in_flight.release()
        connection.close()

    threads = [
        threading.Thread(target=one, args=(index, key, csrf))
        for index, (key, csrf) in enumerate(cookies)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.extend(outcomes)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--capacity", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--concurrency", type=int, default=0, help="requests in flight at once (default: all)"
    )
    parser.add_argument(
        "--floor", action="store_true", help="the same burst at a page that does nothing"
    )
    args = parser.parse_args()

    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    configure(database_url, redis_url, args.port)
    ensure_database(database_url)
    flush_redis(redis_url)
    subprocess.run(
        [str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True
    )
    shift_id, cookies = prepare(args.requests, args.capacity)
    from django.db import connections

    connections.close_all()

    log = open(ROOT / "var" / "bench-signup-gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "website.wsgi:application",
            "--workers",
            str(args.workers),
            "--bind",
            f"{HOST}:{args.port}",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    try:
        wait_until_up(args.port, server)
        warm_up(args.port, shift_id)
        if args.floor:
            request_line = ("GET", "/robots.txt")
        else:
            request_line = ("POST", f"/volunteer/shifts/{shift_id}/sign-up/")
        with multiprocessing.Manager() as manager:
            results = manager.list()
            client = multiprocessing.Process(
                target=fire,
                args=(args.port, request_line, cookies, results, args.concurrency or args.requests),
            )
            client.start()
            client.join()
            outcomes = list(results)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    errors = sum(1 for status, _ms in outcomes if status != (200 if args.floor else 302))
    latencies = [ms for _status, ms in outcomes]
    counted = count(shift_id)
    flush_redis(redis_url)
    expected_positions = list(range(1, counted["waitlisted"] + 1))
    print(
        f"counter={counted['counter']} waitlist positions 1..{counted['waitlisted']} "
        f"{'in order' if counted['positions'] == expected_positions else 'WRONG'}; "
        f"statuses: {sorted({str(s) for s, _ in outcomes})}",
        file=sys.stderr,
    )
    print(
        json.dumps(
            {
                "bench": "signup_floor" if args.floor else "signup",
                "requests": len(outcomes),
                "capacity": args.capacity,
                "confirmed": counted["confirmed"],
                "waitlisted": counted["waitlisted"],
                "errors": errors,
                "p50_ms": round(statistics.median(latencies), 1),
                "p95_ms": round(percentile(latencies, 0.95), 1),
            }
        )
    )


if __name__ == "__main__":
    main()
