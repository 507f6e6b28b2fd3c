"""The Redis cache backend reuses one client per pool (runs with REDIS_URL, as in CI)."""

import os
import threading

import pytest

from website.cache_backends import RedisCache
from website.settings.env import cache_settings

REDIS_URL = os.environ.get("REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL")


@pytest.fixture
def cache():
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": "vigil-test-cache-backend"})
    yield cache
    cache.clear()


def test_settings_use_this_backend_with_redis():
    caches = cache_settings("redis://127.0.0.1:6379/0")
    assert {alias["BACKEND"] for alias in caches.values()} == {"website.cache_backends.RedisCache"}


def test_one_client_serves_every_call(cache):
    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b", write=True) is client


def test_cache_operations_behave_as_django_documents(cache):
    assert cache.add("count", 1, 60) is True
    assert cache.add("count", 5, 60) is False
    assert cache.incr("count") == 2
    cache.set("message", {"text": "Ünïcode ✓"}, 60)
    assert cache.get("message") == {"text": "Ünïcode ✓"}
    cache.delete("message")
    assert cache.get("message", "gone") == "gone"


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
