"""Where staff record consent: a Consent menu with one list per group, and the refusal to
publish a story whose consent has ended.

Editors manage consent for stories and photos, Prayer moderators for prayer requests: two
lists over the same records (proxy models with their own permissions), so neither group sees
the people behind the other's content. Nobody but a superuser deletes a record: deleting the
record of a withdrawal would let its content back on the site.
"""

import django_filters
from django import forms
from django.conf import settings
from django.shortcuts import redirect
from django.utils import timezone
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from core.backoffice import OpensRecordsMixin
from website.consent.status import consent_has_ended, state_label
from website.consent.takedown import TAKE_DOWN_ACTION
from website.consent.tasks import take_down_soon
from website.models.consent import (
    EDITORIAL_FIELDS,
    PRAYER_REQUEST,
    ConsentRecord,
    EditorialConsent,
    PrayerRequestConsent,
    target_relation,
)

# The state filter's choices, and the records each stands for on `today`.
STATES = {
    "current": "Current",
    "ending": "Ending soon",
    "ended": "Ended",
    "taken_down": "Taken down",
}


def records_in_state(queryset, state, today=None):
    today = today or timezone.localdate()
    if state == "current":
        return queryset.current(today)
    if state == "ending":
        return queryset.ending_soon(today, settings.CONSENT_ENDING_SOON_DAYS)
    if state == "ended":
        return queryset.exclude(pk__in=ConsentRecord.objects.current(today).values("pk"))
    if state == "taken_down":
        return queryset.filter(taken_down_at__isnull=False)
    return queryset


class ConsentFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label="Consent", choices=list(STATES.items()), method="filter_state"
    )

    class Meta:
        model = ConsentRecord
        fields = ["state"]

    def filter_state(self, queryset, name, value):
        return records_in_state(queryset, value)


class ConsentIndexView(OpensRecordsMixin, IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().with_content()


class ConsentCreateView(CreateView):
    """`?story=`, `?image=` or `?prayer_request=` (from the content's own screen) fill it in."""

    content_fields: tuple[str, ...] = ()

    def prefilled(self):
        """field -> the id given in the query string, of content that exists."""
        found = {}
        for field in self.content_fields:
            value = self.request.GET.get(field, "")
            # Only a plain id a database column can hold; anything else leaves the field empty.
            if not (value.isascii() and value.isdigit() and len(value) <= 18):
                continue
            related = self.model._meta.get_field(field).related_model
            if related.objects.filter(pk=int(value)).exists():
                found[field] = int(value)
        return found

    def get_initial_form_instance(self):
        instance = self.model()
        for field, pk in self.prefilled().items():
            if field in EDITORIAL_FIELDS:
                setattr(instance, f"{field}_id", pk)
        return instance

    def get_initial(self):
        # A feature's content is a form field of its own (target_form_class), not the record's.
        initial = super().get_initial()
        for field, pk in self.prefilled().items():
            if field not in EDITORIAL_FIELDS:
                initial[field] = pk
        return initial

    def save_instance(self):
        self.form.instance.recorded_by = self.request.user
        instance = super().save_instance()
        after_consent_saved(instance)
        return instance


class ConsentEditView(EditView):
    def save_instance(self):
        instance = super().save_instance()
        after_consent_saved(instance)
        return instance


def after_consent_saved(record):
    """A withdrawal (or a record entered already ended) takes the content down at once."""
    if not record.is_current():
        take_down_soon()


RECORD_PANELS = [
    MultiFieldPanel(
        [FieldPanel("given_by"), FieldPanel("covers"), FieldPanel("notes")],
        heading="Consent",
    ),
    FieldRowPanel(
        [FieldPanel("given_on"), FieldPanel("expires_on"), FieldPanel("withdrawn_on")],
        heading="Dates",
    ),
]


def target_form_class(field):
    """The form of a feature target's records: the content is chosen in a field of the form
    (the relation is the feature app's), and the record and its link are saved together."""
    from wagtail.snippets.widgets import AdminSnippetChooser

    class Chooser(AdminSnippetChooser):
        def get_instance(self, value):
            # A form sent back with "abc" or an id past any column shows an empty chooser
            # (and the field's own error), not a 500.
            try:
                return super().get_instance(value)
            except (ValueError, TypeError, OverflowError):
                return None

    model = target_relation(field).related_model
    chooser = Chooser(model) if hasattr(model, "snippet_viewset") else None

    class TargetConsentForm(WagtailAdminModelForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if self.instance.pk and field not in self.initial:
                content = self.instance.target_content
                self.initial[field] = content.pk if content else None

        def _post_clean(self):
            # Before the record's own check (exactly one content), which reads `target`.
            self.instance.target = field if self.cleaned_data.get(field) else ""
            super()._post_clean()

        def save(self, commit=True):
            record = super().save(commit=commit)
            if commit:
                record.link_target(self.cleaned_data[field])
            return record

    content = forms.ModelChoiceField(
        model._default_manager.all(),
        required=False,
        widget=chooser,
        label=str(model._meta.verbose_name).capitalize(),
    )
    return type(TargetConsentForm)(
        f"{model.__name__}ConsentForm", (TargetConsentForm,), {field: content}
    )


class ConsentViewSet(ModelViewSet):
    """What the two lists share; each says which content it covers."""

    icon = "clipboard-list"
    add_to_admin_menu = False
    copy_view_enabled = False
    index_view_class = ConsentIndexView
    add_view_class = ConsentCreateView
    edit_view_class = ConsentEditView
    filterset_class = ConsentFilterSet
    list_display = [
        Column("content_label", label="For"),
        "given_on",
        Column("state", label="Consent", accessor=state_label),
    ]
    search_backend_name = None
    ordering = ["-given_on", "-pk"]
    content_fields: tuple[str, ...] = ()

    def get_add_view_kwargs(self, **kwargs):
        return super().get_add_view_kwargs(content_fields=self.content_fields, **kwargs)


class EditorialConsentViewSet(ConsentViewSet):
    model = EditorialConsent
    menu_label = "Stories and photos"
    url_prefix = "consent/stories-and-photos"
    search_fields = ["given_by", "covers", "story__title", "image__title"]
    content_fields = ("story", "image")
    panels = [
        MultiFieldPanel(
            [FieldPanel("story"), FieldPanel("image")],
            heading="Content",
            help_text="Choose the story or the photo this consent is for: one of them.",
        ),
        *RECORD_PANELS,
    ]


class TargetConsentViewSet(ConsentViewSet):
    """The records of one feature app's registered target (website/consent/targets.py)."""

    target = ""

    def get_edit_handler(self):
        panels = [FieldPanel(self.target), *RECORD_PANELS]
        form_class = target_form_class(self.target)
        return ObjectList(panels, base_form_class=form_class).bind_to_model(self.model)


class PrayerRequestConsentViewSet(TargetConsentViewSet):
    model = PrayerRequestConsent
    menu_label = "Prayer requests"
    url_prefix = "consent/prayer-requests"
    target = PRAYER_REQUEST
    search_fields = ["given_by", "covers", f"{PRAYER_REQUEST}__title"]
    content_fields = (PRAYER_REQUEST,)


class ConsentGroup(ViewSetGroup):
    menu_label = "Consent"
    menu_icon = "clipboard-list"
    menu_order = 190
    items = (
        EditorialConsentViewSet("consent_editorial"),
        PrayerRequestConsentViewSet("consent_prayer"),
    )


@hooks.register("register_log_actions")
def register_consent_log_actions(actions):
    actions.register_action(
        TAKE_DOWN_ACTION, "Take down (consent ended)", "Taken off the site: consent ended"
    )


@hooks.register("register_admin_viewset")
def register_consent_group():
    return ConsentGroup()


def story_without_consent(page):
    from website.models import StoryPage

    page = page.specific
    return page if isinstance(page, StoryPage) and consent_has_ended(page) else None


@hooks.register("before_publish_page")
def refuse_publishing_without_consent(request, page):
    """The editor's changes are kept as a draft; publishing waits for current consent."""
    if story := story_without_consent(page):
        messages.error(
            request,
            f"“{story.title}” was not published: the consent recorded for it was withdrawn or "
            "has expired. Your changes are saved as a draft. Record new, current consent "
            "first (Consent › Stories and photos).",
        )
        return redirect("wagtailadmin_pages:edit", story.pk)
    return None


@hooks.register("before_copy_page")
def refuse_copying_without_consent(request, page):
    """A copy or an alias would carry the story back out without its consent records."""
    if story := story_without_consent(page):
        messages.error(
            request,
            f"“{story.title}” cannot be copied: the consent recorded for it was withdrawn or "
            "has expired.",
        )
        return redirect("wagtailadmin_pages:edit", story.pk)
    return None
