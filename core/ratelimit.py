"""Fixed-window rate limits kept in the cache (shared through Redis across web nodes).

Every limit is a number in `RATE_LIMITS` (settings): `within_limit(scope, counted, identity)`
reads `RATE_LIMITS[scope][counted]` = (how many, per how many seconds). Code names a scope and
what it counts ("ip", "email", ...), never a number.

They fail open: while Redis is away the cache (core.cache_backends) answers `add` with True
and `incr` with the delta, so every hit is allowed rather than every visitor refused, and the
cache logs once per back-off that rate limits are not enforced.
"""

import hashlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The visitor's address: from X-Forwarded-For only behind `TRUSTED_PROXY_COUNT` proxies.

    The entry the nearest trusted proxy added is the one nobody else could write; anything
    that is not an IP address there (a request that bypassed the proxy, say) falls back to
    the connection's own address."""
    proxies: int = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if proxies and len(forwarded) >= proxies and (address := ip_address(forwarded[-proxies])):
        return address
    return ip_address(request.META.get("REMOTE_ADDR", "")) or ""


def ip_address(text: str) -> str | None:
    """`text` as a normalised IP address, or None."""
    try:
        return str(ipaddress.ip_address(text[:45]))
    except ValueError:
        return None


def hashed(value: object) -> str:
    """Keys never hold an address or an IP in the clear."""
    return hashlib.sha256(str(value).encode()).hexdigest()[:32]


def allow(scope: str, identity: object, limit: int, window_seconds: int) -> bool:
    """Count one hit for `identity` in `scope`; False once `limit` is passed in the window.

    Windows follow the clock (the n-th stretch of `window_seconds` since the epoch), so a count
    belongs to its window by its key, not only by the cache's timer: Redis expires keys by its
    own clock, which a test moving the clock does not move."""
    window = int(time.time() // window_seconds)
    key = f"vigil:rl:{scope}:{hashed(identity)}:{window}"
    if cache.add(key, 1, window_seconds):
        return True
    try:
        count: int = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window_seconds)
        return True
    return count <= limit


def within_limit(scope: str, counted: str, identity: object) -> bool:
    """Count one hit for `identity` against `RATE_LIMITS[scope][counted]`; False once over.

    An unknown scope or count is a KeyError: a limit that is not in the settings is a bug,
    not an unlimited form."""
    limit, window_seconds = settings.RATE_LIMITS[scope][counted]
    return allow(f"{scope}:{counted}", identity, limit, window_seconds)
