"""What every public form carries against bots and floods.

- a honeypot field people never see (bots fill it: they get the usual thank-you and nothing
  is stored or sent),
- a signed "form shown at" stamp: a form posted faster than `PUBLIC_FORM_MIN_FILL_SECONDS`
  comes back once with a polite request to check and send again (people who are that quick
  lose nothing; scripts that post blind never get through). So does a form posted more than
  `PUBLIC_FORM_MAX_AGE_SECONDS` after it was shown: a stamp harvested once cannot be replayed
  for ever, and a person who left the page open overnight loses nothing either,
- rate limits per IP and per email address (`RATE_LIMITS` in settings). A form over a limit
  comes back as it was typed, with a notice above it and status 429: nothing typed is lost.
  The per-IP limits are high, since a church hall on one Wi-Fi or a mobile carrier's shared
  address (CGNAT) is many people; the per-address limits carry the protection.

Usage in a form: `class SignUpForm(GuardedForm, forms.Form)`; in the view:

    form = SignUpForm(request.POST)
    if form.is_bot:
        return redirect(thanks)
    if not form.is_valid() or not within_limits(request, form, "volunteer-signup", email=...):
        return render(request, template, {"form": form}, status=error_status(form))

Only a form that would otherwise go through is counted: a typo costs nobody a sign-up.
"""

import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.http import HttpRequest

from core.page_cache import per_visitor
from core.ratelimit import client_ip, within_limit

HONEYPOT_FIELD = "website"
STAMP_FIELD = "form_started"
STAMP_SALT = "vigil:form-started"
TOO_QUICK = (
    "That was quicker than we expected from a person. Please check your answers and send "
    "the form again."
)
TOO_OLD = (
    "This page was open for a long time. Your answers are still here: please check them and "
    "send the form again."
)
LIMITED_CONNECTION = (
    "Many forms have been sent from this connection in the last few minutes (a shared Wi-Fi, "
    "perhaps). Your details are kept below: please send the form again in a few minutes."
)
LIMITED_ADDRESS = (
    "Several forms have been sent for this email address in a short time. Your details are "
    "kept below: please send the form again later."
)
RATE_LIMITED = "rate_limited"


STAMP_PLACEHOLDER = "vigil-page-cache-form-stamp-placeholder-3b91d4"


def signed_now() -> str:
    return signing.TimestampSigner(salt=STAMP_SALT).sign(str(int(time.time())))


def new_stamp() -> str:
    """A fresh stamp; on a page kept for many visitors, each visitor's own (core/page_cache.py)."""
    stamp: str = per_visitor(STAMP_PLACEHOLDER, signed_now)
    return stamp


def stamp_age(stamp: str | None) -> float | None:
    """Seconds since the form was shown, or None when the stamp is missing or forged."""
    if not stamp or len(stamp) > 200:
        return None
    try:
        shown_at = int(signing.TimestampSigner(salt=STAMP_SALT).unsign(stamp))
    except (signing.BadSignature, ValueError):
        return None
    return time.time() - shown_at


class GuardedForm(forms.Form):
    """Mix into a public form (put it first): adds the honeypot and the fill-time stamp."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[HONEYPOT_FIELD] = forms.CharField(  # type: ignore[call-arg]  # stubs lack template_name (Django 5.0)
            label="Leave this field empty",
            required=False,
            strip=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
            # Out of sight wherever it is rendered, even by `{{ form }}`.
            template_name="forms/honeypot.html",
        )
        self.fields[STAMP_FIELD] = forms.CharField(required=False, widget=forms.HiddenInput)
        # A fresh stamp on every rendering, so a form sent back ("too quick", "too old") can
        # pass.
        self.initial[STAMP_FIELD] = new_stamp()
        if self.is_bound:
            data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict or a dict
            data[STAMP_FIELD] = self.initial[STAMP_FIELD]
            self.data = data
            self._posted_stamp = (kwargs.get("data") or (args[0] if args else {})).get(
                STAMP_FIELD, ""
            )

    @property
    def is_bot(self) -> bool:
        return bool(self.is_bound and self.data.get(HONEYPOT_FIELD))

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        age = stamp_age(self._posted_stamp)
        if age is None or age < settings.PUBLIC_FORM_MIN_FILL_SECONDS:
            raise forms.ValidationError(TOO_QUICK, code="too_quick")
        if age > settings.PUBLIC_FORM_MAX_AGE_SECONDS:
            raise forms.ValidationError(TOO_OLD, code="too_old")
        return cleaned

    def visible_fields(self) -> list[forms.BoundField]:
        return [f for f in super().visible_fields() if f.name != HONEYPOT_FIELD]


def within_limits(
    request: HttpRequest, form: forms.Form, scope: str, email: str | None = None
) -> bool:
    """Count this POST against `RATE_LIMITS[scope]`: per IP, then per `email` when given.

    Over a limit, the form gets a non-field error saying so (and `form.rate_limited`), so the
    view renders it again with what was typed, status `error_status(form)`."""
    if not within_limit(scope, "ip", client_ip(request)):
        notice = LIMITED_CONNECTION
    elif email and not within_limit(scope, "email", email.strip().lower()):
        notice = LIMITED_ADDRESS
    else:
        return True
    form.add_error(None, forms.ValidationError(notice, code=RATE_LIMITED))
    form.rate_limited = True  # type: ignore[attr-defined]  # any form: templates read it
    return False


def error_status(form: forms.Form, mistakes: int = 400) -> int:
    """429 for a form refused by a rate limit, else `mistakes` (one with mistakes to correct)."""
    return 429 if getattr(form, "rate_limited", False) else mistakes
