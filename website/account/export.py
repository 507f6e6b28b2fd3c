"""Everything Vigil holds about a person, gathered for the download and its readable page.

The account itself (addresses, dates, the kinds of second factor without their secrets) and
every app's records for the verified addresses (core.privacy). Never a password hash, a
token, a secret, or anybody else's data: each app exports only the person's own entries.
"""

import datetime
import json

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import dateformat, timezone

from core.privacy import export_everywhere, verified_addresses


def second_factor_record(authenticator):
    record = {
        "kind": authenticator.get_type_display(),
        "added_at": authenticator.created_at,
        "last_used_at": authenticator.last_used_at,
    }
    if authenticator.type == Authenticator.Type.WEBAUTHN:
        record["name"] = authenticator.wrap().name
    return record


def account_record(user):
    addresses = EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    authenticators = Authenticator.objects.filter(user=user).order_by("created_at", "pk")
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "joined_at": user.date_joined,
        "last_signed_in_at": user.last_login,
        "has_a_password": user.has_usable_password(),
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in addresses
        ],
        "second_factors": [second_factor_record(authenticator) for authenticator in authenticators],
    }


def gather(user, now=None):
    addresses = verified_addresses(user)
    return {
        "about_this_file": {
            "made_at": now or timezone.now(),
            "records_found_for": addresses,
            "note": "Records are found by your verified email addresses. An address you have "
            "not verified shows nothing, so that nobody sees records made with their address "
            "by someone else.",
        },
        "account": account_record(user),
        **export_everywhere(addresses),
    }


def as_json(data):
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


# The readable page: the same data as nested nodes a template can walk.


def label(key):
    return key.replace("_", " ").capitalize()


def text(value):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return dateformat.format(timezone.localtime(value), "j F Y, H:i T")
    if isinstance(value, datetime.date):
        return dateformat.format(value, "j F Y")
    return str(value)


def readable(value):
    """{"pairs": [(label, node)]}, {"entries": [node]} or {"text": str}, nested as the data."""
    if isinstance(value, dict):
        return {"pairs": [(label(key), readable(inner)) for key, inner in value.items()]}
    if isinstance(value, list | tuple):
        if not value:
            return {"text": "None"}
        return {"entries": [readable(inner) for inner in value]}
    return {"text": text(value)}
