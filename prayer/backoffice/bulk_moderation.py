"""Approve, reject or archive many prayer requests at once, after reading each one.

After a campaign a moderator may face forty requests. The listing's bulk actions
(/admin/bulk/prayer/prayerrequest/<approve|reject|archive>/?id=...) open one confirmation
page that shows every selected request's public text with its personal details highlighted;
confirming moderates each request through `apply_moderation`, the rule the single Approve
page uses, so a request whose consent ended is refused, and each change is logged on its own.
Only those who may change prayer requests get the page, and only they see the buttons.
"""

from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from prayer.backoffice.requests import (
    MODERATION_ACTIONS,
    ON_WALL,
    apply_moderation,
    short_title,
    text_to_check,
)
from prayer.models import PrayerRequest
from prayer.models.requests import CONSENT_ENDED_MESSAGE
from website.consent.status import ended_ids


class ModerateBulkAction(PermissionCheckedMixin, SnippetBulkAction):
    """One moderation action (`action_type`, a key of MODERATION_ACTIONS) on many requests."""

    models = [PrayerRequest]
    permission_required = "change"
    template_name = "prayer/requests/admin/bulk_moderate.html"

    @property
    def status(self):
        return MODERATION_ACTIONS[self.action_type][0]

    def check_perm(self, prayer_request):
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, "change", prayer_request
        )

    def get_all_objects_in_listing_query(self, parent_id):
        """The "select all in listing" box sends the listing's filters and search with `id=all`;
        Wagtail's default would then take every request in the database, the rejected and
        archived ones too. Take what the listing shows, through the listing's own view."""
        viewset = self.model.snippet_viewset
        view_class = viewset.index_view_class
        kwargs = {**viewset.get_common_view_kwargs(), **viewset.get_index_view_kwargs()}
        listing = view_class(
            **{  # as ViewSet.construct_view passes them
                key: value
                for key, value in kwargs.items()
                if hasattr(view_class, key) and value is not viewset.UNDEFINED
            }
        )
        listing.setup(self.request)
        return listing.get_queryset().values_list("pk", flat=True)

    @classmethod
    def get_queryset(cls, model, object_ids):
        # Ids come from the address: ignore what is not a number rather than answer a 500.
        ids = [value for value in object_ids if str(value).isdigit()]
        return list(model.objects.filter(pk__in=ids).order_by("created_at", "pk"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        items = context["items"]
        ended = ended_ids("prayer_request") if self.status in ON_WALL else set()
        for entry in items:
            prayer_request = entry["item"]
            if prayer_request.pk in ended:
                entry["refusal"] = CONSENT_ENDED_MESSAGE
            elif prayer_request.status == self.status:
                entry["refusal"] = "Already moderated this way: nothing will change."
        will_change = sum(1 for entry in items if "refusal" not in entry)
        context.update(
            action_label=self.display_name,
            past_tense=self.past_tense,
            going_public=self.status in ON_WALL,
            selected=f"{len(items)} prayer request{'' if len(items) == 1 else 's'}",
            will_change=will_change,
            button_label=f"Yes, {self.display_name.lower()} {will_change}",
        )
        return context

    def object_context(self, prayer_request):
        return {**super().object_context(prayer_request), "text": text_to_check(prayer_request)}

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        view = kwargs["self"]
        view.outcomes = [
            apply_moderation(prayer_request, view.action_type, view.request.user)
            for prayer_request in objects
        ]
        done = sum(outcome.done for outcome in view.outcomes)
        return done, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        refused = [outcome for outcome in self.outcomes if not outcome.done]
        for outcome in refused:
            messages.warning(
                self.request,
                f"#{outcome.prayer_request.pk} “{short_title(outcome.prayer_request)}” was not "
                f"{self.past_tense}: {outcome.reason}",
            )
        requests = "request" if num_parent_objects == 1 else "requests"
        summary = f"{num_parent_objects} prayer {requests} {self.past_tense}."
        if refused:
            summary += f" {len(refused)} not {self.past_tense}: see why below."
        if not num_parent_objects:
            messages.warning(self.request, summary)
            return None
        return summary


class ApproveBulkAction(ModerateBulkAction):
    display_name = "Approve"
    action_type = "approve"
    aria_label = "Approve the selected prayer requests"
    past_tense = "approved"
    action_priority = 10


class RejectBulkAction(ModerateBulkAction):
    display_name = "Reject"
    action_type = "reject"
    aria_label = "Reject the selected prayer requests"
    past_tense = "rejected"
    action_priority = 11


class ArchiveBulkAction(ModerateBulkAction):
    display_name = "Archive"
    action_type = "archive"
    aria_label = "Archive the selected prayer requests"
    past_tense = "archived"
    action_priority = 12


for bulk_action in (ApproveBulkAction, RejectBulkAction, ArchiveBulkAction):
    hooks.register("register_bulk_action", bulk_action)
