"""Signed links in volunteer emails: confirm a sign-up, manage sign-ups, the calendar feed.

The manage, confirm and keep-my-details links carry the volunteer's `link_version`, the feed its
`feed_version`: raising either revokes every link of that kind sent so far.
"""

from core.signing import SignedLink

CONFIRM_PURPOSE = "volunteer-signup-confirm"
MANAGE_PURPOSE = "volunteer-manage"
FEED_PURPOSE = "volunteer-feed"
KEEP_PURPOSE = "volunteer-keep-details"
CONFIRM_MAX_AGE = 7 * 24 * 60 * 60

CONFIRM = SignedLink(
    CONFIRM_PURPOSE,
    "volunteers.SignUp",
    "volunteers:confirm",
    version_field="volunteer__link_version",
    max_age=CONFIRM_MAX_AGE,
)
MANAGE = SignedLink(MANAGE_PURPOSE, "volunteers.Volunteer", "volunteers:manage")
FEED = SignedLink(FEED_PURPOSE, "volunteers.Volunteer", "volunteers:feed", "feed_version")
KEEP = SignedLink(KEEP_PURPOSE, "volunteers.Volunteer", "volunteers:keep_details")


def confirm_path(signup):
    return CONFIRM.path_for(signup)


def manage_path(volunteer):
    return MANAGE.path_for(volunteer)


def feed_path(volunteer):
    return FEED.path_for(volunteer)


def keep_details_path(volunteer):
    return KEEP.path_for(volunteer)


def confirm_url(signup):
    return CONFIRM.url_for(signup)


def manage_url(volunteer):
    return MANAGE.url_for(volunteer)


def feed_url(volunteer):
    return FEED.url_for(volunteer)


def keep_details_url(volunteer):
    return KEEP.url_for(volunteer)
