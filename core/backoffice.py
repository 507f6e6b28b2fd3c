"""Pieces every app's back office shares: safe and audited exports, records that only arrive by
form, audit log entries that name a person's record by number, never by address (log
entries outlive the people in them), and snippet choosers and bulk actions that ask for
permission before they show a single title."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.ui.tables import ButtonsColumnMixin, TitleColumn
from wagtail.admin.views.generic import CreateView, DeleteView, EditView, IndexView
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.log_actions import LogFormatter, log
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import policy_registry
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.views import chooser as snippet_chooser
from wagtail.snippets.views.snippets import SnippetViewSet

EXPORT_ACTION = "vigil.export"

# A cell starting with one of these runs as a formula in a spreadsheet.
SPREADSHEET_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text a visitor typed must not run as a formula when staff open the export."""
    if isinstance(value, str) and value.startswith(SPREADSHEET_FORMULA_START):
        return "'" + value
    return value


class SafeExportMixin:
    """For an index view: its CSV/XLSX export neutralises formulas in what visitors typed."""

    def preprocess_field_value(self, field, value, export_format):
        return safe_cell(super().preprocess_field_value(field, value, export_format))


class ExportFormatter(LogFormatter):
    label = "Export"

    def format_message(self, log_entry):
        data = log_entry.data
        rows = data.get("rows", 0)
        return (
            f"Exported {rows} row{'' if rows == 1 else 's'} of {data.get('of', 'records')} "
            f"({data.get('format', '').upper()})"
        )


@hooks.register("register_log_actions")
def register_export_action(actions):
    actions.register_action(EXPORT_ACTION)(ExportFormatter)


def log_export(user, model, rows, export_format, filtered_by=()):
    """Write "exported N rows of X (format)" to the audit log, logged against the table itself.

    Nothing from the rows goes in, and of the filters and search only their names: a search
    for an address must not leave the address in the log.
    """
    what = str(model._meta.verbose_name_plural)
    return log(
        ContentType.objects.get_for_model(model, for_concrete_model=False),
        EXPORT_ACTION,
        user=user,
        title=what.capitalize(),
        data={
            "rows": rows,
            "of": what,
            "format": export_format,
            "filtered_by": sorted(filtered_by),
        },
    )


class AuditedExportMixin:
    """For an index view: each CSV/XLSX export is written to the audit log before it is sent."""

    def as_spreadsheet(self, queryset, spreadsheet_format):
        rows = len(queryset) if isinstance(queryset, list) else queryset.count()
        filtered_by = {name for name in self.request.GET if name != "export"}
        log_export(self.request.user, self.model, rows, spreadsheet_format, filtered_by)
        return super().as_spreadsheet(queryset, spreadsheet_format)


class SafeExportIndexView(SafeExportMixin, AuditedExportMixin, IndexView):
    """An index whose export neutralises formulas and is written to the audit log."""


class OpensRecordsMixin:
    """For an index view: its first column opens each record (the edit view, or else the
    inspect view) and carries the record's buttons.

    Wagtail does this only when the first entry of `list_display` names a field; a `Column`
    there (for its own label or accessor) leaves a list whose records nobody can open.
    """

    @cached_property
    def columns(self):
        first, *rest = super().columns
        if isinstance(first, TitleColumn):
            return [first, *rest]
        view = self

        class RecordColumn(ButtonsColumnMixin, TitleColumn):
            def get_buttons(self, instance, parent_context):
                return view.get_list_buttons(instance)

        opening = RecordColumn(
            first.name,
            label=first.label,
            accessor=first.accessor,
            sort_key=first.sort_key,
            get_url=lambda instance: view.get_edit_url(instance) or view.get_inspect_url(instance),
        )
        return [opening, *rest]


class NoAddPermissionPolicy(ModelPermissionPolicy):
    """Records people create through the site's forms (with consent), never staff by hand."""

    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)


def log_title(instance):
    return f"{instance._meta.verbose_name.capitalize()} #{instance.pk}"


class AnonymousLogCreateView(CreateView):
    """Save the form and log the creation under the record's number, not the person it names."""

    def save_instance(self):
        instance = self.form.save()
        log(
            instance,
            "wagtail.create",
            user=self.request.user,
            title=log_title(instance),
            content_changed=True,
        )
        return instance


class AnonymousLogEditView(EditView):
    """Save the form and log the edit under the record's number instead of its address."""

    def save_instance(self):
        instance = self.form.save()
        log(
            instance,
            "wagtail.edit",
            user=self.request.user,
            title=log_title(instance),
            content_changed=True,
            data=self.log_data(instance),
        )
        return instance

    def log_data(self, instance):
        return {"changed": sorted(self.form.changed_data)}


class AnonymousLogDeleteView(DeleteView):
    """Erasing a supporter must not leave their address behind in the audit log."""

    def delete_action(self):
        with transaction.atomic():
            log(
                self.object,
                "wagtail.delete",
                user=self.request.user,
                title=log_title(self.object),
                deleted=True,
            )
            self.object.delete()


# Choosers and bulk actions
#
# Wagtail's snippet choosers (choose/, results/, chosen/, chosen-multiple/, create/) ask for
# nothing beyond admin access: by design, so that anyone may link to any snippet (wagtail
# issue 14272). In Vigil a title can be the very thing to protect (an unmoderated prayer
# request), so a chooser asks for what the model's own listing would show: its view or
# change permission, through the model's registered permission policy.

CHOOSE_ACTIONS = ("view", "change")


class PermissionCheckedChooserMixin(PermissionCheckedMixin):
    any_permission_required = CHOOSE_ACTIONS

    @cached_property
    def permission_policy(self):
        return policy_registry.get_by_type(self.model_class)


class ChooseView(PermissionCheckedChooserMixin, snippet_chooser.ChooseView):
    """The chooser's first page: only for those who may view or change the model."""


class ChooseResultsView(PermissionCheckedChooserMixin, snippet_chooser.ChooseResultsView):
    """The chooser's search and further pages of results, likewise."""


class ChosenView(PermissionCheckedChooserMixin, snippet_chooser.SnippetChosenView):
    """One chosen item's title and link, likewise."""


class ChosenMultipleView(PermissionCheckedChooserMixin, snippet_chooser.SnippetChosenMultipleView):
    """Several chosen items' titles and links, likewise."""


class ChooserCreateView(PermissionCheckedChooserMixin, snippet_chooser.SnippetCreateView):
    """The chooser's create form, likewise (creating still needs the add permission)."""


class PermissionCheckedSnippetChooserViewSet(snippet_chooser.SnippetChooserViewSet):
    choose_view_class = ChooseView
    choose_results_view_class = ChooseResultsView
    chosen_view_class = ChosenView
    chosen_multiple_view_class = ChosenMultipleView
    create_view_class = ChooserCreateView


class PermissionCheckedSnippetViewSet(SnippetViewSet):
    """Every Vigil snippet is registered through this (tests/website/test_staff_groups.py
    finds any that is not): its chooser opens only for those who may see the model."""

    chooser_viewset_class = PermissionCheckedSnippetChooserViewSet


class PermissionCheckedSnippetDeleteBulkAction(PermissionCheckedMixin, DeleteBulkAction):
    """Wagtail's confirmation page for deleting snippets in bulk (/admin/bulk/<app>/<model>/
    delete/?id=...) lists the title of every id asked for, those the user may not delete
    included, to anyone with admin access. Only those who may delete the model get it.
    Registered after Wagtail's own, which it replaces for every snippet model."""

    permission_required = "delete"


hooks.register("register_bulk_action", PermissionCheckedSnippetDeleteBulkAction, order=1)
