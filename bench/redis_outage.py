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
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench-redis-outage"
PYTHON = sys.executable
HOST = "127.0.0.1"
PAGES_SCRIPT = r"""
import json, django
django.setup()
from campaigns.models import CampaignPage
from prayer.models import PrayerWallPage, VigilPage
from volunteers.models import OpportunityPage
from website.models import HomePage, StoryPage
from website.tasks import record_heartbeat
record_heartbeat()  # as the task cluster would: /healthz then judges Redis alone
pages = [HomePage, StoryPage, PrayerWallPage, VigilPage, OpportunityPage, CampaignPage]
print(json.dumps({model.__name__: model.objects.live().first().url for model in pages}))
"""


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def bench_environment(port, redis_url):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "website.settings.production",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "SITE_URL": f"http://{HOST}:{port}",
        "EMAIL_PROVIDER": "console",
        "MEDIA_ROOT": str(BENCH_DIR / "media"),
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": redis_url,
        # No task cluster runs here; the heartbeat recorded at the start stays fresh.
        "HEALTHZ_MAX_HEARTBEAT_AGE": "3600",
    }
    if not os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{BENCH_DIR / 'db.sqlite3'}"
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare_site(env):
    """The demo site, built with Redis already down (management commands must cope too)."""
    if not os.environ.get("DATABASE_URL"):
        shutil.rmtree(BENCH_DIR, ignore_errors=True)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "demo_content", "--image-width=64")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    result = subprocess.run(
        [PYTHON, "-c", PAGES_SCRIPT], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return list(json.loads(result.stdout.strip().splitlines()[-1]).values())


def get(port, path, timeout=60):
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": HOST})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def start_gunicorn(env, port, workers, log):
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "website.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(port, "/robots.txt", timeout=5)[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


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
    server = start_gunicorn(env, port, args.workers, log)
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
