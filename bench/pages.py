"""Page benchmark: the demo site under gunicorn (2 workers, DEBUG off), requests per second.

Measures the home page, the news index, a story, the prayer wall and the vigil page, and a
static copy of the home page served by the same server (whitenoise), twice in one run: drawn
for every request (PAGE_CACHE=false: the first visitor after a change, and every signed-in
visitor) under "pages", then from the page cache (core/page_cache.py; each worker's memory,
as without REDIS_URL) under "cached_pages". Each page also gets the queries it runs (drawn,
and from the cache) and its size on the wire: uncompressed, gzip (as browsers ask for it,
`Accept-Encoding: gzip`), and whether a conditional GET with its ETag is answered 304.
`share_of_static` is a page's requests per second over the static file's, measured by the
same server in the same phase. Uses DATABASE_URL when set, else a fresh SQLite file under
var/bench/. Prints one JSON line last.

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


def measure_pages(env):
    """Queries per page and each page's size, through Django's test client (warm)."""
    script = r"""
import json, django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.test import override_settings
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
out = {}
for name, path in paths.items():
    counts = {}
    for cache in (False, True):
        with override_settings(PAGE_CACHE=cache):
            client = Client(HTTP_HOST="127.0.0.1")
            client.get(path)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[cache] = len(queries)
    out[name] = {
        "path": path,
        "queries": counts[False],
        "queries_cached": counts[True],
        "body": response.content.decode(),
    }
print(json.dumps(out))
"""
    result = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
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

    report = {"bench": "pages", "pages": {}, "cached_pages": {}, "static": None, "peers": {}}
    total_errors = 0
    if not args.peers_only:
        port = free_port()
        base = f"http://{HOST}:{port}"
        env = production_environment(port, BENCH_DIR)
        prepare_demo_site(env, BENCH_DIR)
        pages = measure_pages(env)
        static_path = write_static_twin(pages["home"]["body"])
        report["database"] = env["DATABASE_URL"].split(":", 1)[0]
        for phase, cache in (("pages", "false"), ("cached_pages", "true")):
            print(f"-- {phase} (PAGE_CACHE={cache})")
            report[phase] = {}
            server = start_gunicorn({**env, "PAGE_CACHE": cache}, port, args.workers)
            try:
                for name, page in pages.items():
                    figures, errors = measure(base + page["path"], args, headers)
                    total_errors += errors
                    queries = page["queries_cached" if cache == "true" else "queries"]
                    report[phase][name] = {"path": page["path"], "queries": queries, **figures}
                figures, errors = measure(base + static_path, args, headers)
                total_errors += errors
            finally:
                server.terminate()
                server.wait(timeout=30)
            static_key = "static" if phase == "pages" else "static_cached_phase"
            report[static_key] = {"path": static_path, **figures}
            for figures_of_page in report[phase].values():
                figures_of_page["share_of_static"] = (
                    round(figures_of_page["rps"] / figures["rps"], 3) if figures["rps"] else None
                )
        report["targets"] = {
            "uncached_share_of_static_at_least": 0.08,
            "uncached_met": {
                name: report["pages"][name]["share_of_static"] >= 0.08
                for name in ("home", "news_index", "story")
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
