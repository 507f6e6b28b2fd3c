"""Back-office addresses of a consent record and of the content it is for."""

from django.urls import reverse


def record_namespace(record):
    return "consent_prayer" if record.prayer_request_id else "consent_editorial"


def record_edit_url(record):
    return reverse(f"{record_namespace(record)}:edit", args=[record.pk])


def content_edit_url(record):
    from prayer.models import PrayerRequest

    if record.story_id:
        return reverse("wagtailadmin_pages:edit", args=[record.story_id])
    if record.image_id:
        return reverse("wagtailimages:edit", args=[record.image_id])
    viewset = PrayerRequest.snippet_viewset
    return reverse(viewset.get_url_name("edit"), args=[record.prayer_request_id])
