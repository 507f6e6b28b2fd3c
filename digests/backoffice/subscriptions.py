"""Back office for prayer subscriptions and the suppression list.

Staff verify supporters for restricted items here, and lift suppressions. The audit log
names records by number, never by address: log entries outlive the people in them.
"""

import django_filters
from django import forms
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.coreutils import multigetattr
from wagtail.permissions import register_permission_policy

from core.backoffice import (
    AnonymousLogDeleteView,
    AnonymousLogEditView,
    NoAddPermissionPolicy,
    SafeExportIndexView,
)
from core.models import Suppression
from digests.models import Subscription
from prayer.models import Topic

register_permission_policy(Subscription, NoAddPermissionPolicy(Subscription))
register_permission_policy(Suppression, NoAddPermissionPolicy(Suppression))


class SubscriptionIndexView(SafeExportIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().prefetch_related("topics")

    def to_row_dict(self, item):
        return {
            field: (
                ", ".join(topic.name for topic in item.topics.all()) or "All topics"
                if field == "topics"
                else multigetattr(item, field)
            )
            for field in self.list_export
        }


class SubscriptionFilterSet(WagtailFilterSet):
    topics = django_filters.ModelMultipleChoiceFilter(
        queryset=Topic.objects.all(), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Subscription
        fields = ["status", "frequency", "topics", "wants_restricted", "restricted_verified"]


class SubscriptionViewSet(ModelViewSet):
    model = Subscription
    icon = "mail"
    menu_label = "Subscriptions"
    url_prefix = "prayer/subscriptions"
    url_namespace = "prayer_subscriptions"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = SubscriptionIndexView
    edit_view_class = AnonymousLogEditView
    delete_view_class = AnonymousLogDeleteView
    list_display = ["email", "name", "status", "frequency", "restricted_verified", "created_at"]
    filterset_class = SubscriptionFilterSet
    search_fields = ["email", "name"]
    search_backend_name = None
    form_fields = ["restricted_verified"]
    list_export = [
        "email",
        "name",
        "status",
        "frequency",
        "weekday",
        "time_zone",
        "topics",
        "wants_restricted",
        "restricted_verified",
        "consent_at",
        "consent_source",
        "confirmed_at",
        "unsubscribed_at",
        "last_digest_at",
        "next_digest_at",
    ]
    export_headings = {"topics": "Topics"}
    export_filename = "prayer-subscriptions"


class SuppressionEditView(AnonymousLogEditView):
    def save_instance(self):
        if not self.form.cleaned_data["active"]:
            self.form.instance.soft_bounce_count = 0
        return super().save_instance()

    def log_data(self, instance):
        return {"lifted": not instance.active, "reason": instance.reason}


class SuppressionViewSet(ModelViewSet):
    model = Suppression
    icon = "warning"
    menu_label = "Suppressions"
    url_prefix = "prayer/suppressions"
    url_namespace = "prayer_suppressions"
    add_to_admin_menu = False
    copy_view_enabled = False
    index_view_class = SafeExportIndexView
    edit_view_class = SuppressionEditView
    delete_view_class = AnonymousLogDeleteView
    list_display = ["email", "reason", "active", "soft_bounce_count", "updated_at"]
    list_filter = ["active", "reason"]
    search_fields = ["email"]
    search_backend_name = None
    form_fields = ["active"]
    list_export = ["email", "reason", "active", "soft_bounce_count", "created_at", "updated_at"]
    export_filename = "suppressions"


viewsets = [SubscriptionViewSet("prayer_subscriptions"), SuppressionViewSet("prayer_suppressions")]
