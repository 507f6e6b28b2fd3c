"""The dashboard panel: content whose consent ends soon, and what was taken down lately.

Each member of staff sees the content of their own group (Editors: stories and photos;
Prayer moderators: prayer requests). Two queries, however many records there are.
"""

import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.permission_policies import ModelPermissionPolicy

from website.consent.links import content_edit_url, record_edit_url
from website.consent.status import state_label
from website.models.consent import (
    PRAYER_REQUEST,
    ConsentRecord,
    EditorialConsent,
    PrayerRequestConsent,
)

# proxy model -> (the records it covers, where they are edited)
KINDS = {
    EditorialConsent: (Q(target=""), "consent_editorial"),
    PrayerRequestConsent: (Q(target=PRAYER_REQUEST), "consent_prayer"),
}


def visible_kinds(user):
    return {
        model: kind
        for model, kind in KINDS.items()
        if ModelPermissionPolicy(model).user_has_permission(user, "view")
    }


class ConsentDashboardPanel(Component):
    name = "consent"
    template_name = "website/consent/dashboard_panel.html"
    order = 120

    def __init__(self, kinds):
        self.kinds = kinds

    @staticmethod
    def rows(records):
        return [
            {
                "record": record,
                "state": state_label(record),
                "edit_url": record_edit_url(record),
                "content_url": content_edit_url(record),
            }
            for record in records
        ]

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        now = timezone.now()
        today = timezone.localdate(now)
        condition = Q(pk__in=[])
        for kind_condition, _namespace in self.kinds.values():
            condition |= kind_condition
        records = ConsentRecord.objects.filter(condition).with_content()
        ending = records.ending_soon(today, settings.CONSENT_ENDING_SOON_DAYS).order_by(
            "expires_on", "pk"
        )
        since = now - datetime.timedelta(days=settings.CONSENT_TAKEN_DOWN_SHOWN_DAYS)
        taken_down = records.filter(taken_down_at__gte=since).order_by("-taken_down_at", "-pk")
        list_urls = [reverse(f"{namespace}:index") for _condition, namespace in self.kinds.values()]
        context.update(
            ending=self.rows(ending),
            taken_down=self.rows(taken_down),
            ending_days=settings.CONSENT_ENDING_SOON_DAYS,
            taken_down_days=settings.CONSENT_TAKEN_DOWN_SHOWN_DAYS,
            ending_list_urls=[f"{url}?state=ending" for url in list_urls],
        )
        return context


@hooks.register("construct_homepage_panels")
def add_consent_panel(request, panels):
    kinds = visible_kinds(request.user)
    if kinds:
        panels.append(ConsentDashboardPanel(kinds))
