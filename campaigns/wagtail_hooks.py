"""The Campaigns menu of the back office: registrations, contacts, resource kits, updates
and progress."""

from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from campaigns import dashboard  # noqa: F401  (registers hooks)
from campaigns.backoffice import progress, registrations, resources, updates


class CampaignsGroup(ViewSetGroup):
    menu_label = "Campaigns"
    menu_icon = "group"
    menu_order = 300
    items = (
        *registrations.viewsets,
        *resources.viewsets,
        *updates.viewsets,
        *progress.viewsets,
    )


@hooks.register("register_admin_viewset")
def register_campaigns_group():
    return CampaignsGroup()
