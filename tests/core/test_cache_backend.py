"""The Redis cache backend: one client per pool, and a Redis that is down, hung or coming
back costs a miss and a log line, never an exception or a timeout per call."""

import logging
import threading
import time

import pytest
from django.conf import settings

from core.cache_backends import RedisBackoff, RedisCache, cache_health
from tests.core.redis_helpers import (
    KillableRedis,
    SilentServer,
    closed_port_url,
    needs_redis_server,
)
from website.settings.env import cache_settings

REDIS_URL = settings.REDIS_URL  # this pytest-xdist worker's own database (test settings)
needs_redis_url = pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL")
EMAIL_KEY = "rl:login:ruth.mensah@example.org"


@pytest.fixture(autouse=True)
def fresh_backoff(monkeypatch):
    """Each test starts with every Redis trusted, and backs off briefly."""
    monkeypatch.setattr(RedisBackoff, "_by_server", {})
    monkeypatch.setattr(RedisBackoff, "seconds", 0.3)


@pytest.fixture
def cache():
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": "vigil-test-cache-backend"})
    yield cache
    cache.clear()


def cache_at(url):
    return RedisCache(
        url, {"KEY_PREFIX": "vigil", "OPTIONS": cache_settings(url)["default"]["OPTIONS"]}
    )


@pytest.fixture
def killable(tmp_path):
    server = KillableRedis(tmp_path)
    server.start()
    yield server
    if server.process:
        server.kill()


def test_settings_use_this_backend_with_short_timeouts():
    caches = cache_settings("redis://127.0.0.1:6379/0")
    assert {alias["BACKEND"] for alias in caches.values()} == {"core.cache_backends.RedisCache"}
    for alias in caches.values():
        assert 0 < alias["OPTIONS"]["socket_connect_timeout"] <= 1
        assert 0 < alias["OPTIONS"]["socket_timeout"] <= 1


@needs_redis_url
def test_one_client_serves_every_call(cache):
    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b", write=True) is client


@needs_redis_url
def test_cache_operations_behave_as_django_documents(cache):
    assert cache.add("count", 1, 60) is True
    assert cache.add("count", 5, 60) is False
    assert cache.incr("count") == 2
    cache.set("message", {"text": "Ünïcode ✓"}, 60)
    assert cache.get("message") == {"text": "Ünïcode ✓"}
    cache.delete("message")
    assert cache.get("message", "gone") == "gone"
    with pytest.raises(ValueError):
        cache.incr("never-set")


@needs_redis_url
def test_shared_client_is_safe_across_threads(cache):
    def bump():
        for _ in range(50):
            cache.incr("shared")

    cache.set("shared", 0, 60)
    threads = [threading.Thread(target=bump) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.get("shared") == 400


def test_an_unreachable_redis_is_a_miss_for_every_operation():
    cache = cache_at(closed_port_url())
    assert cache.get("menu") is None
    assert cache.get("menu", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("menu") is False
    assert "menu" not in cache
    assert cache.set("menu", [1, 2]) is None
    assert cache.set_many({"a": 1}) == []
    assert cache.delete("menu") is False
    assert cache.delete_many(["a", "b"]) is None
    assert cache.touch("menu") is False
    # Counting and locking with `add` go ahead: rate limits fail open, not shut.
    assert cache.add("lock", True) is True
    assert cache.incr("count", 3) == 3
    assert cache.clear() is False
    assert cache_at(closed_port_url()).reachable() is False


def test_a_hung_redis_costs_one_short_timeout_per_back_off(monkeypatch):
    monkeypatch.setattr(RedisBackoff, "seconds", 2)
    silent = SilentServer()
    try:
        cache = cache_at(silent.url)
        started = time.monotonic()
        assert cache.get("menu", "miss") == "miss"
        assert time.monotonic() - started < 1.5, "the read timeout is short"

        started = time.monotonic()
        for _ in range(200):
            assert cache.get("menu", "miss") == "miss"
            cache.set("menu", "value")
        assert time.monotonic() - started < 1, "Redis is left alone during the back-off"
        assert len(silent.connections) == 1

        time.sleep(RedisBackoff.seconds)
        assert cache.get("menu", "miss") == "miss"
        assert len(silent.connections) == 2, "one new attempt after the back-off"
    finally:
        silent.close()


def test_one_back_off_covers_every_alias_and_thread_of_the_process(monkeypatch):
    monkeypatch.setattr(RedisBackoff, "seconds", 30)
    silent = SilentServer()
    try:
        url = silent.url
        first, second = cache_at(url), RedisCache(url, {"KEY_PREFIX": "vigil-renditions"})
        assert first.get("menu") is None
        threads = [threading.Thread(target=lambda: cache_at(url).get("x")) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert second.get("rendition") is None
        assert len(silent.connections) == 1
    finally:
        silent.close()


def test_failures_are_logged_once_per_back_off_without_keys_or_passwords(caplog, monkeypatch):
    monkeypatch.setattr(RedisBackoff, "seconds", 1)
    url = closed_port_url(password="s3cret-pa55")
    cache = cache_at(url)
    with caplog.at_level(logging.WARNING, logger="core.cache_backends"):
        for _ in range(100):
            cache.add(EMAIL_KEY, 1, 60)
            cache.get(EMAIL_KEY)
        time.sleep(RedisBackoff.seconds)
        cache.get(EMAIL_KEY)
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2, lines
    assert "ConnectionError" in lines[0] and "rate limits are not enforced" in lines[0]
    assert url.rsplit("@", 1)[1] in lines[0]
    for line in lines:
        assert "s3cret" not in line and "ruth" not in line and "rl:login" not in line


def test_health_says_whether_the_cache_answers(settings):
    settings.CACHES = cache_settings(closed_port_url())
    assert cache_health() == "unavailable"
    settings.CACHES = cache_settings("")
    assert cache_health() == "local"


@needs_redis_url
def test_health_pings_a_working_redis(settings):
    settings.CACHES = cache_settings(REDIS_URL)
    assert cache_health() == "ok"


@needs_redis_server
def test_redis_going_away_and_coming_back(killable, caplog):
    cache = cache_at(killable.url())
    cache.set("menu", "home, stories")
    assert cache.get("menu") == "home, stories"

    killable.kill()
    assert cache.get("menu", "miss") == "miss"
    assert cache.add("count", 1) is True

    killable.start()
    assert cache.get("menu", "miss") == "miss", "still backing off"
    time.sleep(RedisBackoff.seconds)
    with caplog.at_level(logging.WARNING, logger="core.cache_backends"):
        assert cache.get("menu") == "home, stories"
    assert any("answers again" in record.getMessage() for record in caplog.records)
    assert cache.add("count", 1) is True and cache.add("count", 1) is False


@needs_redis_server
def test_what_was_changed_during_an_outage_is_not_served_stale_after_it(killable):
    """A session signed out, a consent withdrawn, a menu edited while Redis was away: the
    delete or write never reached Redis, whose old value must not come back with it."""
    cache = cache_at(killable.url())
    cache.set("session:abc", {"user": 7})
    cache.set("menu", "old menu")
    cache.set("untouched", "kept")

    killable.kill()
    cache.delete("session:abc")
    cache.set("menu", "new menu")

    killable.start()
    time.sleep(RedisBackoff.seconds)
    assert cache.get("session:abc") is None
    assert cache.get("menu") is None, "the old menu is gone; the next reader rebuilds it"
    assert cache.get("untouched") == "kept"
