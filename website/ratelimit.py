"""Fixed-window rate limits kept in the cache (shared through Redis across web nodes).

They fail open: while Redis is away the cache (website.cache_backends) answers `add` with True
and `incr` with the delta, so every hit is allowed rather than every visitor refused, and the
cache logs once per back-off that rate limits are not enforced.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def client_ip(request):
    """The visitor's address: from X-Forwarded-For only behind `TRUSTED_PROXY_COUNT` proxies."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if proxies and len(forwarded) >= proxies and forwarded[-proxies]:
        return forwarded[-proxies][:45]
    return request.META.get("REMOTE_ADDR", "")[:45]


def hashed(value):
    """Keys never hold an address or an IP in the clear."""
    return hashlib.sha256(str(value).encode()).hexdigest()[:32]


def allow(scope, identity, limit, window_seconds):
    """Count one hit for `identity` in `scope`; False once `limit` is passed in the window."""
    key = f"vigil:rl:{scope}:{hashed(identity)}"
    if cache.add(key, 1, window_seconds):
        return True
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window_seconds)
        return True
    return count <= limit
