"""Back office for church registrations and their contacts: filters, search, export, merge.

Registrations come only from the public form (no "add" here). Coordinators correct them,
delete them, and merge two the matcher missed; every merge is written to Wagtail's log.
"""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.generic import TemplateView
from django_countries import countries
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log
from wagtail.permissions import register_permission_policy

from campaigns.backoffice.base import CampaignAdminPage
from campaigns.matching import match_key
from campaigns.models import (
    PARTICIPATION_FIELDS,
    CampaignPage,
    ChurchRegistration,
    Participation,
    RegistrationContact,
    ResourceDownload,
)
from campaigns.registration import merge_registrations
from core.backoffice import (
    AnonymousLogDeleteView,
    AnonymousLogEditView,
    AuditedExportMixin,
    NoAddPermissionPolicy,
    safe_cell,
)

MERGE_ACTION = "vigil.campaigns.merge"


@hooks.register("register_log_actions")
def register_campaign_log_actions(actions):
    actions.register_action(MERGE_ACTION, "Merge registrations", "Merged another registration")


register_permission_policy(ChurchRegistration, NoAddPermissionPolicy(ChurchRegistration))
register_permission_policy(RegistrationContact, NoAddPermissionPolicy(RegistrationContact))


class RegistrationFilterSet(WagtailFilterSet):
    campaign = django_filters.ModelChoiceFilter(
        queryset=CampaignPage.objects.order_by("-start_date")
    )
    country = django_filters.ChoiceFilter(choices=countries)
    participation = django_filters.ChoiceFilter(
        label="Taking part by", choices=Participation.choices, method="filter_participation"
    )
    downloaded = django_filters.BooleanFilter(
        label="Downloaded the kit", method="filter_downloaded"
    )

    class Meta:
        model = ChurchRegistration
        fields = ["campaign", "country", "participation", "downloaded", "listed_publicly"]

    def filter_participation(self, queryset, name, value):
        field = PARTICIPATION_FIELDS.get(value)
        return queryset.filter(**{field: True}) if field else queryset

    def filter_downloaded(self, queryset, name, value):
        if value is None:
            return queryset
        fetched = Exists(ResourceDownload.objects.filter(registration=OuterRef("pk")))
        return queryset.filter(fetched if value else ~fetched)


class RegistrationIndexView(AuditedExportMixin, IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("campaign")
            .annotate(download_count=Count("downloads", distinct=True))
            .prefetch_related(
                Prefetch("contacts", queryset=RegistrationContact.objects.order_by("id"))
            )
        )

    def search_queryset(self, queryset):
        # Searching contacts' names and addresses joins them: one row per registration.
        return super().search_queryset(queryset).distinct()

    def to_row_dict(self, item):
        contacts = list(item.contacts.all())
        values = {
            "church_name": item.church_name,
            "denomination": item.denomination,
            "city": item.city,
            "region": item.region,
            "country": item.country.name,
            "campaign": item.campaign.title,
            "expected_attendance": item.expected_attendance,
            "participation": item.participation_display(),
            "listed_publicly": item.listed_publicly,
            # Details nobody has proven (typed by whoever filled a form) are marked as such.
            "contact_names": "; ".join(contact.marked(contact.name) for contact in contacts),
            "contact_emails": "; ".join(contact.email for contact in contacts),
            "contact_phones": "; ".join(
                contact.marked(contact.phone) for contact in contacts if contact.phone
            ),
            "updates": "; ".join(
                "yes" if contact.receives_updates else "no" for contact in contacts
            ),
            "download_count": item.download_count or 0,
            "created_at": item.created_at,
        }
        return {field: safe_cell(values[field]) for field in self.list_export}

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if self.permission_policy.user_has_permission(self.request.user, "delete"):
            buttons.append(
                MenuItem(
                    "Merge another registration into this one",
                    url=reverse("campaign_registrations:merge", args=[instance.pk]),
                    icon_name="resubmit",
                    priority=40,
                )
            )
        return buttons


class RegistrationEditView(AnonymousLogEditView):
    """Edits keep the matching key in step with the name, town and country."""

    def save_instance(self):
        instance = self.form.instance
        instance.match_key = match_key(instance.church_name, instance.city, instance.country)
        return super().save_instance()

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except IntegrityError:
            form.add_error(
                None,
                "Another registration for this campaign has this church name in this town. "
                "Merge the two instead.",
            )
            return self.form_invalid(form)


class MergeForm(forms.Form):
    other = forms.ModelChoiceField(
        label="Registration to merge into this one (it will be deleted)",
        queryset=ChurchRegistration.objects.none(),
        error_messages={"required": "Please choose the registration to merge."},
    )

    def __init__(self, *args, keep, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = (
            ChurchRegistration.objects.filter(campaign_id=keep.campaign_id)
            .exclude(pk=keep.pk)
            .order_by("church_name", "city")
        )
        self.fields["other"].label_from_instance = lambda r: (
            f"{r.church_name}, {r.city}, {r.country.name} (#{r.pk})"
        )


class MergeView(CampaignAdminPage, TemplateView):
    """GET shows the choice; POST merges the chosen registration into this one."""

    template_name = "campaigns/admin/merge.html"
    page_title = "Merge registrations"
    viewset = None

    def get_parent(self):
        return ("Registrations", reverse(self.viewset.get_url_name("index")))

    def dispatch(self, request, pk):
        policy = self.viewset.permission_policy
        if not (
            policy.user_has_permission(request.user, "delete")
            and policy.user_has_permission(request.user, "change")
        ):
            raise PermissionDenied
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        self.keep = get_object_or_404(ChurchRegistration.objects.select_related("campaign"), pk=pk)
        self.form = MergeForm(request.POST or None, keep=self.keep)
        return super().dispatch(request, pk=pk)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "keep": self.keep,
            "contacts": list(self.keep.contacts.all()),
            "form": self.form,
            "list_url": reverse(self.viewset.get_url_name("index")),
        }

    def post(self, request, pk):
        if not self.form.is_valid():
            return self.render_to_response(self.get_context_data(), status=400)
        other = self.form.cleaned_data["other"]
        other_label = f"{other.church_name}, {other.city} (#{other.pk})"
        other_id = other.pk
        moved = merge_registrations(self.keep, other)
        log(
            self.keep,
            MERGE_ACTION,
            user=request.user,
            data={"merged_registration": other_id, "contacts_moved": moved},
        )
        messages.success(request, f"{other_label} is merged into {self.keep.church_name}.")
        return redirect(self.viewset.get_url_name("edit"), self.keep.pk)


class RegistrationViewSet(ModelViewSet):
    model = ChurchRegistration
    icon = "group"
    menu_label = "Registrations"
    url_prefix = "campaigns/registrations"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = RegistrationIndexView
    edit_view_class = RegistrationEditView
    list_display = [
        "church_name",
        "city",
        "country",
        "campaign",
        "expected_attendance",
        Column("participation_display", label="Taking part"),
        Column("download_count", label="Resources opened"),
        "created_at",
    ]
    filterset_class = RegistrationFilterSet
    search_fields = ["church_name", "city", "denomination", "contacts__name", "contacts__email"]
    search_backend_name = None
    form_fields = [
        "church_name",
        "denomination",
        "city",
        "region",
        "country",
        "expected_attendance",
        "will_preach",
        "will_pray",
        "will_give",
        "will_host_screening",
        "listed_publicly",
    ]
    list_export = [
        "church_name",
        "denomination",
        "city",
        "region",
        "country",
        "campaign",
        "expected_attendance",
        "participation",
        "listed_publicly",
        "contact_names",
        "contact_emails",
        "contact_phones",
        "updates",
        "download_count",
        "created_at",
    ]
    export_headings = {
        "participation": "Taking part",
        "contact_names": "Contacts",
        "contact_emails": "Contact emails",
        "contact_phones": "Contact phones",
        "updates": "Receives updates",
        "download_count": "Resources opened",
    }
    export_filename = "church-registrations"
    ordering = ["-created_at"]

    @property
    def merge_view(self):
        return self.construct_view(MergeView, viewset=self)

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("merge/<int:pk>/", self.merge_view, name="merge")]


class ContactIndexView(AuditedExportMixin, IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("registration", "campaign")

    def to_row_dict(self, item):
        values = {field: str(getattr(item, field)) for field in self.list_export}
        values.update(name=item.marked(item.name), phone=item.marked(item.phone))
        values["address_confirmed_at"] = item.address_confirmed_at or "Not confirmed"
        return {field: safe_cell(value) for field, value in values.items()}


def confirmed_column(contact):
    return "Yes" if contact.is_confirmed else "Not yet: details unconfirmed"


class ContactViewSet(ModelViewSet):
    model = RegistrationContact
    icon = "user"
    menu_label = "Registration contacts"
    url_prefix = "campaigns/contacts"
    add_to_admin_menu = False
    copy_view_enabled = False
    index_view_class = ContactIndexView
    edit_view_class = AnonymousLogEditView
    delete_view_class = AnonymousLogDeleteView
    list_display = [
        "name",
        "email",
        "role",
        "registration",
        Column("confirmed", label="Address confirmed", accessor=confirmed_column),
        "consents_to_updates",
        "created_at",
    ]
    list_filter = ["campaign", "consents_to_updates"]
    search_fields = ["name", "email", "registration__church_name"]
    search_backend_name = None
    form_fields = ["name", "role", "phone", "consents_to_updates", "unsubscribed_at"]
    list_export = [
        "name",
        "email",
        "role",
        "phone",
        "registration",
        "consents_to_updates",
        "address_confirmed_at",
    ]
    export_filename = "campaign-contacts"


viewsets = [
    RegistrationViewSet("campaign_registrations"),
    ContactViewSet("campaign_contacts"),
]
