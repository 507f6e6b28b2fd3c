"""Photos whose consent has ended: hidden from every public page, their old file URLs dead.

Wagtail images have no publish state, and collection privacy does not cover them (their files
are served straight from storage: wagtail issue 3880). So a photo is taken off the site in
three ways together:

- at render: the image tags every template loads (`wagtailimages_tags`, replaced by
  website/templatetags/consented_images.py in the TEMPLATES setting) output nothing for it,
  so no page, block or card can show it, whoever wrote the template;
- at the door: the media route (core/media.py) asks the same question and answers 404 for
  its files from the moment its consent ends, a midnight expiry included;
- in storage: its renditions are deleted, so the file URLs pages used answer 404 on object
  storage too, and its original file moves to a new random name, so no URL guessed from an
  old one finds it. This happens on the commit of the change that ended its consent
  (website/consent/takedown.py), or at the scheduled run for an expiry.

Staff still see the photo in the back office (outside page previews), where they manage it.
"""

import os
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from website.consent.status import ended_ids, seconds_until_tomorrow


def hidden_images_key():
    """One key per day: consent ends at midnight, and a new day must never read the last
    day's answer, whatever the cache's clock says."""
    return f"vigil:consent:hidden-images:{timezone.localdate().isoformat()}"


def hidden_image_ids():
    """Ids of the images whose consent has ended, cached until a record changes or midnight."""
    key = hidden_images_key()
    hidden = cache.get(key)
    if hidden is None:
        hidden = frozenset(ended_ids("image"))
        cache.set(key, hidden, min(settings.CONSENT_CACHE_SECONDS, seconds_until_tomorrow()))
    return hidden


def forget_hidden_images(**kwargs):
    """Called when a consent record is saved or deleted: forgotten now for this process, and
    again on commit, in case another process cached the old records in between."""
    key = hidden_images_key()
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def in_back_office(request):
    """Staff screens show every photo; a page preview shows what the public would see."""
    if request is None or getattr(request, "is_preview", False):
        return False
    return request.path.startswith(reverse("wagtailadmin_home"))


def shown(image, request=None):
    """May this image appear in what is being rendered for `request`?

    Asked for every picture on a page: with a request, the answer's two parts (back office or
    not, which images are hidden) are worked out once for that request and kept on it.
    """
    if image is None:
        return False
    if request is None:
        return image.pk not in hidden_image_ids()
    preview = getattr(request, "is_preview", False)
    answer = getattr(request, "_vigil_image_consent", None)
    if answer is None or answer[0] != preview:  # a preview is told so as its page is served
        everything = in_back_office(request)
        answer = preview, everything, frozenset() if everything else hidden_image_ids()
        request._vigil_image_consent = answer
    _, everything, hidden = answer
    return everything or image.pk not in hidden


def visible_images(items):
    """`items` (rows with an `image`, such as a gallery's) without those whose image is hidden."""
    hidden = hidden_image_ids()
    return [item for item in items if item.image_id not in hidden]


def remove_image_files(image):
    """Delete the renditions and move the original to a new name; the old URLs die.

    Renditions' files are deleted by Wagtail once the transaction commits. The original is
    copied to an unguessable name first, so the image still works in the back office.
    """
    image.renditions.all().delete()
    storage = image.file.storage
    old_name = image.file.name
    extension = os.path.splitext(old_name)[1].lower()
    with storage.open(old_name, "rb") as original:
        new_name = storage.save(image.get_upload_to(secrets.token_hex(16) + extension), original)
    type(image).objects.filter(pk=image.pk).update(file=new_name)
    image.file.name = new_name
    transaction.on_commit(lambda: storage.delete(old_name))
    cache.delete(hidden_images_key())
