"""Back office for vigils and prayer calendars: who prays when, empty slots, messages to all.

Slots and bookings are written by the public sign-up only (capacity lives in the database),
so staff read them here; organisers write to everyone signed up through "Vigil messages".
"""

import django_filters
from django import forms
from django.db.models import Count
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from core.backoffice import (
    AnonymousLogDeleteView,
    AnonymousLogEditView,
    NoAddPermissionPolicy,
    SafeExportIndexView,
)
from core.mailing import suppressed_addresses
from vigils.emails import send_message_to_everyone
from vigils.models import (
    CalendarSubscription,
    SlotBooking,
    VigilMessage,
    VigilPage,
    VigilSignup,
    VigilSlot,
)
from vigils.slots import slot_label


class ViewOnlyPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)


class SendOnlyPolicy(ModelPermissionPolicy):
    """A message is written once and sent; afterwards it is history."""

    def user_has_permission(self, user, action):
        return action in ("add", "view") and super().user_has_permission(user, action)


register_permission_policy(VigilSlot, ViewOnlyPolicy(VigilSlot))
register_permission_policy(SlotBooking, ViewOnlyPolicy(SlotBooking))
register_permission_policy(VigilMessage, SendOnlyPolicy(VigilMessage))
register_permission_policy(VigilSignup, NoAddPermissionPolicy(VigilSignup))
register_permission_policy(CalendarSubscription, NoAddPermissionPolicy(CalendarSubscription))


def host_time(slot):
    return slot_label(slot, slot.vigil.zone, day_format="%a %-d %b")


# Who prays when


class BookingFilterSet(WagtailFilterSet):
    vigil = django_filters.ModelChoiceFilter(
        field_name="slot__vigil", queryset=VigilPage.objects.order_by("-start_date"), label="Vigil"
    )
    starts_after = django_filters.DateTimeFilter(
        field_name="slot__starts_at", lookup_expr="gte", label="Starting from"
    )

    class Meta:
        model = SlotBooking
        fields: list[str] = []


class BookingIndexView(SafeExportIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("slot", "slot__vigil", "signup")
            .order_by("slot__starts_at", "pk")
        )


class BookingViewSet(ModelViewSet):
    model = SlotBooking
    icon = "user"
    menu_label = "Who prays when"
    url_prefix = "prayer/vigil-bookings"
    add_to_admin_menu = False
    copy_view_enabled = False
    index_view_class = BookingIndexView
    form_fields: list[str] = []
    filterset_class = BookingFilterSet
    search_fields = ["signup__email", "signup__display_name"]
    search_backend_name = None
    list_display = [
        Column("when", label="When (host time)", accessor=lambda b: host_time(b.slot)),
        Column("name", label="Name in the grid", accessor=lambda b: b.signup.public_name),
        Column("email", label="Email", accessor=lambda b: b.signup.email),
        Column("vigil", label="Vigil", accessor=lambda b: b.slot.vigil.title),
    ]
    list_export = [
        "slot.starts_at",
        "slot.ends_at",
        "signup.display_name",
        "signup.email",
        "slot.vigil.title",
    ]
    export_headings = {
        "slot.starts_at": "Starts (UTC)",
        "slot.ends_at": "Ends (UTC)",
        "signup.display_name": "Name in the grid",
        "signup.email": "Email",
        "slot.vigil.title": "Vigil",
    }
    export_filename = "vigil-who-prays-when"


# Slots, with the empty ones a click away


class SlotFilterSet(WagtailFilterSet):
    vigil = django_filters.ModelChoiceFilter(
        queryset=VigilPage.objects.order_by("-start_date"), label="Vigil"
    )
    empty = django_filters.BooleanFilter(
        label="Only empty slots", method="filter_empty", widget=forms.CheckboxInput
    )

    class Meta:
        model = VigilSlot
        fields = ["vigil"]

    def filter_empty(self, queryset, name, value):
        return queryset.filter(taken=0) if value else queryset


class SlotIndexView(SafeExportIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("vigil").order_by("starts_at")


class SlotViewSet(ModelViewSet):
    model = VigilSlot
    icon = "time"
    menu_label = "Vigil slots"
    url_prefix = "prayer/vigil-slots"
    add_to_admin_menu = False
    copy_view_enabled = False
    index_view_class = SlotIndexView
    form_fields: list[str] = []
    filterset_class = SlotFilterSet
    list_display = [
        Column("when", label="When (host time)", accessor=host_time),
        Column("vigil", label="Vigil", accessor=lambda slot: slot.vigil.title),
        "taken",
        Column("capacity", label="Places", accessor=lambda slot: slot.capacity or "No limit"),
    ]
    list_export = ["vigil.title", "starts_at", "ends_at", "taken", "capacity"]
    export_headings = {"vigil.title": "Vigil", "starts_at": "Starts (UTC)", "ends_at": "Ends (UTC)"}
    export_filename = "vigil-slots"


# People signed up


class SignupIndexView(SafeExportIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("vigil")
            .annotate(slot_count=Count("bookings"))
        )


class SignupFilterSet(WagtailFilterSet):
    vigil = django_filters.ModelChoiceFilter(
        queryset=VigilPage.objects.order_by("-start_date"), label="Vigil"
    )

    class Meta:
        model = VigilSignup
        fields = ["vigil", "status", "wants_organiser_email"]


class SignupViewSet(ModelViewSet):
    model = VigilSignup
    icon = "group"
    menu_label = "Vigil sign-ups"
    url_prefix = "prayer/vigil-signups"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = SignupIndexView
    edit_view_class = AnonymousLogEditView
    delete_view_class = AnonymousLogDeleteView
    form_fields = ["display_name", "wants_organiser_email"]
    filterset_class = SignupFilterSet
    search_fields = ["email", "display_name"]
    search_backend_name = None
    list_display = [
        "email",
        "display_name",
        Column("vigil", label="Vigil", accessor=lambda s: s.vigil.title),
        "status",
        Column("slot_count", label="Slots"),
        "created_at",
    ]
    list_export = [
        "email",
        "display_name",
        "vigil.title",
        "status",
        "slot_count",
        "time_zone",
        "created_at",
        "confirmed_at",
    ]
    export_headings = {"vigil.title": "Vigil", "slot_count": "Slots"}
    export_filename = "vigil-signups"


# Messages to everyone signed up


class MessageCreateView(CreateView):
    def save_instance(self):
        self.form.instance.created_by = self.request.user
        message = super().save_instance()
        send_message_to_everyone(message)
        return message

    def get_success_message(self, instance):
        emails = list(
            VigilSignup.objects.filter(
                vigil=instance.vigil,
                status=VigilSignup.Status.CONFIRMED,
                wants_organiser_email=True,
                bookings__isnull=False,
            )
            .distinct()
            .values_list("email", flat=True)
        )
        count = len(set(emails) - suppressed_addresses(emails))
        return (
            f"“{instance.subject}” is on its way to {count} {'person' if count == 1 else 'people'}."
        )


class MessageViewSet(ModelViewSet):
    model = VigilMessage
    icon = "mail"
    menu_label = "Vigil messages"
    url_prefix = "prayer/vigil-messages"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    add_view_class = MessageCreateView
    form_fields = ["vigil", "subject", "body"]
    list_display = ["subject", "vigil", "created_at", "finished_at", "recipient_count"]
    list_filter = ["vigil"]


class CalendarSubscriptionViewSet(ModelViewSet):
    model = CalendarSubscription
    icon = "date"
    menu_label = "Calendar subscribers"
    url_prefix = "prayer/calendar-subscriptions"
    add_to_admin_menu = False
    copy_view_enabled = False
    index_view_class = SafeExportIndexView
    edit_view_class = AnonymousLogEditView
    delete_view_class = AnonymousLogDeleteView
    form_fields = ["hour", "time_zone"]
    list_display = ["email", "calendar", "status", "hour", "time_zone", "created_at"]
    list_filter = ["calendar", "status"]
    search_fields = ["email"]
    search_backend_name = None
    list_export = [
        "email",
        "calendar",
        "status",
        "hour",
        "time_zone",
        "consent_at",
        "confirmed_at",
        "unsubscribed_at",
    ]
    export_filename = "prayer-calendar-subscribers"


viewsets = [
    BookingViewSet("prayer_vigil_bookings"),
    SlotViewSet("prayer_vigil_slots"),
    SignupViewSet("prayer_vigil_signups"),
    MessageViewSet("prayer_vigil_messages"),
    CalendarSubscriptionViewSet("prayer_calendar_subscriptions"),
]
