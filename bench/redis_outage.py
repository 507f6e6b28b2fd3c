"""Redis outage benchmark: 200 concurrent page requests while Redis is down, none may 500.

Serves the demo site with gunicorn (production settings, DEBUG off, 4 sync workers) with
REDIS_URL at a closed port, and fires 200 GETs at once (one thread and one connection each,
released together by a barrier) across the public pages: home, a story, the prayer wall, a
vigil, a volunteer opportunity and a campaign. Latency is measured per request from connect
to response, queueing included. Then `/healthz` must say "degraded" with a 200.

`--killed` also runs the other outage: a redis-server of its own (a free port, or
`--redis-port`) serves the cache while the workers warm up and during the same burst fired
once with Redis up (for comparison on this machine), is killed, and the burst is fired again.

Uses DATABASE_URL when set, else a fresh SQLite file under var/bench-redis-outage/. Prints
one JSON line last: the closed-port run's figures, and with `--killed` the "redis_up" and
"killed" runs' figures.
"""

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from demo_server import (
    HOST,
    PYTHON,
    ROOT,
    free_port,
    get,
    prepare_demo_site,
    production_environment,
    start_gunicorn,
)

BENCH_DIR = ROOT / "var" / "bench-redis-outage"
PAGES_SCRIPT = r"""
import json, django
django.setup()
from campaigns.models import CampaignPage
from prayer.models import PrayerWallPage
from vigils.models import VigilPage
from volunteers.models import OpportunityPage
from website.models import HomePage, StoryPage
from core.tasks import record_heartbeat
record_heartbeat()  # as the task cluster would: /healthz then judges Redis alone
pages = [HomePage, StoryPage, PrayerWallPage, VigilPage, OpportunityPage, CampaignPage]
print(json.dumps({model.__name__: model.objects.live().first().url for model in pages}))
"""


def bench_environment(port, redis_url):
    return production_environment(
        port,
        BENCH_DIR,
        REDIS_URL=redis_url,
        # No task cluster runs here; the heartbeat recorded at the start stays fresh.
        HEALTHZ_MAX_HEARTBEAT_AGE="3600",
    )


def prepare_site(env):
    """The demo site, built with Redis already down (management commands must cope too)."""
    prepare_demo_site(env, BENCH_DIR, "--image-width=64")
    result = subprocess.run(
        [PYTHON, "-c", PAGES_SCRIPT], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return list(json.loads(result.stdout.strip().splitlines()[-1]).values())


def start_redis(port, directory):
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not start")


def fire(port, paths, requests):
    """`requests` GETs at once, one thread and one connection each, across `paths`."""
    barrier = threading.Barrier(requests)
    outcomes = [None] * requests

    def one(index):
        path = paths[index % len(paths)]
        barrier.wait()
        started = time.perf_counter()
        try:
            status = get(port, path)[0]
        except OSError as error:
            status = type(error).__name__
        outcomes[index] = (path, status, (time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=one, args=(index,)) for index in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def summary(outcomes, port):
    statuses = [status for _path, status, _ms in outcomes]
    latencies = [ms for _path, _status, ms in outcomes]
    errors_5xx = sum(1 for status in statuses if isinstance(status, int) and status >= 500)
    status, body = get(port, "/healthz")
    health = json.loads(body)
    return {
        "requests": len(outcomes),
        "errors_5xx": errors_5xx,
        # Anything else but a 200: a 4xx, or a connection refused or reset.
        "errors_other": sum(1 for status in statuses if status != 200) - errors_5xx,
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
        "health": {"http": status, "status": health["status"], "cache": health["cache"]},
    }


def run(env, port, paths, args, log, bursts):
    """Serve, warm every worker on every page, then for each (label, before) in `bursts`:
    call `before` (if any) and fire the burst. Returns {label: summary}."""
    server = start_gunicorn(env, port, args.workers, "--backlog", "2048", log=log)
    try:
        for path in paths * args.workers:
            get(port, path)
        results = {}
        for label, before in bursts:
            if before:
                before()
            results[label] = summary(fire(port, paths, args.requests), port)
            print(f"{label}: {json.dumps(results[label])}", file=sys.stderr)
        return results
    finally:
        server.terminate()
        server.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--killed", action="store_true", help="also kill a live Redis")
    parser.add_argument("--redis-port", type=int, default=0, help="for --killed (default: free)")
    args = parser.parse_args()

    port = free_port()
    closed = bench_environment(port, f"redis://{HOST}:{free_port()}/3")
    paths = prepare_site(closed)
    log_path = BENCH_DIR / "gunicorn.log"
    with open(log_path, "w") as log:
        closed_port = run(closed, port, paths, args, log, [("closed_port", None)])
        report = {"bench": "redis_outage", **closed_port["closed_port"]}
        if args.killed:
            redis_port = args.redis_port or free_port()
            with tempfile.TemporaryDirectory() as directory:
                redis = start_redis(redis_port, directory)

                def kill_redis():
                    redis.kill()
                    redis.wait()

                try:
                    live = bench_environment(port, f"redis://{HOST}:{redis_port}/3")
                    # The same burst with Redis up first, on the same warm server: the
                    # machine's own figures to compare the outage's with.
                    report.update(
                        run(
                            live,
                            port,
                            paths,
                            args,
                            log,
                            [("redis_up", None), ("killed", kill_redis)],
                        )
                    )
                finally:
                    if redis.poll() is None:
                        redis.kill()
    report.update(
        workers=args.workers,
        pages=paths,
        database=closed["DATABASE_URL"].split(":", 1)[0],
    )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
