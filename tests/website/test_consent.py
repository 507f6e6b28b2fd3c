"""Consent for stories, photos and prayer requests: when it expires or is withdrawn, the content
leaves every public surface, cannot be published again, and the staff are told once.

The person who gave consent is planted as a canary: it must appear on no public page and in no
email or log entry.
"""

import datetime
import re
import threading

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Q
from wagtail.models import ModelLogEntry, PageLogEntry
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from digests import dispatching
from digests.models import DigestIssue, Subscription
from prayer.models import PrayerRequest
from tests.factories import (
    UserFactory,
    add_consent,
    add_ministry,
    add_story,
    build_site,
    make_image,
)
from tests.prayer.request_helpers import make_moderator, make_request, make_wall
from website.consent.tasks import take_down_ended_consent
from website.models import ConsentRecord, StoryPage

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 5, 10, 9, 0, tzinfo=datetime.UTC)
ENDS = datetime.date(2026, 6, 1)
AFTER_END = datetime.datetime(2026, 6, 1, 0, 30, tzinfo=datetime.UTC)
PERSON = "Asha Kumari-canary-5d21"
RENDITION = re.compile(r"/media/images/[^\"\s,]+")
THREADS = 6


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def staff(group, email):
    user = UserFactory(email=email, is_staff=False)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editors(site_pages):
    return [staff("Editors", "editor.one@example.org"), staff("Editors", "editor.two@example.org")]


@pytest.fixture
def story(site_pages):
    _home, news = site_pages
    story = add_story(news, title="Asha learns to sew", intro="A new trade, a new start.")
    add_consent(story, given_by=PERSON, expires_on=ENDS)
    return story


def public_surfaces(client):
    """Every public page a story shows up on, anonymously."""
    return {
        url: client.get(url).content.decode()
        for url in ["/", "/stories/", "/feeds/stories/", "/search/?q=sew", "/sitemap.xml"]
    }


def run_take_down(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return take_down_ended_consent()


# --- the record itself ------------------------------------------------------------------------


def test_a_record_is_for_exactly_one_piece_of_content(story):
    with pytest.raises(IntegrityError):
        ConsentRecord.objects.create(
            story=story, image=make_image(), given_by="x", covers="y", given_on=NOW.date()
        )


def test_a_record_for_nothing_is_refused_by_the_database(site_pages):
    with pytest.raises(IntegrityError):
        ConsentRecord.objects.create(given_by="x", covers="y", given_on=NOW.date())


def test_a_record_names_its_content_never_the_person(story):
    record = ConsentRecord.objects.get()
    assert str(record) == f"Consent #{record.pk} for story “Asha learns to sew”"
    assert PERSON not in str(record)


def test_current_until_the_day_it_expires_or_is_withdrawn(story):
    record = ConsentRecord.objects.get()
    assert record.is_current(ENDS - datetime.timedelta(days=1))
    assert not record.is_current(ENDS)
    record.withdrawn_on = datetime.date(2026, 5, 9)
    assert not record.is_current(NOW.date())
    assert record.end_reason == "withdrawn"


# --- stories ----------------------------------------------------------------------------------


def test_expiry_takes_the_story_off_every_public_surface(
    client, story, time_machine, django_capture_on_commit_callbacks
):
    before = public_surfaces(client)
    for url, page in before.items():
        assert "Asha learns to sew" in page or "asha-learns-to-sew" in page, url
    assert client.get(story.url).status_code == 200

    run_take_down(django_capture_on_commit_callbacks)
    assert StoryPage.objects.get(pk=story.pk).live, "not before the day it expires"

    time_machine.move_to(AFTER_END, tick=False)
    assert run_take_down(django_capture_on_commit_callbacks) == 1

    assert client.get(story.url).status_code == 404
    for url, page in public_surfaces(client).items():
        assert "Asha learns to sew" not in page and "asha-learns-to-sew" not in page, url
        assert PERSON not in page
    actions = set(PageLogEntry.objects.filter(page=story).values_list("action", flat=True))
    assert {"wagtail.unpublish", "vigil.consent.take_down"} <= actions
    assert ConsentRecord.objects.get().taken_down_at is not None


def test_running_the_task_again_does_nothing_more(
    story, editors, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(AFTER_END, tick=False)
    assert run_take_down(django_capture_on_commit_callbacks) == 1
    assert run_take_down(django_capture_on_commit_callbacks) == 0
    assert PageLogEntry.objects.filter(page=story, action="vigil.consent.take_down").count() == 1
    assert len(mail.outbox) == len(editors)


def test_content_without_records_is_left_alone(site_pages, django_capture_on_commit_callbacks):
    _home, news = site_pages
    story = add_story(news, title="A centre opens")
    assert run_take_down(django_capture_on_commit_callbacks) == 0
    assert StoryPage.objects.get(pk=story.pk).live


def test_a_second_current_record_keeps_the_story_up(
    story, time_machine, django_capture_on_commit_callbacks
):
    add_consent(story, given_on=datetime.date(2026, 5, 1))
    time_machine.move_to(AFTER_END, tick=False)
    assert run_take_down(django_capture_on_commit_callbacks) == 0
    assert StoryPage.objects.get(pk=story.pk).live


def editor_client(client, user):
    client.force_login(user)
    return client


def test_a_withdrawal_recorded_in_the_back_office_takes_the_story_down_at_once(
    client, story, editors, django_capture_on_commit_callbacks
):
    record = ConsentRecord.objects.get()
    editor_client(client, editors[0])
    url = f"/admin/consent/stories-and-photos/edit/{record.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "story": story.pk,
                "image": "",
                "given_by": PERSON,
                "covers": "Her story",
                "given_on": "2026-01-05",
                "expires_on": "2026-06-01",
                "withdrawn_on": "2026-05-10",
                "notes": "She called the centre.",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]

    client.logout()
    assert client.get(story.url).status_code == 404
    assert not StoryPage.objects.get(pk=story.pk).live
    assert sorted(message.to[0] for message in mail.outbox) == sorted(e.email for e in editors)


def story_form(story, **changes):
    return nested_form_data(
        {
            "title": story.title,
            "slug": story.slug,
            "date": "2026-05-01",
            "author": "",
            "names_changed": "on",
            "intro": changes.get("intro", story.intro),
            "body": streamfield([("paragraph", rich_text("<p>The story told with care.</p>"))]),
            "tags": "",
            "regions": [],
            "calls_to_action": streamfield([]),
            "action-publish": "action-publish",
        }
    )


def test_an_editor_cannot_publish_a_story_whose_consent_was_withdrawn(
    client, story, editors, django_capture_on_commit_callbacks
):
    ConsentRecord.objects.update(withdrawn_on=NOW.date())
    run_take_down(django_capture_on_commit_callbacks)
    editor_client(client, editors[0])

    response = client.post(
        f"/admin/pages/{story.pk}/edit/", story_form(story, intro="Edited while withdrawn.")
    )

    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/{story.pk}/edit/"
    story.refresh_from_db()
    assert not story.live
    assert story.get_latest_revision().content["intro"] == "Edited while withdrawn.", "kept"
    page = client.get(response["Location"]).content.decode()
    assert "was not published" in page and "withdrawn or has expired" in page


def test_publishing_by_any_other_path_is_undone_at_once(story, django_capture_on_commit_callbacks):
    ConsentRecord.objects.update(withdrawn_on=NOW.date())
    run_take_down(django_capture_on_commit_callbacks)

    story.save_revision().publish()  # as a schedule, a workflow or a bulk action would

    assert not StoryPage.objects.get(pk=story.pk).live


def test_a_story_whose_consent_ended_cannot_be_copied_out_again(
    client, story, editors, django_capture_on_commit_callbacks
):
    ConsentRecord.objects.update(withdrawn_on=NOW.date())
    run_take_down(django_capture_on_commit_callbacks)
    editor_client(client, editors[0])

    response = client.get(f"/admin/pages/{story.pk}/copy/")

    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/{story.pk}/edit/"
    assert StoryPage.objects.count() == 1


def test_with_new_current_consent_the_editor_may_publish_again(
    client, story, editors, django_capture_on_commit_callbacks
):
    ConsentRecord.objects.update(withdrawn_on=NOW.date())
    run_take_down(django_capture_on_commit_callbacks)
    add_consent(story, given_on=NOW.date())
    editor_client(client, editors[0])

    client.post(f"/admin/pages/{story.pk}/edit/", story_form(story))

    assert StoryPage.objects.get(pk=story.pk).live


# --- prayer requests --------------------------------------------------------------------------


@pytest.fixture
def wall(site_pages):
    home, _news = site_pages
    return make_wall(home)


@pytest.fixture
def prayer_request(wall):
    prayer_request = make_request("Pray for Meera's court case")
    add_consent(prayer_request, given_by=PERSON, expires_on=ENDS)
    return prayer_request


def test_expiry_takes_the_request_off_the_wall_and_its_feeds(
    client, wall, prayer_request, time_machine, django_capture_on_commit_callbacks
):
    other = make_request("Pray for the new shelter")
    detail = wall.request_url(prayer_request)
    assert "Meera" in client.get(wall.url).content.decode()
    assert client.get(detail).status_code == 200

    time_machine.move_to(AFTER_END, tick=False)
    assert run_take_down(django_capture_on_commit_callbacks) == 1

    assert PrayerRequest.objects.get(pk=prayer_request.pk).status == "withdrawn"
    assert client.get(detail).status_code == 404
    for url in [wall.url, wall.url + "feed/"]:
        page = client.get(url).content.decode()
        assert "Meera" not in page, url
        assert other.title in page
    assert ModelLogEntry.objects.filter(
        action="vigil.consent.take_down", object_id=str(prayer_request.pk)
    ).exists()


def test_the_wall_drops_the_request_as_its_consent_ends_before_the_task_runs(
    client, wall, prayer_request, time_machine
):
    time_machine.move_to(AFTER_END, tick=False)

    assert "Meera" not in client.get(wall.url).content.decode()
    assert client.get(wall.request_url(prayer_request)).status_code == 404
    assert not PrayerRequest.objects.on_wall().filter(pk=prayer_request.pk).exists()


def test_the_browser_view_of_a_sent_digest_loses_the_request(
    client, prayer_request, time_machine, django_capture_on_commit_callbacks
):
    other = make_request("Pray for the new shelter")
    Subscription.objects.create(
        email="ruth@example.org", status="active", frequency="daily", consent_at=NOW
    )
    with django_capture_on_commit_callbacks(execute=True):
        dispatching.dispatch()
    issue = DigestIssue.objects.get()
    page = client.get(f"/pray/digests/{issue.pk}/").content.decode()
    assert "Meera" in page and other.title in page

    ConsentRecord.objects.update(withdrawn_on=NOW.date())
    run_take_down(django_capture_on_commit_callbacks)

    page = client.get(f"/pray/digests/{issue.pk}/").content.decode()
    assert "Meera" not in page
    assert other.title in page
    assert PERSON not in page


def test_moderators_cannot_approve_a_request_whose_consent_ended(
    client, prayer_request, django_capture_on_commit_callbacks
):
    ConsentRecord.objects.update(withdrawn_on=NOW.date())
    run_take_down(django_capture_on_commit_callbacks)
    client.force_login(make_moderator(email="mod@example.org"))

    response = client.post(
        f"/admin/snippets/prayer/prayerrequest/moderate/{prayer_request.pk}/approve/"
    )
    assert response.status_code == 302
    assert PrayerRequest.objects.get(pk=prayer_request.pk).status == "withdrawn"
    assert "withdrawn or has expired" in client.get(response["Location"]).content.decode()

    prayer_request.refresh_from_db()
    prayer_request.status = PrayerRequest.Status.APPROVED
    with pytest.raises(Exception, match="withdrawn or has expired"):
        prayer_request.full_clean()


def test_prayer_moderators_are_told_and_editors_are_not(
    prayer_request, editors, time_machine, django_capture_on_commit_callbacks
):
    moderator = make_moderator(email="mod@example.org")
    time_machine.move_to(AFTER_END, tick=False)
    run_take_down(django_capture_on_commit_callbacks)

    assert [message.to for message in mail.outbox] == [[moderator.email]]
    assert "/admin/snippets/prayer/prayerrequest/edit/" in mail.outbox[0].body


# --- photos -----------------------------------------------------------------------------------


@pytest.fixture
def ministry(site_pages):
    home, _news = site_pages
    ministry = add_ministry(home, title="Sewing school")
    ministry.gallery_images.create(image=make_image("Asha at the machine"), caption="Asha sews")
    ministry.gallery_images.create(image=make_image("The classroom"), caption="Our classroom")
    ministry.save_revision().publish()
    return ministry


def test_a_withdrawn_photo_leaves_the_page_and_its_files_die(
    client, ministry, django_capture_on_commit_callbacks
):
    asha = ministry.gallery_images.get(caption="Asha sews").image
    add_consent(asha, given_by=PERSON)
    page = client.get(ministry.url).content.decode()
    rendition_urls = {url for url in RENDITION.findall(page) if "Asha" in url}
    assert rendition_urls and "Asha sews" in page
    original_url = asha.file.url
    for url in rendition_urls | {original_url}:
        assert client.get(url).status_code == 200, url

    ConsentRecord.objects.update(withdrawn_on=NOW.date())
    assert run_take_down(django_capture_on_commit_callbacks) == 1

    page = client.get(ministry.url).content.decode()
    assert "Asha sews" not in page and "Asha" not in "".join(RENDITION.findall(page))
    assert "Our classroom" in page, "the other photo stays"
    for url in rendition_urls | {original_url}:
        assert client.get(url).status_code == 404, url
    assert ModelLogEntry.objects.filter(
        action="vigil.consent.take_down", object_id=str(asha.pk)
    ).exists()


def gallery_files(client, ministry, image):
    """The file URLs of a gallery photo as the public page shows it, and its original's."""
    page = client.get(ministry.url).content.decode()
    urls = {url for url in RENDITION.findall(page) if "Asha" in url}
    assert urls, "the photo is on the page"
    return urls | {image.file.url}


def answers(client, urls):
    return {url: client.get(url).status_code for url in urls}


def end_consent(record, change):
    """End a photo's consent as a script or the shell would: a save, an edit or a delete."""
    if change == "withdrawn":
        record.withdrawn_on = NOW.date()
        record.save()
    elif change == "edited to end today":
        record.expires_on = NOW.date()
        record.save()
    else:
        record.delete()


@pytest.mark.parametrize("change", ["withdrawn", "edited to end today", "its last current deleted"])
def test_a_photos_files_die_as_the_change_of_its_consent_commits(
    client, ministry, change, django_capture_on_commit_callbacks
):
    """Not at the next scheduled run, and not only from the back office: the old files leave
    storage on commit, so object storage (where no view stands in front of them) follows."""
    asha = ministry.gallery_images.get(caption="Asha sews").image
    with transaction.atomic():  # an ended consent and a current one: the photo may show
        add_consent(asha, withdrawn_on=datetime.date(2026, 3, 1))
        record = add_consent(asha, given_by=PERSON)
    urls = gallery_files(client, ministry, asha)
    assert set(answers(client, urls).values()) == {200}
    storage, old_original = asha.file.storage, asha.file.name

    with django_capture_on_commit_callbacks(execute=True):
        end_consent(record, change)

    assert set(answers(client, urls).values()) == {404}
    assert not storage.exists(old_original)
    assert not asha.renditions.exists()
    assert ConsentRecord.objects.filter(image=asha, taken_down_at__isnull=False).exists()


def test_a_withdrawal_in_the_back_office_kills_the_files_while_the_task_cluster_is_down(
    client, ministry, editors, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr("core.tasks.async_task", lambda *args, **kwargs: queued.append(args))
    asha = ministry.gallery_images.get(caption="Asha sews").image
    record = add_consent(asha, given_by=PERSON)
    urls = gallery_files(client, ministry, asha)
    storage, old_original = asha.file.storage, asha.file.name

    editor_client(client, editors[0])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/consent/stories-and-photos/edit/{record.pk}/",
            {
                "story": "",
                "image": asha.pk,
                "given_by": PERSON,
                "covers": "The photo at the machine",
                "given_on": "2026-01-05",
                "expires_on": "",
                "withdrawn_on": "2026-05-10",
                "notes": "",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert queued, "the run that tells the editors is still queued"

    client.logout()
    assert set(answers(client, urls).values()) == {404}
    assert not storage.exists(old_original)


def test_a_photos_files_stop_answering_as_its_consent_expires_before_the_task_runs(
    client, ministry, time_machine
):
    asha = ministry.gallery_images.get(caption="Asha sews").image
    add_consent(asha, given_by=PERSON, expires_on=ENDS)
    urls = gallery_files(client, ministry, asha)
    time_machine.move_to(AFTER_END - datetime.timedelta(hours=1), tick=False)
    assert set(answers(client, urls).values()) == {200}

    time_machine.move_to(AFTER_END, tick=False)
    assert set(answers(client, urls).values()) == {404}


def test_staff_still_get_a_withdrawn_photos_files_never_cached(
    client, ministry, editors, django_capture_on_commit_callbacks
):
    asha = ministry.gallery_images.get(caption="Asha sews").image
    add_consent(asha, withdrawn_on=NOW.date())
    run_take_down(django_capture_on_commit_callbacks)
    asha.refresh_from_db()
    editor_client(client, editors[0])
    page = client.get(f"/admin/images/{asha.pk}/").content.decode()
    urls = set(RENDITION.findall(page)) | {asha.file.url}

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert {"private", "no-store"} <= set(response["Cache-Control"].split(", ")), url
    client.logout()
    assert set(answers(client, urls).values()) == {404}


def test_a_photo_leaves_story_bodies_heroes_and_social_cards_as_its_consent_ends(
    client, site_pages, time_machine, django_capture_on_commit_callbacks
):
    _home, news = site_pages
    photo = make_image("Meera smiling")
    story = add_story(
        news,
        title="A day at the bakery",
        hero_image=photo,
        body=[
            ("paragraph", "<p>Flour everywhere.</p>"),
            ("image", {"image": photo, "caption": "Meera at the oven", "alt_text": ""}),
        ],
    )
    add_consent(photo, given_by=PERSON, expires_on=ENDS)
    page = client.get(story.url).content.decode()
    assert "Meera" in "".join(RENDITION.findall(page)) and "Meera at the oven" in page
    assert 'property="og:image"' in page

    time_machine.move_to(AFTER_END, tick=False)
    # Hidden at once as the day begins, before the task has even run.
    page = client.get(story.url).content.decode()
    assert "Meera" not in "".join(RENDITION.findall(page))
    assert "Meera at the oven" not in page
    assert 'property="og:image"' not in page
    assert "Flour everywhere." in page, "the story itself stays: its own consent is not recorded"
    for listing in ["/stories/", "/"]:
        assert "Meera" not in "".join(RENDITION.findall(client.get(listing).content.decode()))


def test_a_photo_comes_back_with_new_consent_and_goes_again_when_that_ends(
    client, ministry, time_machine, django_capture_on_commit_callbacks
):
    asha = ministry.gallery_images.get(caption="Asha sews").image
    add_consent(asha, withdrawn_on=NOW.date())
    run_take_down(django_capture_on_commit_callbacks)
    assert "Asha sews" not in client.get(ministry.url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        renewed = add_consent(asha, given_on=NOW.date(), expires_on=ENDS)
    assert "Asha sews" in client.get(ministry.url).content.decode()

    time_machine.move_to(AFTER_END, tick=False)
    assert run_take_down(django_capture_on_commit_callbacks) == 1
    assert "Asha sews" not in client.get(ministry.url).content.decode()
    renewed.refresh_from_db()
    assert renewed.taken_down_at is not None


def test_staff_still_see_a_withdrawn_photo_in_the_back_office(
    client, ministry, editors, django_capture_on_commit_callbacks
):
    asha = ministry.gallery_images.get(caption="Asha sews").image
    add_consent(asha, withdrawn_on=NOW.date())
    run_take_down(django_capture_on_commit_callbacks)
    editor_client(client, editors[0])

    page = client.get(f"/admin/images/{asha.pk}/").content.decode()
    assert RENDITION.search(page)


def test_editors_get_exactly_one_email_per_take_down(
    client, ministry, story, editors, time_machine, django_capture_on_commit_callbacks
):
    asha = ministry.gallery_images.get(caption="Asha sews").image
    add_consent(asha, given_by=PERSON, expires_on=ENDS)
    time_machine.move_to(AFTER_END, tick=False)

    assert run_take_down(django_capture_on_commit_callbacks) == 2
    run_take_down(django_capture_on_commit_callbacks)

    assert sorted(message.to[0] for message in mail.outbox) == sorted(e.email for e in editors)
    message = mail.outbox[0]
    assert message.subject == "2 items taken off the site: consent ended"
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert 'The story "Asha learns to sew": consent expired on 1 June 2026.' in message.body
    assert 'The photo "Asha at the machine": consent expired on 1 June 2026.' in message.body
    assert f"http://testserver/admin/pages/{story.pk}/edit/" in message.body
    assert f"http://testserver/admin/images/{asha.pk}/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "The story “Asha learns to sew”" in html
    assert "<h1>2 items taken off the site</h1>" in html
    assert PERSON not in message.body and PERSON not in html
    assert not ConsentRecord.objects.filter(
        taken_down_at__isnull=False, staff_notified_at__isnull=True
    ).exists()


# --- the back office --------------------------------------------------------------------------


def test_recording_consent_from_the_story_sets_who_recorded_it(client, story, editors):
    editor_client(client, editors[0])
    page = client.get(f"/admin/pages/{story.pk}/edit/").content.decode()
    assert f"/admin/consent/stories-and-photos/new/?story={story.pk}" in page
    assert "Current until 1 Jun 2026" in page

    form = client.get(f"/admin/consent/stories-and-photos/new/?story={story.pk}")
    assert form.status_code == 200
    response = client.post(
        "/admin/consent/stories-and-photos/new/",
        {
            "story": story.pk,
            "given_by": "Her mother",
            "covers": "The story",
            "given_on": "2026-05-10",
            "expires_on": "",
            "withdrawn_on": "",
            "notes": "",
        },
    )
    assert response.status_code == 302
    assert ConsentRecord.objects.get(given_by="Her mother").recorded_by == editors[0]


@pytest.mark.parametrize(
    "query",
    ["?story=abc", "?story=999999", "?image=-1", "?story=%00", "?story=²", "?story=" + "9" * 500],
)
def test_odd_prefill_links_open_an_empty_form(client, editors, query):
    editor_client(client, editors[0])
    assert client.get(f"/admin/consent/stories-and-photos/new/{query}").status_code == 200


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"story": ""}, "Choose the one story, photo or prayer request"),
        ({"withdrawn_on": "2026-05-11"}, "on or after the day it happened"),
        ({"expires_on": "2026-01-01"}, "must end after the day it was given"),
        ({"given_on": "not a date"}, "Enter a valid date"),
        ({"given_by": ""}, "This field is required"),
        ({"covers": "x" * 1001}, "at most 1000 characters"),
    ],
)
def test_a_bad_record_is_returned_with_a_clear_message(client, story, editors, changes, message):
    editor_client(client, editors[0])
    data = {
        "story": story.pk,
        "given_by": "Her mother",
        "covers": "The story",
        "given_on": "2026-05-10",
        "expires_on": "",
        "withdrawn_on": "",
        "notes": "",
        **changes,
    }
    response = client.post("/admin/consent/stories-and-photos/new/", data)
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
    assert ConsentRecord.objects.count() == 1


def test_the_lists_show_each_group_only_its_own_content(client, story, prayer_request, editors):
    editor_client(client, editors[0])
    page = client.get("/admin/consent/stories-and-photos/").content.decode()
    assert "Asha learns to sew" in page and "Meera" not in page

    client.force_login(make_moderator(email="mod@example.org"))
    page = client.get("/admin/consent/prayer-requests/").content.decode()
    assert "Meera" in page and "Asha learns to sew" not in page
    record = ConsentRecord.objects.get(story=story)
    assert client.get(f"/admin/consent/prayer-requests/edit/{record.pk}/").status_code == 404


def test_each_record_in_the_lists_opens_from_the_list(client, story, prayer_request, editors):
    """A withdrawal is recorded on the record: the list must lead to it (the browser journey
    tests/e2e/test_withdraw_story_consent.py found rows with nothing to click)."""
    editor_client(client, editors[0])
    record = ConsentRecord.objects.get(story=story)
    page = client.get("/admin/consent/stories-and-photos/").content.decode()
    assert f'href="/admin/consent/stories-and-photos/edit/{record.pk}/"' in page

    client.force_login(make_moderator(email="mod@example.org"))
    record = ConsentRecord.objects.get(prayer_request=prayer_request)
    page = client.get("/admin/consent/prayer-requests/").content.decode()
    assert f'href="/admin/consent/prayer-requests/edit/{record.pk}/"' in page


def consent_form(**changes):
    return {
        "given_by": "Her sister",
        "covers": "The request, no names",
        "given_on": "2026-05-10",
        "expires_on": "",
        "withdrawn_on": "",
        "notes": "",
        **changes,
    }


def test_a_moderator_records_consent_for_a_request_and_can_move_it(client, prayer_request):
    """The link is prayer's (PrayerRequestConsentLink): the form saves record and link together."""
    moderator = make_moderator(email="mod@example.org")
    client.force_login(moderator)
    url = "/admin/consent/prayer-requests/new/"
    form = client.get(f"{url}?prayer_request={prayer_request.pk}").content.decode()
    assert f'value="{prayer_request.pk}"' in form

    assert client.post(url, consent_form(prayer_request=prayer_request.pk)).status_code == 302
    record = ConsentRecord.objects.get(given_by="Her sister")
    assert (record.target, record.content, record.recorded_by) == (
        "prayer_request",
        prayer_request,
        moderator,
    )
    assert str(record) == f"Consent #{record.pk} for prayer request “{prayer_request.title}”"

    other = make_request("Pray for the night shelter")
    edit = f"/admin/consent/prayer-requests/edit/{record.pk}/"
    assert f'value="{prayer_request.pk}"' in client.get(edit).content.decode()
    assert client.post(edit, consent_form(prayer_request=other.pk)).status_code == 302
    assert ConsentRecord.objects.get(prayer_request=other) == record
    assert not ConsentRecord.objects.filter(prayer_request=prayer_request, pk=record.pk).exists()


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "Choose the one story, photo or prayer request"),
        ("999999", "Select a valid choice"),
        ("abc", "Select a valid choice"),
        ("9" * 500, "Select a valid choice"),
    ],
)
def test_a_request_record_without_a_request_is_refused_clearly(
    client, prayer_request, value, message
):
    client.force_login(make_moderator(email="mod@example.org"))
    response = client.post(
        "/admin/consent/prayer-requests/new/", consent_form(prayer_request=value)
    )
    assert response.status_code in (200, 400)
    assert message in response.content.decode()
    assert ConsentRecord.objects.count() == 1


def test_a_record_for_a_request_and_a_story_is_refused_by_the_database(story):
    with pytest.raises(IntegrityError):
        ConsentRecord.objects.create(
            story=story, target="prayer_request", given_by="x", covers="y", given_on=NOW.date()
        )


def test_deleting_a_request_deletes_its_consent_records(prayer_request, story):
    add_consent(prayer_request, given_on=datetime.date(2026, 2, 1))
    make_request("Another").delete()
    assert ConsentRecord.objects.filter(prayer_request=prayer_request).count() == 2

    prayer_request.delete()
    assert list(ConsentRecord.objects.all()) == [ConsentRecord.objects.get(story=story)]


# --- the dashboard ----------------------------------------------------------------------------


def test_the_dashboard_lists_content_ending_within_30_days_and_not_31(client, site_pages, editors):
    _home, news = site_pages
    today = NOW.date()
    for days in (30, 31):
        add_consent(
            add_story(news, title=f"Ends in {days} days"),
            expires_on=today + datetime.timedelta(days=days),
        )
    longer = add_story(news, title="Ends soon but renewed")
    add_consent(longer, expires_on=today + datetime.timedelta(days=5))
    add_consent(longer, expires_on=today + datetime.timedelta(days=400))
    editor_client(client, editors[0])

    page = client.get("/admin/").content.decode()

    assert "Consent ending soon" in page
    assert "Ends in 30 days" in page
    assert "Ends in 31 days" not in page
    assert "Ends soon but renewed" not in page
    assert PERSON not in page


def test_the_dashboard_shows_what_was_taken_down(
    client, story, editors, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(AFTER_END, tick=False)
    run_take_down(django_capture_on_commit_callbacks)
    editor_client(client, editors[0])

    page = client.get("/admin/").content.decode()

    taken_down = page[page.index("Taken off the site") :]
    assert "Asha learns to sew" in taken_down and "Expired 1 Jun 2026" in taken_down


def test_the_dashboard_costs_the_same_queries_for_many_records(
    client, site_pages, editors, django_assert_max_num_queries
):
    _home, news = site_pages
    editor_client(client, editors[0])

    def add_records(count, start):
        for number in range(start, start + count):
            story = add_story(news, title=f"Story {number}")
            add_consent(story, expires_on=NOW.date() + datetime.timedelta(days=10))
            photo = make_image(f"Photo {number}")
            add_consent(photo, expires_on=NOW.date() + datetime.timedelta(days=10))
            add_consent(photo, withdrawn_on=NOW.date(), taken_down_at=NOW)

    add_records(2, 0)
    client.get("/admin/")
    with django_assert_max_num_queries(200) as few:
        assert "Story 1" in client.get("/admin/").content.decode()
    budget = len(few.captured_queries)
    add_records(8, 2)
    client.get("/admin/")  # warm again: publishing forgot the cached menus and sites
    with django_assert_max_num_queries(budget):
        assert "Story 9" in client.get("/admin/").content.decode()


def test_the_dashboard_panel_is_not_shown_to_groups_without_consent_screens(client, site_pages):
    client.force_login(staff("Volunteer coordinators", "coord@example.org"))
    assert "Consent ending soon" not in client.get("/admin/").content.decode()


def test_records_ending_soon_are_filtered_in_the_list(client, site_pages, editors):
    _home, news = site_pages
    add_consent(add_story(news, title="Ends next week"), expires_on=datetime.date(2026, 5, 17))
    add_consent(add_story(news, title="Ends next year"), expires_on=datetime.date(2027, 5, 17))
    editor_client(client, editors[0])

    page = client.get("/admin/consent/stories-and-photos/?state=ending").content.decode()

    assert "Ends next week" in page and "Ends next year" not in page


def test_the_consent_list_costs_the_same_queries_for_many_records(
    client, site_pages, editors, django_assert_max_num_queries
):
    _home, news = site_pages
    editor_client(client, editors[0])

    def add_records(count, start):
        for number in range(start, start + count):
            add_consent(add_story(news, title=f"Story {number}"))
            add_consent(make_image(f"Photo {number}"), withdrawn_on=NOW.date())

    add_records(2, 0)
    url = "/admin/consent/stories-and-photos/"
    client.get(url)
    with django_assert_max_num_queries(200) as few:
        assert "Story 1" in client.get(url).content.decode()
    add_records(8, 2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "Story 9" in client.get(url).content.decode()


def test_ending_soon_is_one_row_per_content(site_pages):
    _home, news = site_pages
    story = add_story(news, title="Two records, one day")
    add_consent(story, expires_on=datetime.date(2026, 5, 20))
    add_consent(story, expires_on=datetime.date(2026, 5, 20))
    assert ConsentRecord.objects.ending_soon(NOW.date(), 30).filter(Q(story=story)).count() == 1


def test_ending_soon_is_one_row_per_request_and_a_longer_one_outlasts(wall):
    """The same rule across prayer's link table: records for one request compare as one."""
    soon, outlasted = make_request("Two records, one day"), make_request("Renewed for a year")
    add_consent(soon, expires_on=datetime.date(2026, 5, 20))
    add_consent(soon, expires_on=datetime.date(2026, 5, 20))
    add_consent(outlasted, expires_on=datetime.date(2026, 5, 20))
    add_consent(outlasted, expires_on=datetime.date(2027, 5, 20))
    ending = ConsentRecord.objects.ending_soon(NOW.date(), 30)
    assert ending.filter(prayer_request=soon).count() == 1
    assert not ending.filter(prayer_request=outlasted).exists()


# --- running twice at once --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_take_everything_down_once_and_tell_once(time_machine):
    """Real threads with their own PostgreSQL connections, as two task clusters would run."""
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL row locks")
    _home, news = build_site()
    group, _ = Group.objects.get_or_create(name="Editors")
    UserFactory(email="editor@example.org").groups.add(group)
    story = add_story(news, title="Asha learns to sew")
    photo = make_image("Asha at the machine")
    for content in (story, photo):
        add_consent(content, expires_on=ENDS)
    time_machine.move_to(AFTER_END, tick=False)

    barrier = threading.Barrier(THREADS)
    outcomes = []

    def run():
        try:
            barrier.wait()
            outcomes.append(take_down_ended_consent())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(outcomes) == 2, outcomes
    assert not StoryPage.objects.get(pk=story.pk).live
    assert PageLogEntry.objects.filter(page=story, action="vigil.consent.take_down").count() == 1
    assert ModelLogEntry.objects.filter(action="vigil.consent.take_down").count() == 1
    assert [message.to for message in mail.outbox] == [["editor@example.org"]]
