"""Signed links sent to churches: manage a registration, download a resource, unsubscribe,
and a contact's confirmation that the address and the details typed with it are theirs.

Each carries the registration's (or contact's) `link_version`: raising it revokes every
link sent so far. Manage links expire; download and unsubscribe links last as long as the
campaign's emails may be read.
"""

import datetime

from core.signing import SignedLink

MANAGE_PURPOSE = "campaign-registration"
DOWNLOAD_PURPOSE = "campaign-download"
UNSUBSCRIBE_PURPOSE = "campaign-updates-unsubscribe"
CONFIRM_CONTACT_PURPOSE = "campaign-contact-confirm"
MANAGE_MAX_AGE = int(datetime.timedelta(days=30).total_seconds())

MANAGE = SignedLink(
    MANAGE_PURPOSE, "campaigns.ChurchRegistration", "campaigns:manage", max_age=MANAGE_MAX_AGE
)
DOWNLOAD = SignedLink(DOWNLOAD_PURPOSE, "campaigns.ChurchRegistration", "campaigns:download")
UNSUBSCRIBE = SignedLink(
    UNSUBSCRIBE_PURPOSE, "campaigns.RegistrationContact", "campaigns:unsubscribe"
)
CONFIRM_CONTACT = SignedLink(
    CONFIRM_CONTACT_PURPOSE,
    "campaigns.RegistrationContact",
    "campaigns:confirm_contact",
    max_age=MANAGE_MAX_AGE,
)


def manage_url(registration):
    return MANAGE.url_for(registration)


def download_url(registration, resource_id):
    return DOWNLOAD.url_for(registration, resource_id)


def unsubscribe_url(contact_id, link_version):
    return UNSUBSCRIBE.url(contact_id, link_version)


def confirm_contact_url(contact):
    return CONFIRM_CONTACT.url_for(contact)
