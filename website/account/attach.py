"""Records made before the account existed join it once the address is verified.

People subscribe, volunteer and register churches by email, often long before they have an
account. When an address of an account becomes verified (a confirmation link or code, or a
sign-in by emailed code), or whenever the person signs in, the records made with a verified
address that can carry a user link are linked to the account. Records without such a link are
matched by verified address whenever they are asked for (core.privacy). An address that is
not verified attaches nothing: typing someone's address proves nothing. Nor does a verified
address bring the details someone typed with a request still waiting for its emailed link (a
volunteer's name and phone, a subscription's choices): each app keeps them on that request, and
only its link applies them (volunteers.signups.link_to_account).
"""

import logging

from allauth.account.signals import email_confirmed, user_signed_up
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from core.privacy import attach_everywhere, verified_addresses

logger = logging.getLogger(__name__)


def attach_records(user):
    counts = attach_everywhere(user, verified_addresses(user))
    if any(counts.values()):
        logger.info("Account %s: records attached %s", user.pk, counts)
    return counts


@receiver(email_confirmed, dispatch_uid="my-vigil-attach-on-email-confirmed")
def attach_on_email_confirmed(sender, request, email_address, **kwargs):
    attach_records(email_address.user)


@receiver(user_signed_up, dispatch_uid="my-vigil-attach-on-sign-up")
def attach_on_sign_up(sender, request, user, **kwargs):
    attach_records(user)


@receiver(user_logged_in, dispatch_uid="my-vigil-attach-on-sign-in")
def attach_on_sign_in(sender, request, user, **kwargs):
    attach_records(user)
