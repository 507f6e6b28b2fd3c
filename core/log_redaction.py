"""Signed-link tokens never reach a log line.

The links Vigil emails (confirm, preferences, unsubscribe, manage, cancel, calendar feeds, kit
downloads, keep-my-details) and allauth's (email confirmation, password reset) carry their
credential in the URL path, and whoever reads the logs could use it. Django logs the path of
every 4xx and 500 ("Not Found: /pray/unsubscribe/<token>/"); the development server and
gunicorn log every request line, and gunicorn the Referer too (a page opened from a signed
link sends it on every asset request). RedactSecrets, a filter on every logging handler
(LOGGING in website/settings/base.py) and on gunicorn's loggers (website/gunicorn_conf.py),
replaces each token with "[redacted]" in the message and in an exception's traceback.

What a token looks like, so the filter needs no list of routes:
- django.core.signing output (core.signing.make_token; allauth's email confirmation key):
  base64url parts joined by ":" (value, timestamp, then a signature of 27 or more
  characters), the colons percent-encoded when the link sits in a query such as ?next=.
- Django's password-reset token, as allauth puts it in its reset link: base-36 timestamp,
  "-", 32 hexadecimal characters.
"""

import logging
import re

REDACTED = "[redacted]"
COLON = r"(?::|%3[Aa])"
# A match starts only where a run of token characters starts: tried from every character of a
# long run, the greedy run would be scanned again from each, which took seconds of CPU for one
# long URL (quadratic); from its start only, a run is scanned once.
TOKENS = re.compile(
    # signing
    rf"(?<![A-Za-z0-9_-])\.?[A-Za-z0-9_-]+(?:{COLON}[A-Za-z0-9]+)?{COLON}[A-Za-z0-9_-]{{27,}}"
    r"|\b[0-9a-z]{1,13}-[0-9a-f]{32}\b"  # password reset
)


def redact(text):
    return TOKENS.sub(REDACTED, text)


class RedactSecrets(logging.Filter):
    """Rewrites a record whose message or traceback holds a token; drops no record."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the message: the handler reports it
            return True
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
