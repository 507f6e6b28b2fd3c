"""Pieces every app's back office shares: safe exports, records that only arrive by form, and
audit log entries that name a person's record by number, never by address (log entries outlive
the people in them)."""

from django.db import transaction
from wagtail.admin.views.generic import DeleteView, EditView, IndexView
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy

# A cell starting with one of these runs as a formula in a spreadsheet.
SPREADSHEET_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text a visitor typed must not run as a formula when staff open the export."""
    if isinstance(value, str) and value.startswith(SPREADSHEET_FORMULA_START):
        return "'" + value
    return value


class SafeExportIndexView(IndexView):
    """An index whose CSV/XLSX export neutralises formulas in what visitors typed."""

    def preprocess_field_value(self, field, value, export_format):
        return safe_cell(super().preprocess_field_value(field, value, export_format))


class NoAddPermissionPolicy(ModelPermissionPolicy):
    """Records people create through the site's forms (with consent), never staff by hand."""

    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)


def log_title(instance):
    return f"{instance._meta.verbose_name.capitalize()} #{instance.pk}"


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
