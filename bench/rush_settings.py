"""Settings for `make bench-rush`: production settings (DEBUG off), the rate limits raised so
3,000 visitors from one address (127.0.0.1) measure the site rather than its flood protection,
and a middleware that counts each request's database queries (bench/rush_queries.py)."""

from website.settings.production import *  # noqa: F403
from website.settings.production import MIDDLEWARE, RATE_LIMITS

RATE_LIMITS = {
    scope: {counted: (1_000_000, 60) for counted in limits} for scope, limits in RATE_LIMITS.items()
}
# Outermost, so it counts every query of the request, the other middleware's included.
MIDDLEWARE = ["bench.rush_queries.CountQueries", *MIDDLEWARE]
