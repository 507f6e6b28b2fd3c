"""Sign-up benchmark: a burst of 200 sign-ups for 20 spots, its no-op floor, and a steady load.

One run, one server: gunicorn (4 sync workers) on 127.0.0.1 with PostgreSQL and Redis, and a
separate client process. It prepares signed-in volunteers with verified addresses (sessions
and CSRF cookies made beforehand, as a browser would hold them), warms every worker on the
sign-up POST itself, then measures, in this order:

1. floor: the 200 signed-in requests released together (one thread and one connection each,
   a barrier) at a page that does nothing (robots.txt): what the server stack and this client
   cost for such a burst on this machine;
2. burst: the same 200 sessions post the one-click sign-up for one shift of capacity 20, all
   released together; then it checks, in the database, that exactly the capacity is
   confirmed (rows and counter), the rest waitlisted in commit order (positions 1..n without
   gap or duplicate, waitlist time rising with the row id, every confirmed row before every
   waitlisted one) and that each sign-up's outbox email says what happened (the position
   told is the position held);
3. floor again, so a burst between two floors shows the noise of other work on the machine;
4. one at a time: 40 floor requests, then 40 sign-ups, each sent when the last answered (the
   service time of each alone, no queue);
5. steady: 8 client threads, each posting sign-ups back to back (a new connection each), 400
   in all: 20 other volunteers on shifts on different days with room for all, in a fixed
   shuffled order, so every request is a real confirmed sign-up with its calendar email, and
   the 8 in flight hit different shifts or the same one as chance has it.

Latency is per request from connect to response, queueing included. The burst's p95 is set
beside the floor's (the mean of the two floors' p95) as a ratio. For each phase it also reads
the CPU time spent per request in the gunicorn workers and in PostgreSQL's backends for the
bench database (Linux /proc) and in the client process: with 2 cores, 8 requests in flight
cannot average less than 8 x that CPU / 2, whatever the code does between its queries.
Prints one JSON line last with every figure, the targets and whether each is met. Exits 1 when
a correctness check fails (a missed latency target only says so in the JSON).

BENCH_DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/vigil_bench_signup (created
if missing; every sign-up, shift, volunteer and session in it is deleted, so its name must
contain "bench"); BENCH_REDIS_URL (default redis://127.0.0.1:6379/11) holds the cache, the
sessions and the task queue, and is flushed before and after.
"""

import argparse
import http.client
import itertools
import json
import multiprocessing
import os
import random
import secrets
import statistics
import string
import subprocess
import sys
import threading
import time
from pathlib import Path

from demo_server import ensure_postgres_database, flush_redis

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/vigil_bench_signup"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/11"
HOST = "127.0.0.1"
# Bench users sign in by prepared session, never by password.
UNUSABLE = "!"
TARGETS = {"burst_p95_over_floor_p95_max": 8.0, "steady_p95_ms_max": 100.0}
WARM_UP_SIGNUPS = 24


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
    name = database_url.rsplit("/", 1)[1]
    if "bench" not in name:
        raise SystemExit(f"refusing database {name!r}: the benchmark empties it (name it *bench*)")
    ensure_postgres_database(database_url)


def prepare(burst, capacity, steady_users, steady_shifts):
    """Fresh state: the burst's shift, the warm-up shift and the steady shifts (one a day, room
    for every steady volunteer), and signed-in users. Returns the ids and the cookies."""
    import django

    django.setup()
    import datetime

    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from core.models import OutboundEmail
    from tests.factories import add_opportunity, add_shift, build_site
    from volunteers.models import OpportunityPage, Shift, SignUp, Volunteer
    from website.models import HomePage

    User = get_user_model()
    OutboundEmail.objects.filter(kind__startswith="volunteers:").delete()
    SignUp.objects.all().delete()
    Shift.objects.all().delete()
    Volunteer.objects.all().delete()
    OpportunityPage.objects.all().delete()
    User.objects.filter(email__endswith="@bench.example").delete()
    Session.objects.all().delete()
    home = HomePage.objects.first() or build_site()[0]
    opportunity = add_opportunity(home, title="Benchmark opportunity", minimum_age=18)
    week = timezone.now() + datetime.timedelta(days=7)

    def shift(day, room):
        starts_at = week + datetime.timedelta(days=day)
        return add_shift(opportunity, starts_at=starts_at, capacity=room, time_zone="Asia/Kolkata")

    burst_shift = shift(0, capacity)
    warm_shift = shift(1, WARM_UP_SIGNUPS // 2)
    steady = [shift(2 + day, steady_users) for day in range(steady_shifts)]
    total = burst + WARM_UP_SIGNUPS + steady_users
    users = User.objects.bulk_create(
        User(email=f"bench{n}@bench.example", password=UNUSABLE) for n in range(total)
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
    return {
        "burst_shift": burst_shift.pk,
        "warm_shift": warm_shift.pk,
        "steady_shifts": [s.pk for s in steady],
        "burst_cookies": cookies[:burst],
        "warm_cookies": cookies[burst : burst + WARM_UP_SIGNUPS],
        "steady_cookies": cookies[burst + WARM_UP_SIGNUPS :],
    }


def check_burst(shift_id, requests, capacity):
    """What the database says about the burst: counts, the waitlist's order and the emails."""
    from core.models import OutboundEmail
    from volunteers.models import Shift, SignUp

    rows = list(SignUp.objects.filter(shift_id=shift_id).order_by("pk"))
    confirmed = [row for row in rows if row.status == SignUp.Status.CONFIRMED]
    waitlisted = [row for row in rows if row.status == SignUp.Status.WAITLISTED]
    counter = Shift.objects.get(pk=shift_id).confirmed_count
    positions = [row.waitlist_position() for row in waitlisted]
    emails = {}
    for about, kind, context in OutboundEmail.objects.filter(
        about__in=[str(row.pk) for row in rows], kind__startswith="volunteers:"
    ).values_list("about", "kind", "context"):
        emails.setdefault(int(about), []).append((kind, context.get("position")))
    told = [
        emails.get(row.pk) == [(f"volunteers:{row.status}", positions[index])]
        for index, row in enumerate(waitlisted)
    ]
    told += [emails.get(row.pk) == [("volunteers:confirmed", None)] for row in confirmed]
    in_order = (
        # Positions 1..n in id order: the id is taken under the shift's lock, so in commit order.
        positions == list(range(1, len(waitlisted) + 1))
        and all(a.waitlisted_at < b.waitlisted_at for a, b in itertools.pairwise(waitlisted))
        and (not confirmed or not waitlisted or max(r.pk for r in confirmed) < waitlisted[0].pk)
    )
    checks = {
        "confirmed_is_capacity": len(confirmed) == capacity == counter,
        "rest_waitlisted": len(waitlisted) == requests - capacity and len(rows) == requests,
        "waitlist_in_order": in_order,
        "emails_tell_the_outcome": all(told) and len(told) == len(rows),
    }
    return {"confirmed": len(confirmed), "waitlisted": len(waitlisted), "counter": counter}, checks


def check_steady(shift_ids, requests):
    from volunteers.models import Shift, SignUp

    confirmed = SignUp.objects.filter(shift_id__in=shift_ids, status="confirmed").count()
    counters = sum(Shift.objects.filter(pk__in=shift_ids).values_list("confirmed_count", flat=True))
    return confirmed, {"steady_all_confirmed": confirmed == requests == counters}


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


def send(port, method, path, cookie):
    """One request on a new connection (a sync worker serves one connection at a time, so
    none is opened before its request); (status, milliseconds from connect to response)."""
    session_key, csrf = cookie
    body = f"csrfmiddlewaretoken={csrf}&age_confirmed=on" if method == "POST" else None
    headers = {"Cookie": f"sessionid={session_key}; csrftoken={csrf}"}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        response.read()
        status = response.status
    except OSError as error:
        status = repr(error)
    finally:
        connection.close()
    return status, (time.perf_counter() - started) * 1000


def warm_up(port, ids):
    """Each worker's first requests import and compile what the sign-up needs, the POST too
    (its own shift and volunteers: half confirmed, half waitlisted)."""
    path = f"/volunteer/shifts/{ids['warm_shift']}/sign-up/"
    for cookie in ids["warm_cookies"]:
        send(port, "GET", path, cookie)
        send(port, "POST", path, cookie)
        send(port, "GET", "/robots.txt", cookie)


def burst(port, method, path, cookies, results):
    """The client process: one thread per request, all released together by a barrier."""
    barrier = threading.Barrier(len(cookies))
    outcomes = [None] * len(cookies)

    def one(index, cookie):
        barrier.wait()
        outcomes[index] = send(port, method, path, cookie)

    threads = [threading.Thread(target=one, args=pair) for pair in enumerate(cookies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.extend(outcomes)


def steady(port, work, threads, results):
    """The client process: `threads` threads, each taking the next (method, path, cookie) as
    soon as its last answer came, so `threads` requests are in flight until the work runs
    out."""
    queue = iter(work)
    lock = threading.Lock()
    outcomes = []
    started = time.perf_counter()

    def loop():
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                return
            outcome = send(port, *item)
            with lock:
                outcomes.append(outcome)

    pool = [threading.Thread(target=loop) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    results.extend(outcomes)
    results.append(("elapsed", (time.perf_counter() - started) * 1000))


def in_client(target, *args):
    """Run `target(*args, results)` in a separate process; its results, and the CPU seconds
    the client process used (`client_cpu`)."""
    with multiprocessing.Manager() as manager:
        results = manager.list()
        client = multiprocessing.Process(target=client_main, args=(target, *args, results))
        client.start()
        client.join()
        results = list(results)
    cpu = dict(o for o in results if o[0] == "client_cpu")
    return [o for o in results if o[0] != "client_cpu"], cpu.get("client_cpu", 0.0)


def client_main(target, *args):
    target(*args)
    times = os.times()
    args[-1].append(("client_cpu", times.user + times.system))


TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid):
    """User + system CPU seconds of a process (Linux /proc); None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


def server_pids(server_pid, database):
    """The gunicorn workers (children of the master) and PostgreSQL's backends serving the
    bench database: where a request's CPU goes, apart from the client and Redis."""
    workers = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == server_pid:
            workers.append(int(stat.parent.name))
    import psycopg

    with psycopg.connect(database.rsplit("/", 1)[0] + "/postgres", autocommit=True) as db:
        rows = db.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s",
            [database.rsplit("/", 1)[1]],
        ).fetchall()
    return workers, [pid for (pid,) in rows]


def measured(phase, server_pid, database):
    """Run `phase()` -> (outcomes, client CPU) and add the CPU milliseconds per request it
    cost in the web workers, in PostgreSQL and in the client (processes that ended during the
    phase are missed: gunicorn and the bench's connections keep theirs)."""
    before = [{pid: cpu_seconds(pid) for pid in pids} for pids in server_pids(server_pid, database)]
    outcomes, client = phase()
    spent = []
    for then, pids in zip(before, server_pids(server_pid, database), strict=True):
        now = {pid: cpu_seconds(pid) for pid in pids}
        spent.append(
            sum(cpu - (then.get(pid) or 0.0) for pid, cpu in now.items() if cpu is not None)
        )
    per_request = 1000 / max(1, len([o for o in outcomes if o[0] != "elapsed"]))
    return outcomes, {
        "web": round(spent[0] * per_request, 2),
        "postgres": round(spent[1] * per_request, 2),
        "client": round(client * per_request, 2),
    }


def percentile(values, fraction):
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def figures(outcomes, expected_status):
    latencies = [ms for _status, ms in outcomes]
    return {
        "requests": len(outcomes),
        "errors": sum(1 for status, _ms in outcomes if status != expected_status),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies), 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="the burst's size")
    parser.add_argument("--capacity", type=int, default=20, help="the burst shift's capacity")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--steady-threads", type=int, default=8, help="requests in flight")
    parser.add_argument("--steady-requests", type=int, default=400)
    parser.add_argument("--steady-users", type=int, default=20)
    parser.add_argument(
        "--alone", type=int, default=40, help="sign-ups and floor requests sent one at a time"
    )
    args = parser.parse_args()
    pairs = args.steady_requests + args.alone
    steady_shifts = -(-pairs // args.steady_users)

    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    configure(database_url, redis_url, args.port)
    ensure_database(database_url)
    flush_redis(redis_url)
    subprocess.run(
        [str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True
    )
    ids = prepare(args.requests, args.capacity, args.steady_users, steady_shifts)
    work = [
        ("POST", f"/volunteer/shifts/{shift_id}/sign-up/", cookie)
        for shift_id in ids["steady_shifts"]
        for cookie in ids["steady_cookies"]
    ]
    random.Random(16).shuffle(work)
    alone_work, work = work[: args.alone], work[args.alone : pairs]
    floor_work = [("GET", "/robots.txt", cookie) for _m, _p, cookie in alone_work]
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
    cookies = ids["burst_cookies"]
    signup_path = f"/volunteer/shifts/{ids['burst_shift']}/sign-up/"
    try:
        wait_until_up(args.port, server)
        warm_up(args.port, ids)

        def run(target, *arguments):
            return measured(lambda: in_client(target, *arguments), server.pid, database_url)

        floor_before, cpu_floor = run(burst, args.port, "GET", "/robots.txt", cookies)
        burst_outcomes, cpu_burst = run(burst, args.port, "POST", signup_path, cookies)
        floor_after, _cpu = run(burst, args.port, "GET", "/robots.txt", cookies)
        floor_alone, cpu_floor_alone = run(steady, args.port, floor_work, 1)
        signup_alone, cpu_signup_alone = run(steady, args.port, alone_work, 1)
        steady_outcomes, cpu_steady = run(steady, args.port, work, args.steady_threads)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    elapsed = dict(o for o in steady_outcomes if o[0] == "elapsed")["elapsed"]
    steady_outcomes, floor_alone, signup_alone = (
        [o for o in outcomes if o[0] != "elapsed"]
        for outcomes in (steady_outcomes, floor_alone, signup_alone)
    )
    counted, checks = check_burst(ids["burst_shift"], args.requests, args.capacity)
    steady_confirmed, steady_checks = check_steady(
        ids["steady_shifts"], len(work) + len(alone_work)
    )
    flush_redis(redis_url)

    burst_figures = figures(burst_outcomes, 302)
    floors = [figures(floor_before, 200), figures(floor_after, 200)]
    steady_figures = figures(steady_outcomes, 302)
    floor_p95 = statistics.mean(f["p95_ms"] for f in floors)
    ratio = round(burst_figures["p95_ms"] / floor_p95, 2)
    checks.update(steady_checks)
    checks["burst_0_errors"] = burst_figures["errors"] == 0
    checks["steady_0_errors"] = steady_figures["errors"] == 0
    alone = {"floor": figures(floor_alone, 200), "signup": figures(signup_alone, 302)}
    per_second = len(steady_outcomes) / elapsed * 1000
    steady_cpu = sum(cpu_steady.values())
    checks["floor_0_errors"] = all(f["errors"] == 0 for f in [*floors, alone["floor"]])
    checks["alone_0_errors"] = alone["signup"]["errors"] == 0
    correct = all(checks.values())
    met = {
        "burst_p95_over_floor_p95": ratio <= TARGETS["burst_p95_over_floor_p95_max"],
        "steady_p95": steady_figures["p95_ms"] <= TARGETS["steady_p95_ms_max"],
    }
    print(
        f"burst: {counted}; statuses {sorted({str(s) for s, _ in burst_outcomes})}; "
        f"failed checks: {[name for name, ok in checks.items() if not ok] or 'none'}",
        file=sys.stderr,
    )
    print(
        json.dumps(
            {
                "bench": "signup",
                "workers": args.workers,
                "capacity": args.capacity,
                "burst": {**burst_figures, **counted},
                "floor_before": floors[0],
                "floor_after": floors[1],
                "floor_p95_ms": round(floor_p95, 1),
                "burst_p95_over_floor_p95": ratio,
                "one_at_a_time": {
                    **alone,
                    "signup_p50_over_floor_p50": round(
                        alone["signup"]["p50_ms"] / alone["floor"]["p50_ms"], 2
                    ),
                },
                "cpu_ms_per_request": {
                    "floor_burst": cpu_floor,
                    "signup_burst": cpu_burst,
                    "floor_alone": cpu_floor_alone,
                    "signup_alone": cpu_signup_alone,
                    "steady": cpu_steady,
                },
                "steady": {
                    **steady_figures,
                    "in_flight": args.steady_threads,
                    "confirmed": steady_confirmed,
                    "per_second": round(per_second, 1),
                    # Little's law on this many cores, if the stack had them to itself.
                    "mean_ms_floor_from_cpu": round(
                        args.steady_threads * steady_cpu / (os.cpu_count() or 1), 1
                    ),
                    # The share of the machine's CPU the stack got: the rest ran other work.
                    "cpu_share": round(per_second * steady_cpu / 1000 / (os.cpu_count() or 1), 2),
                },
                "checks": checks,
                "correct": correct,
                "targets": TARGETS,
                "targets_met": met,
            }
        )
    )
    if not correct:
        sys.exit(1)


if __name__ == "__main__":
    main()
