"""Back office for resource kits: each campaign's documents and video links, with how many
churches opened each (campaigns.downloads)."""

from django.db.models import Count
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from campaigns.models import CampaignResource


class ResourceIndexView(IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("campaign", "document")
            .annotate(church_count=Count("downloads"))
        )


class ResourceViewSet(ModelViewSet):
    model = CampaignResource
    icon = "doc-full"
    menu_label = "Resource kits"
    url_prefix = "campaigns/resources"
    add_to_admin_menu = False
    copy_view_enabled = False
    index_view_class = ResourceIndexView
    list_display = [
        "title",
        "campaign",
        Column("kind", label="Kind"),
        "sort_order",
        Column("church_count", label="Churches who opened it"),
    ]
    list_filter = ["campaign"]
    search_fields = ["title", "description"]
    search_backend_name = None
    ordering = ["campaign", "sort_order", "id"]


viewsets = [ResourceViewSet("campaign_resources")]
