"""The digests app's lists in the back office: subscriptions, the suppression list, digest
issues and deliveries, in the Prayer menu (prayer/wagtail_hooks.py); and its dashboard panel."""

from wagtail import hooks

from digests import dashboard  # noqa: F401  (registers hooks)
from digests.backoffice import digests, subscriptions
from prayer.wagtail_hooks import PRAYER_MENU_HOOK

# After the Prayer menu's own requests and topics (orders 1 and 2).
FIRST_ORDER = 3


@hooks.register("register_admin_viewset")
def register_digest_viewsets():
    viewsets = [*subscriptions.viewsets, *digests.viewsets]
    for order, viewset in enumerate(viewsets, start=FIRST_ORDER):
        viewset.menu_hook = PRAYER_MENU_HOOK
        viewset.menu_order = order
    return viewsets
