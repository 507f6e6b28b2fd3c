"""Back office for the editorial side: regions used by stories and prayer requests, and consent
(website/consent/: its menu, the story editor's refusal to publish, the dashboard panel)."""

from wagtail.snippets.models import register_snippet

from website.backoffice import PermissionCheckedSnippetViewSet
from website.consent import backoffice as consent_backoffice  # noqa: F401  (registers hooks)
from website.consent import dashboard as consent_dashboard  # noqa: F401  (registers hooks)
from website.models import Region


class RegionViewSet(PermissionCheckedSnippetViewSet):
    model = Region
    icon = "site"
    menu_label = "Regions"
    menu_order = 300
    add_to_admin_menu = False
    list_display = ["name", "slug"]
    search_fields = ["name"]


register_snippet(RegionViewSet)
