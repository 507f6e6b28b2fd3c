"""The Prayer menu of the back office, and the bulk moderation of requests.

The menu holds the requests and topics; the digests and vigils apps add their lists to it
through its submenu hook (PRAYER_MENU_HOOK), so that editors find all prayer work in one place
while prayer imports neither app."""

from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem
from wagtail.admin.viewsets.base import ViewSetGroup

from prayer import dashboard  # noqa: F401  (registers hooks)
from prayer.backoffice import (
    bulk_moderation,  # noqa: F401  (registers hooks)
    requests,
)

# Other apps' viewsets name this hook (`menu_hook=PRAYER_MENU_HOOK`) to sit in the Prayer menu.
PRAYER_MENU_HOOK = "register_prayer_menu_item"


class PrayerGroup(ViewSetGroup):
    menu_label = "Prayer"
    menu_icon = "pick"
    menu_order = 200
    submenu_hook = PRAYER_MENU_HOOK
    items = requests.viewsets

    def get_menu_item(self, order=None):
        """The group's item says how many requests wait too, e.g. "Prayer (4)", so that a
        moderator sees it with the menu closed."""
        return WaitingCountSubmenuMenuItem(
            label=self.menu_label,
            menu=Menu(register_hook_name=self.submenu_hook, items=self.get_submenu_items()),
            name=self.menu_name,
            icon_name=self.menu_icon,
            order=self.get_menu_item_order(order),
        )


class WaitingCountSubmenuMenuItem(SubmenuMenuItem):
    def render_component(self, request):
        component = super().render_component(request)
        if requests.may_moderate(request.user):
            component.label = requests.menu_label_with_count(
                self.label, requests.waiting_count(request)
            )
        return component


@hooks.register("register_admin_viewset")
def register_prayer_group():
    return PrayerGroup()
