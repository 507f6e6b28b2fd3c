"""The Prayer menu of the back office: requests, subscriptions and digests; and the bulk
moderation of requests."""

from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from prayer import dashboard  # noqa: F401  (registers hooks)
from prayer.backoffice import (
    bulk_moderation,  # noqa: F401  (registers hooks)
    digests,
    requests,
    subscriptions,
    vigils,
)


class PrayerGroup(ViewSetGroup):
    menu_label = "Prayer"
    menu_icon = "pick"
    menu_order = 200
    items = (*requests.viewsets, *subscriptions.viewsets, *digests.viewsets, *vigils.viewsets)


@hooks.register("register_admin_viewset")
def register_prayer_group():
    return PrayerGroup()
