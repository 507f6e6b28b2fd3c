"""Signed links sent to churches: manage a registration, download a resource, unsubscribe,
and a contact's confirmation that the address and the details typed with it are theirs.

Each carries the registration's (or contact's) `link_version`: raising it revokes every
link sent so far. Manage links expire; download and unsubscribe links last as long as the
campaign's emails may be read.
"""

import datetime

from django.urls import reverse

from core.mailing import absolute
from core.signing import BadToken, make_token, read_token

MANAGE_PURPOSE = "campaign-registration"
DOWNLOAD_PURPOSE = "campaign-download"
UNSUBSCRIBE_PURPOSE = "campaign-updates-unsubscribe"
CONFIRM_CONTACT_PURPOSE = "campaign-contact-confirm"
MANAGE_MAX_AGE = int(datetime.timedelta(days=30).total_seconds())


class LinkProblem(Exception):
    """400: tampered or expired. 404: revoked, or what it named is gone."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


def manage_url(registration):
    token = make_token(MANAGE_PURPOSE, registration.pk, registration.link_version)
    return absolute(reverse("campaigns:manage", args=[token]))


def download_url(registration, resource_id):
    token = make_token(DOWNLOAD_PURPOSE, registration.pk, registration.link_version)
    return absolute(reverse("campaigns:download", args=[resource_id, token]))


def unsubscribe_url(contact_id, link_version):
    token = make_token(UNSUBSCRIBE_PURPOSE, contact_id, link_version)
    return absolute(reverse("campaigns:unsubscribe", args=[token]))


def confirm_contact_url(contact):
    token = make_token(CONFIRM_CONTACT_PURPOSE, contact.pk, contact.link_version)
    return absolute(reverse("campaigns:confirm_contact", args=[token]))


def read_link(token, purpose, model, max_age=None, queryset=None):
    """The object a signed link names (its version must still be current)."""
    try:
        object_id, version = read_token(token, purpose, max_age=max_age)
    except BadToken as error:
        raise LinkProblem(400) from error
    if not isinstance(object_id, int) or not isinstance(version, int):
        raise LinkProblem(400)
    found = (queryset or model.objects).filter(pk=object_id, link_version=version).first()
    if found is None:
        raise LinkProblem(404)
    return found
