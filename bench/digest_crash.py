"""Crash benchmark: SIGKILL a real qcluster in the middle of a digest dispatch, restart it.

20,000 due subscribers on PostgreSQL, a Redis broker (REDIS_URL, default db 5 on
127.0.0.1), the fake Mailgun of bench/digest.py answering slowly (it accepts a batch,
then waits before answering, so a kill often lands after the provider accepted a batch
and before the worker marked it sent). Once some but not all recipients have their
digest, the cluster's whole process group is killed; a new cluster starts, and
the outbox's resume runs as its schedule would until every row is done
(claims of the dead workers go stale after OUTBOX_CLAIM_TIMEOUT seconds, then are
reconciled with the provider's events before anything is sent again). Finally the fake
server's log says how often each address received the issue. Prints one JSON line last.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse

import digest
from demo_server import flush_redis

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/vigil_bench_crash"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"
CLAIM_TIMEOUT = 8


def start_cluster(env, log):
    return subprocess.Popen(
        [digest.PYTHON, "manage.py", "qcluster"],
        cwd=digest.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, killed as a whole
    )


def kill_cluster(process):
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def send_digests(env):
    subprocess.run(
        [digest.PYTHON, "manage.py", "send_digests", "--queue"],
        cwd=digest.ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def open_rows():
    from digests.models import DigestDelivery

    return DigestDelivery.objects.filter(status__in=["pending", "claimed"]).count()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--delay", type=float, default=0.4, help="provider answer delay (s)")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    if not database_url.startswith("postgres"):
        sys.exit("bench-digest-crash expects PostgreSQL in DATABASE_URL.")
    if urllib.parse.urlsplit(database_url).path.lstrip("/") in ("vigil", ""):
        sys.exit("Use a database of its own for this benchmark: it empties the prayer tables.")
    redis_url = os.environ.get("DIGEST_CRASH_REDIS_URL") or DEFAULT_REDIS_URL
    digest.ensure_database(database_url)
    flush_redis(redis_url)
    server, port = digest.start_fake_mailgun(delay=args.delay)
    log_path = digest.ROOT / "var" / "bench" / "digest_crash_cluster.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cluster = None
    try:
        env = digest.bench_environment(
            port,
            database_url,
            {"REDIS_URL": redis_url, "OUTBOX_CLAIM_TIMEOUT": str(CLAIM_TIMEOUT)},
        )
        digest.manage(env, "migrate", "--noinput", "-v", "0")
        digest.setup_django(env)
        digest.seed(args.subscribers, 200)
        from digests.models import Subscription

        due = Subscription.objects.filter(status="active").count()
        expected = set(Subscription.objects.values_list("email", flat=True))

        with open(log_path, "w") as log:
            cluster = start_cluster(env, log)
            send_digests(env)  # the dispatch; its batches go to the cluster
            deadline = time.monotonic() + args.timeout
            while True:
                received = digest.fake_stats(port)["recipients"]
                if due * 0.25 <= received < due * 0.75:
                    break
                if received >= due * 0.75 or time.monotonic() > deadline:
                    sys.exit(f"missed the moment to kill: {received} of {due} received")
                time.sleep(0.05)
            kill_cluster(cluster)
            killed_at = digest.fake_stats(port)["recipients"]
            print(f"killed the cluster with {killed_at} of {due} received", file=sys.stderr)

            cluster = start_cluster(env, log)
            from core import outbox

            while open_rows() and time.monotonic() < deadline:
                time.sleep(CLAIM_TIMEOUT / 2)
                outbox.resume_open_sends()  # what the resume-outbox-sends schedule does
            kill_cluster(cluster)
            cluster = None
        stats = digest.fake_stats(port, full=True)
    finally:
        if cluster is not None:
            kill_cluster(cluster)
        server.terminate()
        server.join(5)

    counts = stats["received"]
    from digests.models import DigestDelivery

    statuses = dict(
        (status, DigestDelivery.objects.filter(status=status).count())
        for status in ("pending", "claimed", "sent", "failed", "suppressed")
    )
    print(f"rows by status: {statuses}; provider calls: {stats['messages']}", file=sys.stderr)
    print(
        json.dumps(
            {
                "bench": "digest_crash",
                "due": due,
                "sent_once": sum(1 for address in expected if counts.get(address) == 1),
                "duplicates": sum(1 for n in counts.values() if n > 1),
                "missing": sum(1 for address in expected if address not in counts),
            }
        )
    )


if __name__ == "__main__":
    main()
