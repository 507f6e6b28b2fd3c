"""Settings for `make bench-signup`: the development settings with debug off, and rate limits
raised so 200 sign-ups from one IP measure the sign-up, not the flood protection."""

from website.settings.dev import *  # noqa: F403
from website.settings.dev import RATE_LIMITS

DEBUG = False
RATE_LIMITS = {
    scope: {counted: (1_000_000, 60) for counted in limits} for scope, limits in RATE_LIMITS.items()
}
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
