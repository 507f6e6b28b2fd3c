"""Signed links in volunteer emails: confirm a sign-up, manage sign-ups, the calendar feed.

The manage, confirm and keep-my-details links carry the volunteer's `link_version`, the feed its
`feed_version`: raising either revokes every link of that kind sent so far.
"""

from django.urls import reverse

from core.mailing import absolute
from core.signing import make_token

CONFIRM_PURPOSE = "volunteer-signup-confirm"
MANAGE_PURPOSE = "volunteer-manage"
FEED_PURPOSE = "volunteer-feed"
KEEP_PURPOSE = "volunteer-keep-details"
CONFIRM_MAX_AGE = 7 * 24 * 60 * 60


def confirm_path(signup):
    token = make_token(CONFIRM_PURPOSE, signup.pk, signup.volunteer.link_version)
    return reverse("volunteers:confirm", args=[token])


def manage_path(volunteer):
    token = make_token(MANAGE_PURPOSE, volunteer.pk, volunteer.link_version)
    return reverse("volunteers:manage", args=[token])


def feed_path(volunteer):
    token = make_token(FEED_PURPOSE, volunteer.pk, volunteer.feed_version)
    return reverse("volunteers:feed", args=[token])


def keep_details_path(volunteer):
    token = make_token(KEEP_PURPOSE, volunteer.pk, volunteer.link_version)
    return reverse("volunteers:keep_details", args=[token])


def confirm_url(signup):
    return absolute(confirm_path(signup))


def manage_url(volunteer):
    return absolute(manage_path(volunteer))


def feed_url(volunteer):
    return absolute(feed_path(volunteer))


def keep_details_url(volunteer):
    return absolute(keep_details_path(volunteer))
