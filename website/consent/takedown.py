"""Take content whose consent has ended off the public site, and say so in the audit log.

- a story is unpublished (Wagtail's unpublish, logged); feeds, search, the sitemap, the news
  index, the home page and digests list only live pages, so it leaves those with it;
- a photo is hidden at render and its files move (website/consent/images.py);
- a feature app's content leaves the site as that app registered (website/consent/targets.py):
  a prayer request gets the status "withdrawn" (prayer/consent.py), and the public "view in
  your browser" pages of digests already sent are rendered again without the story or
  request (digests/redaction.py).

Idempotent: the record whose end took the content down is stamped with a conditional UPDATE,
so a second run, or a run next to this one, finds nothing left to do and tells nobody twice.
"""

import logging

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from website.consent import targets
from website.consent.images import remove_image_files
from website.consent.status import consent_has_ended, ended_ids, latest_ended
from website.models.consent import ConsentRecord

logger = logging.getLogger(__name__)

TAKE_DOWN_ACTION = "vigil.consent.take_down"


def claim_take_down(content, now):
    """Stamp the record whose end takes `content` down; None when it was stamped already."""
    record = latest_ended(list(ConsentRecord.objects.for_content(content)))
    claimed = ConsentRecord.objects.filter(pk=record.pk, taken_down_at__isnull=True).update(
        taken_down_at=now
    )
    return record, bool(claimed)


def log_take_down(content, record):
    log(
        content,
        TAKE_DOWN_ACTION,
        data={"consent_record": record.pk, "reason": record.end_reason, "ended_on": record.ends_on},
    )


def take_down_story(story, now=None):
    """Unpublish a live story whose consent has ended. True when it was taken down."""
    from website.models import StoryPage

    now = now or timezone.now()
    with transaction.atomic():
        story = StoryPage.objects.select_for_update().filter(pk=story.pk, live=True).first()
        if story is None:
            return False
        record, _claimed = claim_take_down(story, now)
        story.unpublish(log_action=True)
        log_take_down(story, record)
    return True


def take_down_image(image, now=None):
    """Remove a photo's files the first time its latest consent has ended."""
    now = now or timezone.now()
    with transaction.atomic():
        record, claimed = claim_take_down(image, now)
        if not claimed:
            return False
        remove_image_files(image)
        log_take_down(image, record)
    return True


def take_down_photo_on_commit(sender, instance, **kwargs):
    """A consent record was saved or deleted: if that ended its photo's consent, the photo's
    files leave storage as the change commits, whoever made it (the back office, a script, a
    superuser's delete). Not at the next scheduled run, which stays as the safety net and
    tells the staff; and on object storage no view stands in front of the files to refuse
    them. If storage fails here, the error is logged and the scheduled run tries again."""
    if instance.image_id:
        image_id = instance.image_id
        transaction.on_commit(lambda: take_down_photo_if_ended(image_id), robust=True)


def take_down_photo_if_ended(image_id):
    from wagtail.images import get_image_model

    image = get_image_model().objects.filter(pk=image_id).first()
    if image is not None and consent_has_ended(image):
        take_down_image(image)


def take_down_ended_content(now=None):
    """Take down everything whose consent has ended; the number of items taken down."""
    from wagtail.images import get_image_model

    from website.models import StoryPage

    now = now or timezone.now()
    today = timezone.localdate(now)
    stories = [
        story
        for story in StoryPage.objects.live().filter(pk__in=ended_ids("story", today))
        if take_down_story(story, now)
    ]
    taken = {field: target.take_down_ended(today, now) for field, target in targets.TARGETS.items()}
    # A photo is due when its latest ended record is not stamped yet, so it has one unstamped.
    due_images = get_image_model().objects.filter(
        pk__in=ended_ids("image", today), consent_records__taken_down_at__isnull=True
    )
    images = [image for image in due_images.distinct() if take_down_image(image, now)]
    if stories or any(taken.values()):
        for listener in targets.AFTER_TAKE_DOWN:
            listener(stories, taken, now)
    taken_down = len(stories) + len(images) + sum(map(len, taken.values()))
    if taken_down:
        logger.info(
            "Consent ended: took down %d stories, %d photos and %s",
            len(stories),
            len(images),
            ", ".join(f"{len(items)} × {field}" for field, items in taken.items())
            or "nothing else",
        )
    return taken_down


def take_down_if_consent_ended(sender, instance, **kwargs):
    """A story published by any path (a schedule, a workflow, a bulk action) while its consent
    has ended goes straight back off the site: the editor's own publish is refused earlier."""
    from website.models import StoryPage

    if isinstance(instance, StoryPage) and consent_has_ended(instance):
        take_down_story(instance)
