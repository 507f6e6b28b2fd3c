"""The demo site served as in production, for the benchmarks that measure it over HTTP.

Production settings (DEBUG off, whitenoise), the demo content built by `demo_content`, and
gunicorn on a free local port. DATABASE_URL is used when set, else a fresh SQLite file in the
benchmark's own folder under var/.
"""

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def production_environment(port, bench_dir, **extra):
    """Production settings for a site at http://HOST:port, its media and database (SQLite,
    unless DATABASE_URL is set) in `bench_dir`; `extra` adds or overrides variables."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "website.settings.production",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "SITE_URL": f"http://{HOST}:{port}",
        "EMAIL_PROVIDER": "console",
        "MEDIA_ROOT": str(bench_dir / "media"),
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    if not os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{bench_dir / 'db.sqlite3'}"
    return env


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare_demo_site(env, bench_dir, *demo_options):
    """Migrate, build the demo content and collect static files (a fresh SQLite file each
    time; an existing DATABASE_URL is migrated and filled in, demo_content being idempotent)."""
    if not os.environ.get("DATABASE_URL"):
        shutil.rmtree(bench_dir, ignore_errors=True)
    bench_dir.mkdir(parents=True, exist_ok=True)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "demo_content", *demo_options)
    manage(env, "collectstatic", "--noinput", "-v", "0")


def get(port, path, timeout=60):
    """(status, body) of a GET to the served site."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": HOST})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def start_gunicorn(env, port, workers, *options, log=None):
    """gunicorn serving the site, once it answers; `options` are more gunicorn flags."""
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
            "--log-level",
            "warning",
            *options,
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


def start_task_cluster(env, log=None):
    """`manage.py qcluster` in a process group of its own, for stop_task_cluster."""
    return subprocess.Popen(
        [PYTHON, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT if log else None,
        start_new_session=True,
    )


def stop_task_cluster(cluster, timeout=30):
    """Stops the cluster and its worker processes: SIGTERM to the group, SIGKILL if it lingers."""
    try:
        os.killpg(cluster.pid, signal.SIGTERM)
        cluster.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(cluster.pid, signal.SIGKILL)
        cluster.wait()
    except ProcessLookupError:
        cluster.wait()


def ensure_postgres_database(database_url):
    """Creates the database named in a postgres:// URL when it does not exist yet."""
    import psycopg

    name = database_url.rsplit("/", 1)[1].split("?", 1)[0]
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
