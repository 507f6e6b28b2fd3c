"""Page benchmark: the demo site under gunicorn (2 workers, DEBUG off), requests per second.

Measures the home page, the news index, a story and a static file of about the same size
served by the same server (whitenoise), plus the queries each page runs. Uses DATABASE_URL
when set, else a fresh SQLite file under var/bench/. Prints one JSON line last.
"""

import argparse
import json
import multiprocessing
import subprocess
import time

from demo_server import (
    PYTHON,
    ROOT,
    free_port,
    get,
    prepare_demo_site,
    production_environment,
    start_gunicorn,
)

BENCH_DIR = ROOT / "var" / "bench"


def measure_pages(env):
    """Queries per page and each page's size, through Django's test client (warm)."""
    script = r"""
import json, django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from website.models import StoryPage
story = StoryPage.objects.live().order_by("-date").first()
paths = {"home": "/", "news_index": "/stories/", "story": story.url}
client = Client(HTTP_HOST="127.0.0.1")
out = {}
for name, path in paths.items():
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    out[name] = {"path": path, "queries": len(queries), "bytes": len(response.content)}
print(json.dumps(out))
"""
    result = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def write_static_twin(size):
    """A static file as large as the home page, served by the same server."""
    static_root = ROOT / "var" / "static" / "bench"
    static_root.mkdir(parents=True, exist_ok=True)
    body = ("<!doctype html><title>static</title>" + "x" * size)[:size]
    (static_root / "twin.html").write_text(body)
    return "/static/bench/twin.html"


def fetch(port, path):
    return get(port, path, timeout=10)[0]


def load_worker(port, path, seconds, results):
    done = errors = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if fetch(port, path) == 200:
                done += 1
            else:
                errors += 1
        except OSError:
            errors += 1
    results.put((done, errors))


def requests_per_second(port, path, seconds, concurrency):
    for _ in range(20):  # warm the workers
        fetch(port, path)
    results = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=load_worker, args=(port, path, seconds, results))
        for _ in range(concurrency)
    ]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    totals = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    done = sum(d for d, _ in totals)
    errors = sum(e for _, e in totals)
    return round(done / elapsed, 1), errors


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10, help="load per URL")
    parser.add_argument("--concurrency", type=int, default=4, help="client processes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()

    port = free_port()
    env = production_environment(port, BENCH_DIR)
    prepare_demo_site(env, BENCH_DIR)
    pages = measure_pages(env)
    static_path = write_static_twin(pages["home"]["bytes"])
    server = start_gunicorn(env, port, args.workers)
    try:
        report = {"bench": "pages", "pages": {}, "static_rps": None}
        total_errors = 0
        for name, page in pages.items():
            rps, errors = requests_per_second(port, page["path"], args.seconds, args.concurrency)
            total_errors += errors
            report["pages"][name] = {"rps": rps, "queries": page["queries"], "bytes": page["bytes"]}
            print(f"{name:12} {page['path']:45} {rps:8.1f} req/s  {page['queries']} queries")
        static_rps, errors = requests_per_second(port, static_path, args.seconds, args.concurrency)
        total_errors += errors
        print(f"{'static':12} {static_path:45} {static_rps:8.1f} req/s")
        report["static_rps"] = static_rps
        report["static_bytes"] = pages["home"]["bytes"]
        report.update(
            workers=args.workers,
            concurrency=args.concurrency,
            seconds_per_url=args.seconds,
            errors=total_errors,
            database=env["DATABASE_URL"].split(":", 1)[0],
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
