"""How the site lays out a form field: one template for every field of every public form.

`{{ form.field.as_field_group }}` and `{{ form }}` render through `SiteFormRenderer`
(`FORM_RENDERER`), so a label, its input, help text and errors look and read the same on the
prayer, volunteer and campaign forms and on allauth's account pages:

- a label before the input, without Django's colon; a checkbox first, then its label, then its
  help text;
- a group of radio buttons or checkboxes in a fieldset whose legend is the label;
- help text and errors with the ids Django's `aria-describedby` points at;
- a hidden field as the bare input, never with a label.
"""

from django.forms.renderers import TemplatesSetting


class SiteFormRenderer(TemplatesSetting):
    """Django's renderer over the project's templates, with the site's field and form layout."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
