"""Back office for campaign updates: write, preview, send a test to yourself, send to all.

An update can be edited until it is sent; after that it is its send history (counts of
recipients, sent, suppressed and failed), read-only.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, DeleteView, EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button

from campaigns.backoffice.base import CampaignAdminPage
from campaigns.models import CampaignUpdate
from campaigns.updates import queue_test, recipients, render_update, start_sending, with_counts
from core.mailing import suppressed_addresses


class UpdateIndexView(IndexView):
    def get_base_queryset(self):
        return with_counts(super().get_base_queryset().select_related("campaign"))

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        buttons.append(
            MenuItem(
                "Preview",
                url=reverse("campaign_updates:preview", args=[instance.pk]),
                icon_name="view",
                priority=30,
            )
        )
        if instance.is_draft:
            buttons.append(
                MenuItem(
                    "Send to all…",
                    url=reverse("campaign_updates:send", args=[instance.pk]),
                    icon_name="mail",
                    priority=31,
                )
            )
        return buttons


class UpdateCreateView(CreateView):
    def save_instance(self):
        self.form.instance.created_by = self.request.user
        return super().save_instance()


class DraftOnlyMixin:
    """Sent updates are history: not edited, not deleted."""

    def dispatch(self, request, *args, **kwargs):
        update = get_object_or_404(CampaignUpdate, pk=kwargs.get("pk"))
        if not update.is_draft:
            messages.warning(request, f"“{update.subject}” was sent: it can no longer change.")
            return redirect("campaign_updates:inspect", update.pk)
        return super().dispatch(request, *args, **kwargs)


class UpdateEditView(DraftOnlyMixin, EditView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        for priority, (label, name, icon) in enumerate(
            [
                ("Preview", "preview", "view"),
                ("Send a test to me", "test", "mail"),
                ("Send to all…", "send", "mail"),
            ],
            start=30,
        ):
            buttons.append(
                Button(
                    label,
                    url=reverse(f"campaign_updates:{name}", args=[self.object.pk]),
                    icon_name=icon,
                    priority=priority,
                )
            )
        return buttons


class UpdateDeleteView(DraftOnlyMixin, DeleteView):
    pass


def require(viewset, request, action):
    if not viewset.permission_policy.user_has_permission(request.user, action):
        raise PermissionDenied


def preview(request, pk, viewset=None):
    """The email as recipients will see it (the unsubscribe link is a placeholder here)."""
    require(viewset, request, "view")
    update = get_object_or_404(CampaignUpdate.objects.select_related("campaign"), pk=pk)
    _subject, _text, body = render_update(update, unsubscribe_url="#unsubscribe-link")
    return HttpResponse(body)


class ConfirmView(CampaignAdminPage, TemplateView):
    """GET asks (a link must not send anything); POST acts."""

    template_name = "campaigns/admin/confirm_send.html"
    viewset = None
    action = ""

    def get_parent(self):
        return ("Updates to churches", reverse("campaign_updates:index"))

    def dispatch(self, request, pk):
        require(self.viewset, request, "change")
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        self.update = get_object_or_404(CampaignUpdate.objects.select_related("campaign"), pk=pk)
        return super().dispatch(request, pk=pk)

    def get_page_title(self):
        return f"{'Send a test' if self.action == 'test' else 'Send to all'}: {self.update.subject}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            update=self.update,
            action=self.action,
            preview_url=reverse("campaign_updates:preview", args=[self.update.pk]),
            edit_url=reverse("campaign_updates:edit", args=[self.update.pk]),
        )
        if self.action == "send":
            emails = list(recipients(self.update.campaign_id).values_list("email", flat=True))
            context["recipient_count"] = len(emails)
            context["suppressed_count"] = len(suppressed_addresses(emails))
        return context


class SendTestView(ConfirmView):
    action = "test"

    def post(self, request, pk):
        queue_test(self.update.pk, request.user.email)
        messages.success(request, f"A test copy is on its way to {request.user.email}.")
        return redirect("campaign_updates:edit", self.update.pk)


class SendView(ConfirmView):
    action = "send"

    def post(self, request, pk):
        if start_sending(self.update, request.user):
            messages.success(request, f"“{self.update.subject}” is being sent.")
        else:
            messages.warning(request, f"“{self.update.subject}” was already sent.")
        return redirect("campaign_updates:index")


class UpdateViewSet(ModelViewSet):
    model = CampaignUpdate
    icon = "mail"
    menu_label = "Updates to churches"
    url_prefix = "campaigns/updates"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = UpdateIndexView
    add_view_class = UpdateCreateView
    edit_view_class = UpdateEditView
    delete_view_class = UpdateDeleteView
    list_display = [
        "subject",
        "campaign",
        "status",
        "sent_at",
        Column("recipient_count", label="Recipients"),
        Column("sent_count", label="Sent"),
        Column("suppressed_count", label="Suppressed"),
        Column("failed_count", label="Failed"),
    ]
    list_filter = ["campaign", "status"]
    search_fields = ["subject"]
    search_backend_name = None
    inspect_view_fields = ["campaign", "subject", "status", "created_at", "sent_at", "finished_at"]
    ordering = ["-created_at"]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("preview/<int:pk>/", self.preview_view, name="preview"),
            path("test/<int:pk>/", self.construct_view(SendTestView, viewset=self), name="test"),
            path("send/<int:pk>/", self.construct_view(SendView, viewset=self), name="send"),
        ]

    def preview_view(self, request, pk):
        return preview(request, pk, viewset=self)


viewsets = [UpdateViewSet("campaign_updates")]
