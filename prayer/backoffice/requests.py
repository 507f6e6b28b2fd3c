"""Back office for prayer requests: moderation queue, filters, export, and prayer topics.

Regions are registered as a snippet by website/wagtail_hooks.py.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, Panel
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log
from wagtail.snippets.views.snippets import EditView, IndexView

from core.backoffice import (
    AuditedExportMixin,
    PermissionCheckedSnippetViewSet,
    SafeExportMixin,
)
from prayer.models import PrayerRequest, Topic
from prayer.models.requests import CONSENT_ENDED_MESSAGE
from prayer.moderation import find_personal_details, highlight
from website.consent.status import consent_has_ended

Status = PrayerRequest.Status

# action slug -> (new status, log action, button label, log message)
MODERATION_ACTIONS = {
    "approve": (Status.APPROVED, "vigil.prayer.approve", "Approve", "Approved for the wall"),
    "reject": (Status.REJECTED, "vigil.prayer.reject", "Reject", "Rejected"),
    "answer": (Status.ANSWERED, "vigil.prayer.answer", "Mark answered", "Marked answered"),
    "archive": (Status.ARCHIVED, "vigil.prayer.archive", "Archive", "Archived"),
}
ACTION_FOR_STATUS = {status: slug for slug, (status, *_rest) in MODERATION_ACTIONS.items()}
ON_WALL = (Status.APPROVED, Status.ANSWERED)


@hooks.register("register_log_actions")
def register_prayer_log_actions(actions):
    for _status, action, label, message in MODERATION_ACTIONS.values():
        actions.register_action(action, label, message)


def available_actions(prayer_request):
    """The moderation actions that change this request's status."""
    return [
        slug
        for slug, (status, *_rest) in MODERATION_ACTIONS.items()
        if status != prayer_request.status
    ]


def record_moderation(prayer_request, user, now=None):
    """Stamp who moderated the request and when, and write it to Wagtail's log."""
    now = now or timezone.now()
    prayer_request.moderated_by = user
    prayer_request.moderated_at = now
    fields = ["status", "moderated_by", "moderated_at", "updated_at"]
    if (
        prayer_request.status in (Status.APPROVED, Status.ANSWERED)
        and not prayer_request.approved_at
    ):
        prayer_request.approved_at = now
        fields.append("approved_at")
    if prayer_request.status == Status.ANSWERED and not prayer_request.answered_at:
        prayer_request.answered_at = now
        fields.append("answered_at")
    prayer_request.save(update_fields=fields)
    action = MODERATION_ACTIONS.get(ACTION_FOR_STATUS.get(prayer_request.status))
    if action:
        log(prayer_request, action[1], user=user)


def short_title(prayer_request):
    """The request's title cut to a few words, to name it in a header or a message."""
    return Truncator(Truncator(prayer_request.title).words(7)).chars(50)


def moderate_url(prayer_request, slug):
    viewset = PrayerRequest.snippet_viewset
    return reverse(viewset.get_url_name("moderate"), args=[prayer_request.pk, slug])


def moderate(prayer_request, slug, user, now=None):
    status = MODERATION_ACTIONS[slug][0]
    with transaction.atomic():
        prayer_request.status = status
        record_moderation(prayer_request, user, now=now)


@dataclass(frozen=True)
class Outcome:
    """What one moderation action did to one request: `done`, or refused with a `reason`."""

    prayer_request: PrayerRequest
    done: bool
    reason: str = ""


ALREADY_MODERATED = "It was already moderated this way."


def apply_moderation(prayer_request, slug, user, now=None):
    """Moderate one request under the rules every way of moderating shares (one request or
    many): a request whose consent ended never goes on the wall, and moderating it the way
    it already is changes nothing and logs nothing (a second click, a second tab)."""
    status = MODERATION_ACTIONS[slug][0]
    if status in ON_WALL and consent_has_ended(prayer_request):
        return Outcome(prayer_request, done=False, reason=CONSENT_ENDED_MESSAGE)
    if prayer_request.status == status:
        return Outcome(prayer_request, done=False, reason=ALREADY_MODERATED)
    moderate(prayer_request, slug, user, now=now)
    return Outcome(prayer_request, done=True)


PUBLIC_FIELDS = (
    ("title", "Title"),
    ("public_text", "Public text"),
    ("praise_report", "Praise report"),
)


def text_to_check(prayer_request):
    """What a moderator reads before a request goes on the wall: each public field that has
    text, as escaped HTML with the personal details in <mark>, and whether any was spotted.
    For templates/prayer/requests/admin/text_to_check.html."""
    fields = []
    for name, label in PUBLIC_FIELDS:
        text = getattr(prayer_request, name, "") or ""
        if text:
            findings = find_personal_details(text)
            fields.append(
                {"name": name, "label": label, "findings": findings, "html": highlight(text)}
            )
    return {
        "title_html": highlight(prayer_request.title),
        "fields": fields,
        "spotted": any(field["findings"] for field in fields),
    }


class PersonalDetailsPanel(Panel):
    """Read-only: the public fields with anything that looks like a personal detail highlighted."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "prayer/requests/admin/personal_details_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            checked = []
            for name, label in PUBLIC_FIELDS:
                text = getattr(self.instance, name, "") or ""
                findings = find_personal_details(text)
                if findings:
                    checked.append({"label": label, "findings": findings, "html": highlight(text)})
            context["checked"] = checked
            return context


class PrayerRequestIndexView(SafeExportMixin, AuditedExportMixin, IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().prefetch_related("topics", "regions")

    @cached_property
    def can_moderate(self):
        return self.permission_policy.user_has_permission(self.request.user, "change")

    @cached_property
    def columns(self):
        """Without the right to moderate, no boxes to select requests for bulk actions."""
        columns = super().columns
        if self.can_moderate:
            return columns
        return [column for column in columns if not isinstance(column, BulkActionsCheckboxColumn)]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "can_moderate": self.can_moderate}

    def to_row_dict(self, item):
        """Like Wagtail's, but many-to-many fields become a comma-separated list of names."""
        return {
            field: (
                ", ".join(str(related) for related in getattr(item, field).all())
                if field in ("topics", "regions")
                else getattr(item, field)
            )
            for field in self.list_export
        }

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if self.can_moderate:
            for priority, slug in enumerate(available_actions(instance), start=30):
                buttons.append(
                    MenuItem(
                        MODERATION_ACTIONS[slug][2],
                        url=moderate_url(instance, slug),
                        icon_name="tick" if slug == "approve" else "pick",
                        priority=priority,
                    )
                )
        return buttons


class PrayerRequestEditView(EditView):
    def get_object(self, queryset=None):
        instance = super().get_object(queryset)
        self.status_before_edit = instance.status
        return instance

    def save_instance(self):
        instance = super().save_instance()
        if instance.status != self.status_before_edit:
            record_moderation(instance, self.request.user)
        return instance

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        for priority, slug in enumerate(available_actions(self.object), start=30):
            buttons.append(
                Button(
                    MODERATION_ACTIONS[slug][2],
                    url=moderate_url(self.object, slug),
                    icon_name="tick" if slug == "approve" else "pick",
                    priority=priority,
                )
            )
        return buttons


class ModerateView(WagtailAdminTemplateMixin, TemplateView):
    """GET asks for confirmation (a link must not change anything); POST moderates."""

    template_name = "prayer/requests/admin/moderate.html"
    viewset = None
    header_icon = "pick"

    def dispatch(self, request, pk, action):
        if action not in MODERATION_ACTIONS:
            raise Http404("No such moderation action")
        if not self.viewset.permission_policy.user_has_permission(request.user, "change"):
            raise PermissionDenied
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        self.object = get_object_or_404(PrayerRequest, pk=pk)
        self.action = action
        return super().dispatch(request, pk=pk, action=action)

    @property
    def page_title(self):
        title = short_title(self.object)
        return f"{MODERATION_ACTIONS[self.action][2]} prayer request #{self.object.pk} “{title}”"

    def get_breadcrumbs_items(self):
        """…› Prayer requests › the request › "Approve prayer request #12 “For my sister…”":
        the last crumb is the header a sighted moderator reads."""
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.viewset.get_url_name("list")), "label": "Prayer requests"},
            {
                "url": reverse(self.viewset.get_url_name("edit"), args=[self.object.pk]),
                "label": short_title(self.object),
            },
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            action_label=MODERATION_ACTIONS[self.action][2],
            edit_url=reverse(self.viewset.get_url_name("edit"), args=[self.object.pk]),
            text=text_to_check(self.object),
            going_public=MODERATION_ACTIONS[self.action][0] in ON_WALL,
        )
        return context

    def post(self, request, pk, action):
        outcome = apply_moderation(self.object, action, request.user)
        if outcome.done:
            messages.success(
                request, f"“{self.object.title}”: {MODERATION_ACTIONS[action][3].lower()}."
            )
        elif outcome.reason == ALREADY_MODERATED:
            messages.warning(request, f"“{self.object.title}” was already moderated this way.")
        else:
            messages.error(request, f"“{self.object.title}”: {outcome.reason}")
        return redirect(self.viewset.get_url_name("list"))


def waiting_list_url():
    """The list of requests waiting for moderation."""
    return reverse(PrayerRequest.snippet_viewset.get_url_name("list")) + "?status=submitted"


def menu_label_with_count(label, count):
    return f"{label} ({count})" if count else label


def waiting_count(request):
    """How many requests wait for moderation, counted once a request (the menu shows it
    twice: on the Prayer group and on its Prayer requests item)."""
    if not hasattr(request, "_prayer_requests_waiting"):
        request._prayer_requests_waiting = PrayerRequest.objects.waiting().count()
    return request._prayer_requests_waiting


def may_moderate(user):
    return PrayerRequest.snippet_viewset.permission_policy.user_has_permission(user, "change")


class PrayerRequestViewSet(PermissionCheckedSnippetViewSet):
    model = PrayerRequest
    icon = "pick"
    menu_label = "Prayer requests"
    menu_order = 100
    add_to_admin_menu = False
    index_view_class = PrayerRequestIndexView
    index_template_name = "prayer/requests/admin/index.html"
    edit_view_class = PrayerRequestEditView
    list_display = ["title", "status", "urgent", "prayed_count", "created_at"]
    list_filter = ["status", "topics", "regions", "urgent", "from_public_form"]
    search_fields = ["title", "public_text", "submitter_name"]
    search_backend_name = None
    ordering = ["-created_at"]
    list_export = [
        "id",
        "title",
        "status",
        "urgent",
        "topics",
        "regions",
        "public_text",
        "praise_report",
        "prayed_count",
        "publish_at",
        "expires_at",
        "created_at",
        "approved_at",
        "answered_at",
        "from_public_form",
        "submitter_name",
        "submitter_email",
        "wants_reply",
        "consent_to_publish",
    ]
    export_headings = {
        "id": "ID",
        "public_text": "Public text",
        "praise_report": "Praise report",
        "prayed_count": "Prayed",
        "publish_at": "Publish from",
        "expires_at": "Expires",
        "created_at": "Submitted",
        "approved_at": "Approved",
        "answered_at": "Answered",
        "from_public_form": "From the public form",
        "submitter_name": "Submitter name",
        "submitter_email": "Submitter email",
        "wants_reply": "Wants a reply",
        "consent_to_publish": "Consent to publish",
    }
    export_filename = "prayer-requests"

    panels = [
        PersonalDetailsPanel(heading="Check before publishing"),
        FieldPanel("title"),
        FieldPanel("public_text"),
        FieldPanel(
            "restricted_text",
            help_text="Only in digests to verified supporters who asked for it. Never on the web.",
        ),
        MultiFieldPanel(
            [
                FieldPanel("status"),
                FieldPanel("urgent"),
                FieldRowPanel([FieldPanel("publish_at"), FieldPanel("expires_at")]),
                FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
                FieldPanel("regions", widget=forms.CheckboxSelectMultiple),
                FieldPanel("campaign"),
            ],
            heading="On the wall",
        ),
        FieldPanel("praise_report"),
        MultiFieldPanel(
            [
                FieldPanel("submitter_name"),
                FieldPanel("submitter_email"),
                FieldPanel("wants_reply"),
                FieldPanel("consent_to_publish"),
                FieldPanel("from_public_form", read_only=True),
            ],
            heading="Submitted by",
        ),
        MultiFieldPanel(
            [
                FieldPanel("prayed_count", read_only=True),
                FieldPanel("created_at", read_only=True),
                FieldPanel("approved_at", read_only=True),
                FieldPanel("answered_at", read_only=True),
                FieldPanel("moderated_at", read_only=True),
                FieldPanel("moderated_by", read_only=True),
            ],
            heading="Record",
        ),
    ]

    @cached_property
    def menu_item_class(self):
        """The menu item says how many requests wait, e.g. "Prayer requests (4)": one count
        on the status index, asked only for those who see the item."""

        class WaitingCountMenuItem(super().menu_item_class):
            def render_component(self, request):
                component = super().render_component(request)
                component.label = menu_label_with_count(self.label, waiting_count(request))
                return component

        return WaitingCountMenuItem

    @property
    def moderate_view(self):
        return self.construct_view(ModerateView, viewset=self)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("moderate/<int:pk>/<slug:action>/", self.moderate_view, name="moderate"),
        ]


class TopicViewSet(PermissionCheckedSnippetViewSet):
    model = Topic
    icon = "tag"
    menu_label = "Prayer topics"
    menu_order = 110
    add_to_admin_menu = False
    list_display = ["name", "slug", "description"]
    search_fields = ["name", "description"]
    search_backend_name = None


viewsets = [PrayerRequestViewSet(), TopicViewSet()]
