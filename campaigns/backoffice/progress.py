"""Campaign progress in the back office: registrations over time (a server-rendered SVG
chart with its table), and which churches opened which resource of the kit, and when first."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from campaigns.backoffice.base import CampaignAdminPage
from campaigns.models import CampaignPage, ChurchRegistration, ResourceDownload
from campaigns.progress import campaign_progress, chart, registrations_over_time

CHURCHES_SHOWN = 200
registrations_policy = ModelPermissionPolicy(ChurchRegistration)


class ProgressAccessMixin:
    def dispatch(self, request, *args, **kwargs):
        if not registrations_policy.user_has_permission(request.user, "view"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CampaignListView(ProgressAccessMixin, CampaignAdminPage, TemplateView):
    template_name = "campaigns/admin/progress_index.html"
    page_title = "Campaign progress"

    def get_context_data(self, **kwargs):
        campaigns = CampaignPage.objects.annotate(
            church_count=Count("registrations", distinct=True),
            attendance=Sum("registrations__expected_attendance"),
        ).order_by("-start_date")
        return {
            **super().get_context_data(**kwargs),
            "campaigns": [
                (campaign, reverse("campaign_progress:detail", args=[campaign.pk]))
                for campaign in campaigns
            ],
        }


class CampaignProgressView(ProgressAccessMixin, CampaignAdminPage, TemplateView):
    template_name = "campaigns/admin/progress.html"

    def get_page_title(self):
        return f"Progress: {self.campaign.title}"

    def get_parent(self):
        return ("Campaign progress", reverse("campaign_progress:index"))

    def get(self, request, pk):
        self.campaign = get_object_or_404(CampaignPage, pk=pk)
        return super().get(request, pk=pk)

    def get_context_data(self, **kwargs):
        campaign = self.campaign
        unit, bars = registrations_over_time(campaign)
        resources = list(
            campaign.resources.annotate(church_count=Count("downloads")).order_by(
                "sort_order", "pk"
            )
        )
        per_church = {}
        rows = (
            ResourceDownload.objects.filter(registration__campaign=campaign)
            .values_list("registration_id", "registration__church_name", "resource_id", "first_at")
            .order_by("registration__church_name", "registration_id")
        )
        for registration_id, church, resource_id, first_at in rows:
            entry = per_church.setdefault(registration_id, {"church": church, "opened": {}})
            entry["opened"][resource_id] = first_at
        churches = [
            {
                "church": entry["church"],
                "url": reverse("campaign_registrations:edit", args=[registration_id]),
                "opened": [entry["opened"].get(resource.pk) for resource in resources],
                "total": len(entry["opened"]),
            }
            for registration_id, entry in list(per_church.items())[:CHURCHES_SHOWN]
        ]
        registered = campaign.registrations.count()
        return {
            **super().get_context_data(**kwargs),
            "campaign": campaign,
            "progress": campaign_progress(campaign),
            "unit": unit,
            "chart": chart(bars),
            "resources": resources,
            "churches": churches,
            "churches_truncated": len(per_church) > CHURCHES_SHOWN,
            "downloaded_count": len(per_church),
            "not_downloaded_count": registered - len(per_church),
            "registrations_url": reverse("campaign_registrations:index")
            + f"?campaign={campaign.pk}",
        }


class ProgressMenuItem(MenuItem):
    def is_shown(self, request):
        return registrations_policy.user_has_permission(request.user, "view")


class ProgressViewSet(ViewSet):
    icon = "table"
    menu_label = "Progress"
    url_prefix = "campaigns/progress"

    def get_urlpatterns(self):
        return [
            path("", CampaignListView.as_view(), name="index"),
            path("<int:pk>/", CampaignProgressView.as_view(), name="detail"),
        ]

    @cached_property
    def menu_item_class(self):
        return ProgressMenuItem


viewsets = [ProgressViewSet("campaign_progress")]
