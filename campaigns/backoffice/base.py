"""What the custom back office pages of campaigns share: the header title and breadcrumbs."""

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin


class CampaignAdminPage(WagtailAdminTemplateMixin):
    """A back office page whose header names it, with a way back up (`parent`)."""

    header_icon = "group"

    def get_parent(self):
        """(label, url) of the listing this page belongs to, or None."""
        return None

    def get_breadcrumbs_items(self):
        items = list(self.breadcrumbs_items)
        if parent := self.get_parent():
            items.append({"label": parent[0], "url": parent[1]})
        return [*items, {"label": self.get_page_title(), "url": ""}]
