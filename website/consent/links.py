"""Back-office addresses of a consent record and of the content it is for."""

from django.urls import reverse

from website.consent import targets


def record_namespace(record):
    return "consent_prayer" if record.target else "consent_editorial"


def record_edit_url(record):
    return reverse(f"{record_namespace(record)}:edit", args=[record.pk])


def content_edit_url(record):
    if record.story_id:
        return reverse("wagtailadmin_pages:edit", args=[record.story_id])
    if record.image_id:
        return reverse("wagtailimages:edit", args=[record.image_id])
    # A feature app's content: the app said where it is edited (website/consent/targets.py).
    target = targets.TARGETS.get(record.target)
    if target and (content := record.target_content):
        return target.edit_url(content.pk)
    raise ValueError(f"Consent record {record.pk} is for no content")
