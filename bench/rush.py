"""Rush benchmark: the minute after a digest lands, 3,000 visitors in 60 seconds.

Serves the demo site (`demo_content`) with gunicorn (production settings through
bench/rush_settings.py: DEBUG off, rate limits raised because every visitor comes from
127.0.0.1; 2 sync workers by default) on PostgreSQL and Redis, with a task cluster
(`manage.py qcluster`) running beside it. A separate client process sends the visitors open
loop: arrival times are drawn beforehand (Poisson by default: uniform order statistics over the
period, so exactly --visitors arrive in --seconds; `--arrivals even` spaces them evenly) and
each visitor's request leaves at its arrival time on a thread of its own, whatever earlier
requests are doing. Latency is measured from the arrival time to the last byte of the answer,
so a client that fell behind would show in it (its lag is reported too).

The mix a digest produces: half open the prayer wall, a third a story (a random live one), one
in ten presses "I prayed" (a POST with `Accept: application/json` for a random approved request
on the wall, as the page's fetch() does, to the address the wall's "I prayed" form gives, from a
new visitor without cookies, with the `Origin` and `Referer` a browser sends), the rest the vigil
page or the digest's subscribe form, half each. The wall's page is read before each phase: while
its "I prayed" forms carry a CSRF token, such a visitor first loads the wall (reported as the
kind "prayed_page") and posts with its csrftoken cookie and an X-CSRFToken header; once they
carry none, the visitor posts at once, without cookies.

Two phases by default, each on a freshly started server and cluster with the same settings and
Redis emptied: PAGE_CACHE=true ("cached"), then PAGE_CACHE=false ("uncached"). `--only
cached|uncached` runs one (`--no-cache` is `--only uncached`). Before each phase every worker
is warmed on each page once (which also fills the page cache when there is one).

Per phase: requests, errors by kind (an answer other than 2xx/3xx, or a connection error or
timeout), p50/p95/p99 latency by kind and overall, the achieved arrival rate, the database
queries per request by kind (counted in each worker by bench/rush_queries.py), and a check
that the "I prayed" count in the database grew by exactly the number of 200 answers that said
`"counted": true`. Required: 0 errors and p95 <= 250 ms overall. Prints one JSON line last;
exits 1 on any error or a wrong count.

RUSH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/vigil_bench_rush, created if
missing, migrated and filled by `demo_content`) and RUSH_REDIS_URL (default
redis://127.0.0.1:6379/10, flushed before and after) choose the stores; --database-url and
--redis-url too.
"""

import argparse
import gzip
import http.client
import json
import math
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from fractions import Fraction

from demo_server import (
    HOST,
    PYTHON,
    ROOT,
    ensure_postgres_database,
    flush_redis,
    free_port,
    prepare_demo_site,
    production_environment,
    start_gunicorn,
    start_task_cluster,
    stop_task_cluster,
)

BENCH_DIR = ROOT / "var" / "bench-rush"
QUERY_LOG_DIR = BENCH_DIR / "queries"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/vigil_bench_rush"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/10"
REQUIRED_P95_MS = 250
TIMEOUT = 30
# What a digest sends to the site: half the wall, a third a story, one in ten "I prayed", the
# rest (1/15) the vigil page or the subscribe form.
MIX = {
    "wall": Fraction(1, 2),
    "story": Fraction(1, 3),
    "prayed": Fraction(1, 10),
    "vigil": Fraction(1, 30),
    "subscribe": Fraction(1, 30),
}
PHASES = {"cached": "true", "uncached": "false"}
# A phone's browser asks for compressed pages.
BROWSER_HEADERS = {"Accept-Encoding": "gzip", "User-Agent": "vigil-bench-rush"}

SITE_SCRIPT = r"""
import json, django
django.setup()
from django.urls import reverse
from prayer.models import PrayerRequest, PrayerWallPage
from vigils.models import VigilPage
from website.models import StoryPage
wall = PrayerWallPage.objects.live().first()
vigil = VigilPage.objects.live().order_by("pk").first()
print(json.dumps({
    "wall": wall.url,
    "stories": [page.url for page in StoryPage.objects.live().order_by("pk")],
    "vigil": vigil.url,
    "subscribe": reverse("digests:subscribe"),
    "approved": list(
        PrayerRequest.objects.on_wall()
        .filter(status=PrayerRequest.Status.APPROVED)
        .order_by("pk")
        .values_list("pk", flat=True)
    ),
}))
"""

COUNTS_SCRIPT = r"""
import json, django
django.setup()
from django.db.models import Sum
from prayer.models import PrayedMark, PrayerRequest
print(json.dumps({
    "prayed_count": PrayerRequest.objects.aggregate(total=Sum("prayed_count"))["total"] or 0,
    "marks": PrayedMark.objects.count(),
}))
"""


# ---------------------------------------------------------------------------
# The plan: who arrives when, asking for what


def mix_counts(visitors, mix=MIX):
    """How many visitors of each kind: the mix's shares of `visitors`, rounded so they add up
    (largest remainder first)."""
    exact = {kind: share * visitors for kind, share in mix.items()}
    counts = {kind: math.floor(value) for kind, value in exact.items()}
    short = visitors - sum(counts.values())
    for kind in sorted(exact, key=lambda kind: exact[kind] - counts[kind], reverse=True)[:short]:
        counts[kind] += 1
    return counts


def arrival_times(visitors, seconds, arrivals, rng):
    """Seconds from the start at which each visitor arrives, in order. "poisson": a Poisson
    process with exactly `visitors` arrivals in `seconds` (sorted uniform draws); "even":
    evenly spaced."""
    if arrivals == "even":
        return [index * seconds / visitors for index in range(visitors)]
    return sorted(rng.uniform(0, seconds) for _ in range(visitors))


def plan_visits(site, visitors, seconds, arrivals, seed):
    """[(arrival second, kind, target)], the kinds in the mix's proportions, shuffled."""
    rng = random.Random(seed)
    kinds = [kind for kind, count in mix_counts(visitors).items() for _ in range(count)]
    rng.shuffle(kinds)
    plan = []
    for at, kind in zip(arrival_times(visitors, seconds, arrivals, rng), kinds, strict=True):
        if kind == "story":
            target = rng.choice(site["stories"])
        elif kind == "prayed":
            target = rng.choice(site["approved"])  # the request's pk, for the form's action
        else:
            target = site[kind]
        plan.append((at, kind, target))
    return plan


def percentile(values, fraction):
    """Nearest-rank percentile: the smallest value with at least `fraction` of them at or
    below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


# ---------------------------------------------------------------------------
# The client (a process of its own)


def csrf_cookie(response):
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        if name.strip() == "csrftoken":
            return rest.split(";", 1)[0]
    return None


def exchange(port, method, path, headers, body=None, decode=False):
    """(status, response, body) of one request on a new connection; the body decompressed
    when `decode`."""
    connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    try:
        connection.request(method, path, body, {"Host": f"{HOST}:{port}", **headers})
        response = connection.getresponse()
        content = response.read()
        if decode and response.headers.get("Content-Encoding") == "gzip":
            content = gzip.decompress(content)
        return response.status, response, content
    finally:
        connection.close()


def error_kind(error):
    return "timeout" if isinstance(error, TimeoutError) else type(error).__name__


def visit(port, due, kind, target, wall, button, outcomes):
    """One visitor, from its arrival time `due` (time.perf_counter()); appends
    (kind, status or error, milliseconds, lag ms, counted) per request it makes. `button`:
    the "I prayed" form's action (with "{pk}") and whether it carries a CSRF token."""
    lag = (time.perf_counter() - due) * 1000
    origin = f"http://{HOST}:{port}"
    started = due
    try:
        if kind != "prayed":
            status, _response, _content = exchange(port, "GET", target, BROWSER_HEADERS)
            outcomes.append((kind, status, (time.perf_counter() - started) * 1000, lag, None))
            return
        headers = {
            **BROWSER_HEADERS,
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
            "Referer": origin + wall,
        }
        body = f"next={wall}"
        action, with_token = button
        if with_token:  # the wall's page first, for its CSRF cookie
            status, response, _content = exchange(port, "GET", wall, BROWSER_HEADERS)
            outcomes.append(
                ("prayed_page", status, (time.perf_counter() - started) * 1000, lag, None)
            )
            token = csrf_cookie(response)
            if token:
                headers["Cookie"] = f"csrftoken={token}"
                headers["X-CSRFToken"] = token
                body = f"csrfmiddlewaretoken={token}&{body}"
            started = time.perf_counter()
        post_to = action.format(pk=target)
        status, _response, content = exchange(port, "POST", post_to, headers, body, decode=True)
        counted = None
        if status == 200:
            counted = bool(json.loads(content).get("counted"))
        outcomes.append(("prayed", status, (time.perf_counter() - started) * 1000, lag, counted))
    except Exception as error:  # every failure is the visitor's error, none is lost
        ms = (time.perf_counter() - started) * 1000
        outcomes.append((kind, error_kind(error), ms, lag, None))


def run_client(port, plan, wall, button, results):
    """Sends the plan open loop: one thread per visitor, started at its arrival time."""
    threading.stack_size(256 * 1024)
    outcomes = []  # list.append is atomic
    threads = []
    start = time.perf_counter() + 0.5
    for at, kind, target in plan:
        due = start + at
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        thread = threading.Thread(
            target=visit, args=(port, due, kind, target, wall, button, outcomes), daemon=True
        )
        thread.start()
        threads.append(thread)
    sent_for = time.perf_counter() - start
    for thread in threads:
        thread.join(TIMEOUT * 2 + 5)
    results.put(
        {
            "outcomes": outcomes,
            "sent_for": sent_for,
            "unfinished": sum(thread.is_alive() for thread in threads),
        }
    )


# ---------------------------------------------------------------------------
# The server side


def django_json(env, script):
    result = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def read_query_log():
    """[(method, path, status, queries)] from every worker's file."""
    rows = []
    for path in sorted(QUERY_LOG_DIR.glob("queries-*.tsv")):
        for line in path.read_text().splitlines():
            method, request_path, status, queries = line.split("\t")
            rows.append((method, request_path, int(status), int(queries)))
    return rows


def clear_query_log():
    shutil.rmtree(QUERY_LOG_DIR, ignore_errors=True)
    QUERY_LOG_DIR.mkdir(parents=True)


def query_kind(method, path, site):
    if method == "POST" and path.endswith("/prayed/"):
        return "prayed"
    if path == site["wall"]:
        return "wall"  # the "prayed_page" loads too: the same page
    if path in site["stories_set"]:
        return "story"
    if path == site["vigil"]:
        return "vigil"
    if path == site["subscribe"]:
        return "subscribe"
    return "other"


def query_figures(rows, site):
    by_kind = {}
    for method, path, _status, queries in rows:
        by_kind.setdefault(query_kind(method, path, site), []).append(queries)
    every = [queries for _m, _p, _s, queries in rows]

    def figures(counts):
        return {
            "requests": len(counts),
            "mean": round(sum(counts) / len(counts), 2),
            "min": min(counts),
            "max": max(counts),
        }

    return {
        "by_kind": {kind: figures(counts) for kind, counts in sorted(by_kind.items())},
        "overall": figures(every) if every else None,
    }


def warm_up(port, site, workers):
    """Each page a few times per worker: imports, templates and connections are ready (and
    the page cache, when there is one, holds the pages the warm-up asked for)."""
    paths = [site["wall"], site["vigil"], site["subscribe"], *site["stories"]]
    for _ in range(2 * workers):
        for path in paths:
            exchange(port, "GET", path, BROWSER_HEADERS)


def prayed_button_on_wall(port, site):
    status, _response, content = exchange(port, "GET", site["wall"], BROWSER_HEADERS, decode=True)
    if status != 200:
        raise SystemExit(f"the prayer wall answered {status}")
    return prayed_button(content.decode(), site["wall"])


def prayed_button(html, wall):
    """(action with "{pk}", whether it carries a CSRF token) of the wall's "I prayed" forms,
    as a browser would post them; other forms on the page may carry a token of their own.
    Without such a form, the wall's own route and whether the page holds a token at all."""
    forms = re.findall(
        r"<form\b([^>]*\bdata-prayed-form\b[^>]*)>(.*?)</form>", html, re.DOTALL | re.IGNORECASE
    )
    actions = [re.search(r'\baction="([^"]*)"', attributes) for attributes, _body in forms]
    if not forms or not all(actions):
        return f"{wall}{{pk}}/prayed/", "csrfmiddlewaretoken" in html
    action = re.sub(r"/\d+/prayed/$", "/{pk}/prayed/", actions[0].group(1))
    return action, any("csrfmiddlewaretoken" in body for _attributes, body in forms)


# ---------------------------------------------------------------------------
# One phase


def latency_figures(values):
    return {
        "p50_ms": round(percentile(values, 0.50), 1),
        "p95_ms": round(percentile(values, 0.95), 1),
        "p99_ms": round(percentile(values, 0.99), 1),
    }


def summarise(outcomes, sent_for, seconds, visitors):
    by_kind = {}
    for kind, status, ms, _lag, _counted in outcomes:
        by_kind.setdefault(kind, []).append((status, ms))
    errors = {}
    for kind, status, _ms, _lag, _counted in outcomes:
        if not (isinstance(status, int) and 200 <= status < 400):
            errors.setdefault(kind, {}).setdefault(str(status), 0)
            errors[kind][str(status)] += 1
    lags = [lag for _k, _s, _ms, lag, _c in outcomes]
    return {
        "requests": len(outcomes),
        "errors": sum(sum(statuses.values()) for statuses in errors.values()),
        "errors_by_kind": errors,
        "latency": latency_figures([ms for _k, _s, ms, _l, _c in outcomes]),
        "latency_by_kind": {
            kind: {"requests": len(rows), **latency_figures([ms for _s, ms in rows])}
            for kind, rows in sorted(by_kind.items())
        },
        "arrival_rate_per_s": round(visitors / sent_for, 2) if sent_for else None,
        "planned_rate_per_s": round(visitors / seconds, 2),
        "client_lag_ms": {
            "p99": round(percentile(lags, 0.99), 1),
            "max": round(max(lags), 1),
        },
    }


def stop_server(server):
    server.terminate()
    server.wait(timeout=60)


def run_phase(name, args, env, port, site, plan, log):
    print(f"--- phase {name}: PAGE_CACHE={env['PAGE_CACHE']}", file=sys.stderr)
    flush_redis(args.redis_url)
    clear_query_log()
    cluster = start_task_cluster(env, log)
    server = None
    try:
        server = start_gunicorn(
            env,
            port,
            args.workers,
            "--worker-class",
            args.worker_class,
            "--threads",
            str(args.threads),
            "--backlog",
            "2048",
            "--timeout",
            str(TIMEOUT),
            log=log,
        )
        warm_up(port, site, args.workers)
        button = prayed_button_on_wall(port, site)
        before = django_json(env, COUNTS_SCRIPT)
        clear_query_log()
        results = multiprocessing.Queue()
        client = multiprocessing.Process(
            target=run_client, args=(port, plan, site["wall"], button, results)
        )
        client.start()
        result = results.get()
        client.join()
        cluster_running = cluster.poll() is None
        # Stopped before counting: requests the client gave up on may still be served.
        stop_server(server)
        server = None
        after = django_json(env, COUNTS_SCRIPT)
    finally:
        if server is not None:
            stop_server(server)
        stop_task_cluster(cluster)
    outcomes = list(result["outcomes"])
    # A visitor still waiting after twice the timeout is an error of its own kind.
    outcomes += [("unknown", "unfinished", TIMEOUT * 2000.0, 0.0, None)] * result["unfinished"]
    figures = summarise(outcomes, result["sent_for"], args.seconds, len(plan))
    prayed = [(status, said) for kind, status, _ms, _lag, said in outcomes if kind == "prayed"]
    counted = sum(1 for _status, said_counted in prayed if said_counted)
    answered = sum(1 for status, _counted in prayed if status == 200)
    unanswered = sum(1 for status, _counted in prayed if not isinstance(status, int))
    grew = after["prayed_count"] - before["prayed_count"]
    marks = after["marks"] - before["marks"]
    figures["prayed"] = {
        "answered_200": answered,
        "counted_200": counted,
        # Posts without an answer (timeouts): the server may have counted them all the same.
        "unanswered": unanswered,
        "db_count_grew_by": grew,
        "db_marks_added": marks,
        "count_exact": grew == counted == marks,
        # Exact when every post was answered; a post the client gave up on may have counted.
        "count_correct": grew == marks and counted <= grew <= counted + unanswered,
        "posted_to": button[0],
        "with_csrf_token": button[1],
    }
    figures["queries_per_request"] = query_figures(read_query_log(), site)
    figures["unfinished"] = result["unfinished"]
    figures["cluster_running"] = cluster_running
    figures["met"] = figures["errors"] == 0 and figures["latency"]["p95_ms"] <= REQUIRED_P95_MS
    return figures


def count_verdict(prayed):
    if prayed["count_exact"]:
        return "correct"
    return "consistent with the unanswered" if prayed["count_correct"] else "WRONG"


def print_phase(name, figures):
    out = sys.stderr
    print(f"\n{name}: {figures['requests']} requests, {figures['errors']} errors", file=out)
    for kind, row in figures["latency_by_kind"].items():
        queries = figures["queries_per_request"]["by_kind"].get(
            "wall" if kind == "prayed_page" else kind
        )
        errors = sum(figures["errors_by_kind"].get(kind, {}).values())
        print(
            f"  {kind:12} {row['requests']:5} req  {errors:3} err  p50 {row['p50_ms']:7.1f}"
            f"  p95 {row['p95_ms']:7.1f}  p99 {row['p99_ms']:7.1f} ms"
            f"  queries {queries['mean'] if queries else '-'}",
            file=out,
        )
    overall = figures["latency"]
    print(
        f"  {'overall':12} {figures['requests']:5} req  {figures['errors']:3} err  p50 "
        f"{overall['p50_ms']:7.1f}  p95 {overall['p95_ms']:7.1f}  p99 {overall['p99_ms']:7.1f} ms"
        f"  queries {(figures['queries_per_request']['overall'] or {}).get('mean')}",
        file=out,
    )
    if figures["errors_by_kind"]:
        print(f"  errors: {json.dumps(figures['errors_by_kind'])}", file=out)
    prayed = figures["prayed"]
    print(
        f"  arrivals {figures['arrival_rate_per_s']}/s (planned {figures['planned_rate_per_s']}),"
        f" client lag p99 {figures['client_lag_ms']['p99']} ms;"
        f' "I prayed": {prayed["counted_200"]} counted answers, the database grew by'
        f" {prayed['db_count_grew_by']} ({count_verdict(prayed)})"
        + (f", {prayed['unanswered']} posts unanswered" if prayed["unanswered"] else ""),
        file=out,
    )
    print(
        f"  required: 0 errors and p95 <= {REQUIRED_P95_MS} ms: "
        f"{'met' if figures['met'] else 'NOT met'}",
        file=out,
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--visitors", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--arrivals", choices=["poisson", "even"], default="poisson")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--only", choices=list(PHASES), help="run one phase")
    parser.add_argument(
        "--no-cache", action="store_true", help="PAGE_CACHE=false only (--only uncached)"
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("RUSH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--redis-url", default=os.environ.get("RUSH_REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("bench-rush runs on PostgreSQL: --database-url postgres://...")
    phases = ["uncached"] if args.no_cache else [args.only] if args.only else list(PHASES)

    port = args.port or free_port()
    # The demo site's helpers read DATABASE_URL from this process's environment.
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["REDIS_URL"] = args.redis_url
    ensure_postgres_database(args.database_url)
    flush_redis(args.redis_url)
    base_env = production_environment(
        port,
        BENCH_DIR,
        DJANGO_SETTINGS_MODULE="bench.rush_settings",
        REDIS_URL=args.redis_url,
        RUSH_QUERY_LOG_DIR=str(QUERY_LOG_DIR),
    )
    prepare_demo_site(base_env, BENCH_DIR, "--image-width=320")
    site = django_json(base_env, SITE_SCRIPT)
    if not (site["stories"] and site["approved"]):
        sys.exit("the demo site has no live story or no approved prayer request")
    plan = plan_visits(site, args.visitors, args.seconds, args.arrivals, args.seed)
    site["stories_set"] = set(site["stories"])

    report = {
        "bench": "rush",
        "visitors": args.visitors,
        "seconds": args.seconds,
        "arrivals": args.arrivals,
        "mix": mix_counts(args.visitors),
        "workers": args.workers,
        "worker_class": args.worker_class,
        "database": "postgresql",
        "required": {"errors": 0, "p95_ms": REQUIRED_P95_MS},
        "phases": {},
    }
    log_path = BENCH_DIR / "server.log"
    try:
        with open(log_path, "w") as log:
            for name in phases:
                env = {**base_env, "PAGE_CACHE": PHASES[name]}
                figures = run_phase(name, args, env, port, site, plan, log)
                print_phase(name, figures)
                report["phases"][name] = figures
    finally:
        flush_redis(args.redis_url)
    results = report["phases"].values()
    report["met"] = all(figures["met"] for figures in results)
    report["errors"] = sum(figures["errors"] for figures in results)
    report["count_correct"] = all(figures["prayed"]["count_correct"] for figures in results)
    verdict = "met" if report["met"] else "NOT met"
    print(f"\nrequired figures {verdict} (server log: {log_path})", file=sys.stderr)
    print(json.dumps(report))
    if report["errors"] or not report["count_correct"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
