"""The one anymail webhook Vigil serves: the configured provider's tracking webhook.

anymail's own urls.py mounts the tracking and inbound webhooks of every provider it knows,
though one provider sends Vigil's mail and Vigil reads no inbound mail. Only EMAIL_PROVIDER's
tracking view is mounted here, at anymail's own path and name (none for the file, console,
smtp and test backends), so every other /anymail/... path is a 404.

anymail answers 400 to a request that fails its checks (basic auth, signature), but a body its
parser cannot read raises whatever the parser raised: a 500, which a provider takes for "try
again later" and an attacker for a crash. Such a body is a 400 here too. An error while acting
on a readable event (the database away) stays a 500, so the provider retries it.

Mailgun signs a timestamp and a random token, not the body. The token is the event's id, which
core.webhooks acts on once; a signature older than the replay window is refused, so a
captured signature cannot carry a forged body after its receipt is forgotten.
"""

import datetime
import json
from contextlib import contextmanager

import anymail.urls
from anymail.exceptions import (
    AnymailConfigurationError,
    AnymailError,
    AnymailWebhookValidationFailure,
)
from django.urls import path

from core.webhooks import is_too_old

# What anymail's parsers raise on a body that is not what the provider sends: bad JSON or
# UTF-8 (ValueError), missing or mistyped fields, a time no datetime can hold (OverflowError,
# or OSError for one the C clock holds but the system cannot turn into a date), SNS envelopes
# it cannot read (AnymailError), an inbound body posted to the tracking URL
# (AnymailConfigurationError).
UNREADABLE = (
    ValueError,
    LookupError,
    TypeError,
    AttributeError,
    ArithmeticError,
    OSError,
    AnymailError,
    AnymailConfigurationError,
)


@contextmanager
def refusing_unreadable(esp_name):
    try:
        yield
    except AnymailWebhookValidationFailure:
        raise
    except UNREADABLE as error:
        raise AnymailWebhookValidationFailure(f"Unreadable {esp_name} webhook body") from error


class RefuseUnreadable:
    """Mixed into anymail's view: a body that cannot be read is a 400, not a 500."""

    def run_validators(self, request):
        with refusing_unreadable(self.esp_name):
            super().run_validators(request)
            self.validate_after_anymail(request)

    def parse_events(self, request):
        with refusing_unreadable(self.esp_name):
            return super().parse_events(request)

    def validate_after_anymail(self, request):
        """Checks of Vigil's own, run once anymail's have passed."""


class RefuseStaleMailgunSignature(RefuseUnreadable):
    def validate_after_anymail(self, request):
        if request.content_type == "application/json":
            signed_at = json.loads(request.body.decode("utf-8"))["signature"]["timestamp"]
        else:
            signed_at = request.POST["timestamp"]
        moment = datetime.datetime.fromtimestamp(float(signed_at), tz=datetime.UTC)
        if is_too_old(moment):
            raise AnymailWebhookValidationFailure("Mailgun webhook signature is too old")


GUARDS = {"mailgun": RefuseStaleMailgunSignature}


def tracking_urlpatterns(provider):
    """The URL pattern of `provider`'s tracking webhook, guarded; none for a local backend."""
    name = f"{provider}_tracking_webhook"
    mounted = next((p for p in anymail.urls.urlpatterns if p.name == name), None)
    if mounted is None:  # a local backend (file, console, smtp) has no webhook
        return []
    anymail_view = mounted.callback.view_class
    guard = GUARDS.get(provider, RefuseUnreadable)
    view = type(anymail_view.__name__, (guard, anymail_view), {})
    return [path(str(mounted.pattern), view.as_view(), name=name)]
