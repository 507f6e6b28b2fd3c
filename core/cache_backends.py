"""Django's Redis cache, made to fail soft, with one Redis client per connection pool.

Fail soft. The cache holds nothing the database cannot rebuild (menus, settings, sessions
cached in front of their table, rate-limit counts), so a Redis that is down or slow must cost
a miss, never a 500. Connect and read timeouts are short (`cache_settings`); any Redis error
counts as a miss: `get` answers the default, `set` and `delete` do nothing, `add` answers
True as if it stored the value and `incr` answers `delta` as if counting from nothing. So
rate limits, Vigil's and allauth's (whose cache lock waits for `add` to answer True), fail
open rather than locking everyone out. After a failure this process leaves that Redis alone
for `RedisBackoff.seconds` (a circuit breaker), so a dead Redis costs one timeout every few
seconds, not one per call.

A write or delete skipped during an outage would let the value from before it come back
when Redis does: a session signed out, a consent withdrawn or a menu edited in between. So
the keys this process could not write or delete are remembered, and deleted before
anything else once Redis answers again.

One client per pool. Django's client builds a new `redis.Redis` for every cache operation,
and building one copies redis-py's table of response callbacks: about 0.3 ms each. A
`redis.Redis` is safe to share between threads; the pool underneath is unchanged.
"""

import logging
import threading
import time
from urllib.parse import urlsplit

from django.core.cache import caches
from django.core.cache.backends import redis

# Redis answers in well under a millisecond; one that takes longer is treated as down (the
# cache and the task broker fail soft and back off), so a request never waits long on it.
REDIS_TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}

logger = logging.getLogger(__name__)

# At most this many keys are remembered per process for deletion after an outage.
MAX_SKIPPED_KEYS = 10_000


def public_address(url):
    """The Redis URL without its user and password, fit for a log line."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"


class RedisBackoff:
    """What this process knows about one Redis server: whether to leave it alone for now
    (a circuit breaker shared by every cache alias and the task broker that use it), and
    which cache keys it could not write or delete meanwhile.

    After a failure Redis is skipped for `seconds`. Then one caller tries it again while the
    others keep skipping it; a failure starts another back-off, a success closes the breaker.
    Each failure mode (who failed, and how) is logged once per back-off, not once per call,
    with the server's address but never a key, a value or a password.
    """

    seconds = 5.0
    _by_server: dict[str, "RedisBackoff"] = {}
    _registry_lock = threading.Lock()

    @classmethod
    def for_server(cls, url):
        with cls._registry_lock:
            if url not in cls._by_server:
                cls._by_server[url] = cls(public_address(url))
            return cls._by_server[url]

    def __init__(self, address):
        self.address = address
        self._lock = threading.Lock()
        self._down = False
        self._retry_at = 0.0
        self._logged_at = {}
        self._skipped_keys = set()
        self._skipped_too_many = False

    def allows(self):
        """Whether to call Redis now."""
        if not self._down:
            return True
        with self._lock:
            now = time.monotonic()
            if now < self._retry_at:
                return False
            # This caller probes; everyone else keeps skipping until it knows.
            self._retry_at = now + self.seconds
            return True

    def failed(self, error, user, consequence):
        """Open the breaker; `user` and `consequence` say who failed and what it means."""
        now = time.monotonic()
        mode = (user, type(error).__name__)
        with self._lock:
            self._down = True
            self._retry_at = now + self.seconds
            if now - self._logged_at.get(mode, -self.seconds) < self.seconds:
                return
            self._logged_at[mode] = now
        logger.warning(
            "Redis %s at %s failed (%s): %s; trying Redis again in %g s",
            user,
            self.address,
            type(error).__name__,
            consequence,
            self.seconds,
        )

    def succeeded(self):
        if not self._down:
            return
        with self._lock:
            if not self._down:
                return
            self._down = False
            self._logged_at.clear()
        logger.warning("Redis at %s answers again", self.address)

    def skipped(self, keys, too_many=False):
        """Remember cache keys whose write or delete did not reach Redis."""
        with self._lock:
            for key in keys:
                if len(self._skipped_keys) >= MAX_SKIPPED_KEYS:
                    too_many = True
                    break
                self._skipped_keys.add(key)
            self._skipped_too_many = self._skipped_too_many or too_many

    def take_skipped(self):
        """(keys, whether some were not remembered), forgetting them here."""
        if not self._skipped_keys and not self._skipped_too_many:
            return [], False
        with self._lock:
            taken = list(self._skipped_keys), self._skipped_too_many
            self._skipped_keys, self._skipped_too_many = set(), False
        return taken


class FailSoftRedisCacheClient(redis.RedisCacheClient):
    CONSEQUENCE = "reads are misses and writes are skipped, so rate limits are not enforced"

    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._clients = {}
        self._backoff = RedisBackoff.for_server(";".join(servers))

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client

    def _guarded(self, operation, miss, *args, written=()):
        """`operation(*args)`, or `miss` when Redis fails or is in its back-off."""
        if self._backoff.allows():
            try:
                self._delete_skipped()
                result = operation(*args)
            except self._lib.RedisError as error:
                self._backoff.failed(error, "cache", self.CONSEQUENCE)
            else:
                self._backoff.succeeded()
                return result
        self._backoff.skipped(written)
        return miss

    def _delete_skipped(self):
        """Delete what this process could not write or delete while Redis was away."""
        keys, too_many = self._backoff.take_skipped()
        if not keys and not too_many:
            return
        try:
            client = self.get_client(write=True)
            for start in range(0, len(keys), 1000):
                client.delete(*keys[start : start + 1000])
        except self._lib.RedisError:
            self._backoff.skipped(keys, too_many)
            raise
        if too_many:
            logger.error(
                "More than %d cache writes were skipped while Redis was away: entries older "
                "than the outage may be stale until they expire",
                MAX_SKIPPED_KEYS,
            )

    def add(self, key, value, timeout):
        # Answering True lets callers that count or lock with `add` go ahead (fail open).
        return self._guarded(super().add, True, key, value, timeout)

    def get(self, key, default):
        return self._guarded(super().get, default, key, default)

    def set(self, key, value, timeout):
        return self._guarded(super().set, None, key, value, timeout, written=[key])

    def touch(self, key, timeout):
        return self._guarded(super().touch, False, key, timeout)

    def delete(self, key):
        return self._guarded(super().delete, False, key, written=[key])

    def get_many(self, keys):
        return self._guarded(super().get_many, {}, keys)

    def has_key(self, key):
        return self._guarded(super().has_key, False, key)

    def incr(self, key, delta):
        # A missing key still raises ValueError, as Django documents; only Redis errors
        # are swallowed.
        return self._guarded(super().incr, delta, key, delta)

    def set_many(self, data, timeout):
        return self._guarded(super().set_many, None, data, timeout, written=list(data))

    def delete_many(self, keys):
        return self._guarded(super().delete_many, None, keys, written=list(keys))

    def clear(self):
        return self._guarded(super().clear, False)

    def reachable(self):
        return self._guarded(lambda: bool(self.get_client().ping()), False)


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailSoftRedisCacheClient

    def reachable(self):
        """For /healthz: one PING, or False at once while Redis is in its back-off."""
        return self._cache.reachable()


def cache_health(alias="default"):
    """For /healthz: "ok", "unavailable" (Redis failed or is in its back-off), or "local"
    (this process's memory, no Redis). Every alias uses the same Redis (`cache_settings`)."""
    cache = caches[alias]
    if not isinstance(cache, RedisCache):
        return "local"
    return "ok" if cache.reachable() else "unavailable"
