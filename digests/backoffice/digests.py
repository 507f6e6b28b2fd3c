"""Back office for prayer digests: each issue with its counts and progress, and deliveries.

Read-only: issues and deliveries are written by the dispatch only. Failed deliveries
(after repeated provider errors) are listed with their error, which never quotes the
provider's response (it may contain addresses).
"""

from django.db.models import Count, Q
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from core.backoffice import OpensRecordsMixin
from digests.models import DigestDelivery, DigestIssue


class ViewOnlyPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)


register_permission_policy(DigestIssue, ViewOnlyPermissionPolicy(DigestIssue))
register_permission_policy(DigestDelivery, ViewOnlyPermissionPolicy(DigestDelivery))

S = DigestDelivery.Status


def with_counts(queryset):
    """One query for a page of issues and all their counts."""
    return queryset.annotate(
        due_count=Count("deliveries"),
        sent_count=Count("deliveries", filter=Q(deliveries__status=S.SENT)),
        failed_count=Count("deliveries", filter=Q(deliveries__status=S.FAILED)),
        suppressed_count=Count("deliveries", filter=Q(deliveries__status=S.SUPPRESSED)),
        open_count=Count("deliveries", filter=Q(deliveries__status__in=[S.PENDING, S.CLAIMED])),
    )


def progress(issue):
    """ "12,000 of 40,000 (30%)" while sending; the outcome once done."""
    due = issue.due_count
    done = due - issue.open_count
    if not due:
        return "No recipients"
    percent = round(100 * done / due)
    return f"{done:,} of {due:,} done ({percent}%)"


class DigestIssueIndexView(IndexView):
    def get_base_queryset(self):
        return with_counts(super().get_base_queryset())


class DigestIssueViewSet(ModelViewSet):
    model = DigestIssue
    icon = "mail"
    menu_label = "Digest issues"
    url_prefix = "prayer/digests"
    index_view_class = DigestIssueIndexView
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields: list[str] = []  # never edited: the permission policy allows viewing only
    list_display = [
        "subject",
        "created_at",
        "status",
        Column("due_count", label="Due"),
        Column("sent_count", label="Sent"),
        Column("failed_count", label="Failed"),
        Column("suppressed_count", label="Suppressed"),
        Column("progress", label="Progress", accessor=progress),
    ]
    list_filter = ["status", "includes_restricted"]
    inspect_view_fields = [
        "subject",
        "created_at",
        "status",
        "finished_at",
        "includes_restricted",
        "request_ids",
        "story_ids",
        "body_text",
    ]
    ordering = ["-created_at"]


class DigestDeliveryIndexView(OpensRecordsMixin, IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("issue", "subscription")


class DigestDeliveryViewSet(ModelViewSet):
    model = DigestDelivery
    icon = "warning"
    menu_label = "Digest deliveries"
    url_prefix = "prayer/digest-deliveries"
    index_view_class = DigestDeliveryIndexView
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields: list[str] = []  # never edited: the permission policy allows viewing only
    list_display = [
        Column("issue", label="Issue"),
        Column("subscription", label="Subscriber"),
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "issue"]
    inspect_view_fields = [
        "issue",
        "subscription",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "message_id",
    ]
    ordering = ["-id"]


viewsets = [
    DigestIssueViewSet("prayer_digest_issues"),
    DigestDeliveryViewSet("prayer_digest_deliveries"),
]
