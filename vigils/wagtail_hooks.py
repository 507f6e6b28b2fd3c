"""The vigils app's lists in the back office (bookings, slots, sign-ups, organisers' messages,
calendar subscribers), in the Prayer menu (prayer/wagtail_hooks.py); and its dashboard panel."""

from wagtail import hooks

from prayer.wagtail_hooks import PRAYER_MENU_HOOK
from vigils import backoffice, dashboard  # noqa: F401  (dashboard registers hooks)

# After the Prayer menu's requests and topics and the digests app's lists.
FIRST_ORDER = 20


@hooks.register("register_admin_viewset")
def register_vigil_viewsets():
    for order, viewset in enumerate(backoffice.viewsets, start=FIRST_ORDER):
        viewset.menu_hook = PRAYER_MENU_HOOK
        viewset.menu_order = order
    return backoffice.viewsets
