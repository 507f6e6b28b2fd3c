"""Page benchmark: the demo site under gunicorn (2 workers, DEBUG off), requests per second.

Measures the home page, the news index, a story, the prayer wall and the vigil page, and a
static copy of the home page served by the same server (whitenoise), in four phases of one
run, each on a freshly started server with the static file measured again beside it:

- "first_draw_pages": every part drawn for every request (PAGE_CACHE=false, KEPT_PARTS=false):
  what the first visitor after a change gets;
- "pages": drawn for every request around the parts kept for everyone (PAGE_CACHE=false,
  core/kept_parts.py): everyone the page cache does not answer;
- "signed_in_pages": home, news index and story for a signed-in supporter (production
  settings; the load sends their session cookie);
- "cached_pages": anonymous visitors from the page cache (core/page_cache.py; each worker's
  memory, as without REDIS_URL).

Each page also gets the queries it runs in each phase and its size on the wire: uncompressed,
gzip (as browsers ask for it, `Accept-Encoding: gzip`), and whether a conditional GET with its
ETag is answered 304. `share_of_static` is a page's requests per second over the static
file's, measured by the same server in the same phase. Uses DATABASE_URL when set, else a
fresh SQLite file under var/bench/. Prints one JSON line last.

`--url URL` (repeatable) measures any other server with the same client in the same run, for
instance a peer site such as wagtail/bakerydemo started beside it under the same gunicorn
settings:

    python bench/pages.py --url http://127.0.0.1:8001/ --url http://127.0.0.1:8001/blog/

Each URL is loaded as given (http or https) and reported under "peers" with the same figures
(no query count: that needs the peer's own code). `--peers-only` skips the demo site.
The load itself sends no Accept-Encoding, like the figures in issue 16; `--load-encoding gzip`
loads as browsers do, so the server's compression cost is in the requests per second.
"""

import argparse
import gzip
import json
import multiprocessing
import subprocess
import time
from http.client import HTTPConnection, HTTPSConnection
from urllib.parse import urlsplit

from demo_server import (
    HOST,
    PYTHON,
    ROOT,
    free_port,
    prepare_demo_site,
    production_environment,
    start_gunicorn,
)

BENCH_DIR = ROOT / "var" / "bench"
GZIP = {"Accept-Encoding": "gzip"}


# Each phase: the server's settings, whether the load is a signed-in supporter, and the pages.
PAGES = ("home", "news_index", "story", "wall", "vigil")
PHASES = {
    # Every part drawn for every request: the first visitor after a change.
    "first_draw_pages": ({"PAGE_CACHE": "false", "KEPT_PARTS": "false"}, False, PAGES),
    # Drawn for every request around the kept parts (core/kept_parts.py): everyone the page
    # cache does not answer. Issue 16's target for uncached pages is measured here.
    "pages": ({"PAGE_CACHE": "false", "KEPT_PARTS": "true"}, False, PAGES),
    # A signed-in supporter, with the production settings: a session and a user every request.
    "signed_in_pages": ({}, True, ("home", "news_index", "story")),
    # Anonymous visitors from the page cache.
    "cached_pages": ({}, False, PAGES),
}


def measure_pages(env):
    """Queries per page in each phase and each page's body, through Django's test client
    (warm), and a signed-in supporter's session cookie for the load."""
    phases = [
        (
            name,
            settings.get("PAGE_CACHE", "true") == "true",
            settings.get("KEPT_PARTS", "true") == "true",
            signed_in,
        )
        for name, (settings, signed_in, _) in PHASES.items()
    ]
    script = (
        f"PHASES = {phases!r}\n"
        + r"""
import json, django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from prayer.models import PrayerWallPage
from vigils.models import VigilPage
from website.models import StoryPage
story = StoryPage.objects.live().order_by("-date").first()
paths = {
    "home": "/",
    "news_index": "/stories/",
    "story": story.url,
    "wall": PrayerWallPage.objects.live().first().url,
    "vigil": VigilPage.objects.live().first().url,
}
user, _ = get_user_model().objects.get_or_create(email="bench-supporter@example.org")
signed_in = Client(HTTP_HOST="127.0.0.1")
signed_in.force_login(user)
out = {}
for name, path in paths.items():
    counts = {}
    for phase, page_cache, kept_parts, as_supporter in PHASES:
        with override_settings(PAGE_CACHE=page_cache, KEPT_PARTS=kept_parts):
            client = signed_in if as_supporter else Client(HTTP_HOST="127.0.0.1")
            client.get(path)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[phase] = len(queries)
    response = Client(HTTP_HOST="127.0.0.1").get(path)
    out[name] = {"path": path, "queries": counts, "body": response.content.decode()}
session = signed_in.cookies[settings.SESSION_COOKIE_NAME]
print(json.dumps({"pages": out, "cookie": f"{session.key}={session.value}"}))
"""
    )
    result = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"Measuring the pages failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def write_static_twin(html):
    """The home page's HTML as a static file, served by the same server: the same bytes, so
    they compress alike too."""
    static_root = ROOT / "var" / "static" / "bench"
    static_root.mkdir(parents=True, exist_ok=True)
    (static_root / "twin.html").write_text(html)
    # What collectstatic's compressed storage leaves beside every static file: whitenoise
    # sends it to clients that accept gzip.
    (static_root / "twin.html.gz").write_bytes(gzip.compress(html.encode(), mtime=0))
    return "/static/bench/twin.html"


def request(url, headers=None, timeout=10):
    """(status, headers, body as sent on the wire) of a GET to `url`."""
    parts = urlsplit(url)
    kind = HTTPSConnection if parts.scheme == "https" else HTTPConnection
    connection = kind(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        connection.request("GET", target, headers={"Host": parts.netloc, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def wire_sizes(url):
    """Bytes of the body sent plain and sent gzipped, and whether it revalidates with a 304."""
    status, headers, plain = request(url, timeout=30)
    assert status == 200, (url, status)
    status, gzip_headers, compressed = request(url, GZIP, timeout=30)
    assert status == 200, (url, status)
    gzipped = gzip_headers.get("Content-Encoding") == "gzip"
    gzip_bytes = len(compressed) if gzipped else None  # None: served uncompressed
    validator = {}
    if etag := gzip_headers.get("ETag"):
        validator["If-None-Match"] = etag
    elif last_modified := gzip_headers.get("Last-Modified"):
        validator["If-Modified-Since"] = last_modified
    revalidated = bool(validator) and request(url, {**GZIP, **validator})[0] == 304
    return {
        "bytes": len(plain),
        "gzip_bytes": gzip_bytes,
        "revalidates_304": revalidated,
        "cache_control": gzip_headers.get("Cache-Control"),
    }


def load_worker(url, headers, seconds, results):
    done = errors = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if request(url, headers)[0] == 200:
                done += 1
            else:
                errors += 1
        except OSError:
            errors += 1
    results.put((done, errors))


def requests_per_second(url, seconds, concurrency, headers=None):
    for _ in range(20):  # warm the workers
        request(url, headers)
    results = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=load_worker, args=(url, headers, seconds, results))
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


def measure(url, args, headers):
    figures = wire_sizes(url)
    rps, errors = requests_per_second(url, args.seconds, args.concurrency, headers)
    gzip_bytes = figures["gzip_bytes"] if figures["gzip_bytes"] is not None else "-"
    print(f"{url:60} {rps:8.1f} req/s  {figures['bytes']:7} B  gzip {gzip_bytes} B")
    return {"rps": rps, **figures}, errors


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10, help="load per URL")
    parser.add_argument("--concurrency", type=int, default=4, help="client processes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--url", action="append", default=[], help="another server's page to measure too"
    )
    parser.add_argument("--peers-only", action="store_true", help="measure only the --url pages")
    parser.add_argument(
        "--load-encoding",
        choices=["identity", "gzip"],
        default="identity",
        help="Accept-Encoding of the load requests",
    )
    args = parser.parse_args()
    headers = GZIP if args.load_encoding == "gzip" else None

    report = {"bench": "pages", **{phase: {} for phase in PHASES}, "static": None, "peers": {}}
    total_errors = 0
    if not args.peers_only:
        port = free_port()
        base = f"http://{HOST}:{port}"
        env = production_environment(port, BENCH_DIR)
        prepare_demo_site(env, BENCH_DIR)
        measured = measure_pages(env)
        pages = measured["pages"]
        static_path = write_static_twin(pages["home"]["body"])
        report["database"] = env["DATABASE_URL"].split(":", 1)[0]
        for phase, (settings, signed_in, names) in PHASES.items():
            print(
                f"-- {phase} {settings or 'production settings'}{' signed in' if signed_in else ''}"
            )
            load_headers = {
                **(headers or {}),
                **({"Cookie": measured["cookie"]} if signed_in else {}),
            }
            server = start_gunicorn({**env, **settings}, port, args.workers)
            try:
                for name in names:
                    page = pages[name]
                    figures, errors = measure(base + page["path"], args, load_headers or None)
                    total_errors += errors
                    report[phase][name] = {
                        "path": page["path"],
                        "queries": page["queries"][phase],
                        **figures,
                    }
                figures, errors = measure(base + static_path, args, headers)
                total_errors += errors
            finally:
                server.terminate()
                server.wait(timeout=30)
            report[phase]["static"] = {"path": static_path, **figures}
            for name in names:
                report[phase][name]["share_of_static"] = (
                    round(report[phase][name]["rps"] / figures["rps"], 3)
                    if figures["rps"]
                    else None
                )
        report["static"] = report["pages"]["static"]
        editorial = ("home", "news_index", "story")
        report["targets"] = {
            "uncached_share_of_static_at_least": 0.08,
            **{
                f"{phase}_met": {
                    name: report[phase][name]["share_of_static"] >= 0.08 for name in editorial
                }
                for phase in ("pages", "signed_in_pages", "first_draw_pages")
            },
            "cached_home_share_of_static_at_least": 0.5,
            "cached_home_met": report["cached_pages"]["home"]["share_of_static"] >= 0.5,
        }
    for url in args.url:
        figures, errors = measure(url, args, headers)
        total_errors += errors
        report["peers"][url] = figures
    report.update(
        workers=args.workers,
        concurrency=args.concurrency,
        seconds_per_url=args.seconds,
        load_encoding=args.load_encoding,
        errors=total_errors,
    )
    print(json.dumps(report))


if __name__ == "__main__":
    main()
