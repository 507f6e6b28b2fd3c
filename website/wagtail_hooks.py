"""Back office for the editorial side: regions used by stories and prayer requests, consent
(website/consent/: its menu, the story editor's refusal to publish, the dashboard panel), and
the page editor's buttons (static/js/admin-page-submit.js)."""

from django.templatetags.static import static
from django.utils.html import format_html
from phonenumber_field.modelfields import PhoneNumberField
from wagtail import hooks
from wagtail.admin.forms.models import register_form_field_override
from wagtail.snippets.models import register_snippet

from core.backoffice import PermissionCheckedSnippetViewSet
from core.phones import PhoneField
from website.consent import backoffice as consent_backoffice  # noqa: F401  (registers hooks)
from website.consent import dashboard as consent_dashboard  # noqa: F401  (registers hooks)
from website.models import Region

# Staff editing a number get the public forms' field: the same reading and the same messages.
register_form_field_override(PhoneNumberField, override={"form_class": PhoneField})


class RegionViewSet(PermissionCheckedSnippetViewSet):
    model = Region
    icon = "site"
    menu_label = "Regions"
    menu_order = 300
    add_to_admin_menu = False
    list_display = ["name", "slug"]
    search_fields = ["name"]


register_snippet(RegionViewSet)


@hooks.register("insert_global_admin_css")
def back_office_css():
    """The back office's own styles (the dashboard's figures and charts): a file, as the
    site's CSP asks, never an inline style."""
    return format_html('<link rel="stylesheet" href="{}">', static("css/vigil-admin.css"))


@hooks.register("insert_editor_js")
def page_buttons_wait_for_autosave():
    """Publish pressed while an autosave is creating the page waits for it, then publishes
    that page, instead of creating a second one whose slug is taken (see the script)."""
    return format_html('<script defer src="{}"></script>', static("js/admin-page-submit.js"))
