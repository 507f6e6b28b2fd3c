"""Settings for `make bench-outbox-crash`: production settings, with Django's SMTP backend
pointed at the benchmark's fake SMTP server when EMAIL_PROVIDER=smtp (--backend one-by-one)."""

import os

from website.settings.production import *  # noqa: F403

EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("BENCH_SMTP_PORT", "25"))
EMAIL_TIMEOUT = 30
