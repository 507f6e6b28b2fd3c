"""Updates reach every consenting contact once, never a suppressed or withdrawn one."""

import json
import re
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaigns import links, updates
from campaigns.models import CampaignUpdate, RegistrationContact, UpdateDelivery
from campaigns.registration import add_contact
from core import outbox
from core.mailing import absolute
from core.models import Suppression
from tests.factories import UserFactory, register_church

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<>]+")
DRAFTAIL_HI = json.dumps(
    {
        "blocks": [
            {
                "key": "a",
                "type": "unstyled",
                "text": "Hi",
                "depth": 0,
                "inlineStyleRanges": [],
                "entityRanges": [],
            }
        ],
        "entityMap": {},
    }
)


@pytest.fixture(autouse=True)
def _anymail_test_backend(settings):
    """Django's test setup swaps in locmem; the test backend records anymail's merge data."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"


@pytest.fixture
def coordinator(site_pages):
    from django.contrib.auth.models import Group

    user = UserFactory(email="coordinator@example.org")
    user.groups.add(Group.objects.get(name="Campaign coordinators"))
    return user


@pytest.fixture
def registrants(campaign):
    """Two consenting contacts, one without consent, one unsubscribed, one suppressed."""
    grace = register_church(campaign).registration
    add_contact(
        grace,
        {
            "contact_name": "Tom",
            "role": "",
            "email": "tom@example.org",
            "consents_to_updates": True,
        },
    )
    register_church(
        campaign, church_name="Hope", email="noconsent@example.org", consents_to_updates=None
    )
    gone = register_church(campaign, church_name="Gone", email="gone@example.org").contact
    RegistrationContact.objects.filter(pk=gone.pk).update(unsubscribed_at="2026-01-01T00:00Z")
    register_church(campaign, church_name="Bounced", email="bounced@example.org")
    Suppression.objects.create(email="bounced@example.org", active=True, reason="hard_bounce")
    mail.outbox.clear()


@pytest.fixture
def update(campaign, coordinator):
    return CampaignUpdate.objects.create(
        campaign=campaign,
        subject="Three weeks to go & counting",
        body='<p>Thank you for <b>praying</b>. See <a href="/stories/">our stories</a>.</p>',
        created_by=coordinator,
    )


def recipients_of(messages):
    return sorted(address for message in messages for address in message.to)


def test_sending_reaches_consenting_contacts_only(update, registrants, coordinator):
    assert updates.start_sending(update, coordinator)

    assert recipients_of(mail.outbox) == ["sarah@example.org", "tom@example.org"]
    [message] = mail.outbox  # one provider call for the batch
    assert message.subject == "Three weeks to go & counting"
    params = message.anymail_test_params
    assert params["merge_data"].keys() == {"sarah@example.org", "tom@example.org"}
    for address, data in params["merge_data"].items():
        assert "/church/updates/unsubscribe/" in data["unsubscribe_url"]
        headers = params["merge_headers"][address]
        assert headers["List-Unsubscribe"] == f"<{data['unsubscribe_url']}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "%recipient.unsubscribe_url%" in message.body
    html = message.alternatives[0][0]
    assert "<b>praying</b>" in html
    assert 'href="http://testserver/stories/"' in html, "links are absolute in email"

    update.refresh_from_db()
    assert update.status == "sent" and update.sent_by == coordinator
    statuses = dict(UpdateDelivery.objects.values_list("contact__email", "status"))
    assert statuses == {
        "sarah@example.org": "sent",
        "tom@example.org": "sent",
        "bounced@example.org": "suppressed",
    }
    counted = updates.with_counts(CampaignUpdate.objects.all()).get()
    assert (counted.recipient_count, counted.sent_count, counted.suppressed_count) == (3, 2, 1)


def test_an_update_is_sent_once_however_often_it_is_started(update, registrants, coordinator):
    assert updates.start_sending(update, coordinator)
    assert not updates.start_sending(update, coordinator), "a second click sends nothing"
    updates.create_deliveries_and_queue(update.pk)
    updates.resume_unfinished()
    assert updates.send_batch(update.pk, 0, 10**9) == 0
    assert len(mail.outbox) == 1
    assert UpdateDelivery.objects.filter(status="sent").count() == 2


def test_a_failed_provider_call_is_retried_later(
    update, registrants, coordinator, monkeypatch, time_machine
):
    def fail(self, messages):
        raise ConnectionError("provider down")

    monkeypatch.setattr("anymail.backends.test.EmailBackend.send_messages", fail)
    updates.start_sending(update, coordinator)
    assert not mail.outbox
    assert set(UpdateDelivery.objects.values_list("status", flat=True)) == {"pending", "suppressed"}
    assert UpdateDelivery.objects.get(contact__email="tom@example.org").last_error == (
        "ConnectionError"
    )
    monkeypatch.undo()
    updates.resume_unfinished()
    assert not mail.outbox, "not before the backoff has passed"
    time_machine.move_to(timezone.now() + outbox.RETRY_BACKOFF, tick=False)
    updates.resume_unfinished()
    assert recipients_of(mail.outbox) == ["sarah@example.org", "tom@example.org"]
    update.refresh_from_db()
    assert update.status == "sent"


def test_batches_are_cut_to_the_provider_limit(update, campaign, coordinator, monkeypatch):
    monkeypatch.setattr(updates, "MAX_BATCH", 2)
    for number in range(5):
        register_church(campaign, church_name=f"Church {number}", email=f"c{number}@example.org")
    mail.outbox.clear()
    updates.start_sending(update, coordinator)
    assert [len(message.to) for message in mail.outbox] == [2, 2, 1]


def test_one_click_unsubscribe_stops_updates(client, campaign, update, registrants, coordinator):
    sarah = RegistrationContact.objects.get(email="sarah@example.org")
    url = links.unsubscribe_url(sarah.pk, sarah.link_version)

    page = client.get(url)
    assert page.status_code == 200
    assert "Stop the updates" in page.content.decode()
    sarah.refresh_from_db()
    assert sarah.unsubscribed_at is None, "a GET (a link scanner) changes nothing"

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    sarah.refresh_from_db()
    assert sarah.unsubscribed_at is not None
    assert sarah.registration.pk, "the church stays registered"

    updates.start_sending(update, coordinator)
    assert recipients_of(mail.outbox) == ["tom@example.org"]


def test_unsubscribe_links_are_checked(client, registrants):
    sarah = RegistrationContact.objects.get(email="sarah@example.org")
    url = links.unsubscribe_url(sarah.pk, sarah.link_version)
    assert client.post(url[:-5] + "abcd/").status_code == 400
    RegistrationContact.objects.filter(pk=sarah.pk).update(link_version=3)
    assert client.post(url).status_code == 404
    sarah.refresh_from_db()
    assert sarah.unsubscribed_at is None


def admin_url(name, update):
    return reverse(f"campaign_updates:{name}", args=[update.pk])


def test_coordinator_previews_tests_and_sends(client, update, registrants, coordinator):
    client.force_login(coordinator)

    preview = client.get(admin_url("preview", update))
    assert preview.status_code == 200
    assert "Three weeks to go &amp; counting" in preview.content.decode()

    assert client.get(admin_url("test", update)).status_code == 200
    assert not mail.outbox, "a GET sends nothing"
    client.post(admin_url("test", update))
    [test_copy] = mail.outbox
    assert test_copy.to == ["coordinator@example.org"]
    assert test_copy.subject == "[Test] Three weeks to go & counting"
    # The outbox renders it from its own templates: the same copy the update renders.
    update.refresh_from_db()
    _subject, text, body = updates.render_update(update, unsubscribe_url=absolute("/"), test=True)
    assert (test_copy.body, test_copy.alternatives[0][0]) == (text, body)
    mail.outbox.clear()

    confirm = client.get(admin_url("send", update))
    html = confirm.content.decode()
    assert "Send to 3 contacts" in html and "1 of them on the suppression list" in html
    assert not mail.outbox
    response = client.post(admin_url("send", update))
    assert response.status_code == 302
    assert recipients_of(mail.outbox) == ["sarah@example.org", "tom@example.org"]

    again = client.post(admin_url("send", update), follow=True)
    assert "was already sent" in again.content.decode()
    assert len(mail.outbox) == 1

    edit = client.get(admin_url("edit", update))
    assert edit.status_code == 302, "a sent update is history, not edited"
    listing = client.get(reverse("campaign_updates:index")).content.decode()
    assert "Three weeks to go" in listing


def test_coordinator_writes_an_update(client, campaign, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("campaign_updates:add"),
        {"campaign": campaign.pk, "subject": "Hello churches", "body": DRAFTAIL_HI},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = CampaignUpdate.objects.get()
    assert created.created_by == coordinator
    assert created.status == "draft"


def test_outsiders_cannot_send(client, update, registrants):
    client.force_login(UserFactory(email="visitor@example.org"))
    response = client.post(admin_url("send", update))
    assert response.status_code in (302, 403)
    assert not mail.outbox
    update.refresh_from_db()
    assert update.sent_at is None


def test_unsubscribe_link_in_a_real_message_works(
    client, update, registrants, coordinator, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    updates.start_sending(update, coordinator)
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"sarah@example.org", "tom@example.org"}
    message = by_address["tom@example.org"]
    [url] = [link for link in LINK.findall(message.body) if "/unsubscribe/" in link]
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert client.post(url).status_code == 200
    assert RegistrationContact.objects.get(email="tom@example.org").unsubscribed_at


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_batch_send_each_row_once(campaign, registrants):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's concurrent transactions")
    # No coordinator fixture: transactional tests run on flushed tables, without staff groups.
    update = CampaignUpdate.objects.create(
        campaign=campaign,
        subject="Hello",
        body="<p>Hi</p>",
        status="sending",
        sent_at=timezone.now(),
    )
    for contact in updates.recipients(update.campaign_id):
        UpdateDelivery.objects.create(update=update, contact=contact)
    barrier = threading.Barrier(3)
    sent = []

    def worker():
        try:
            barrier.wait()
            sent.append(updates.send_batch(update.pk, 0, 10**9))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(sent) == [0, 0, 2]
    assert recipients_of(mail.outbox) == ["sarah@example.org", "tom@example.org"]
    assert UpdateDelivery.objects.filter(status="sent").count() == 2


@pytest.mark.parametrize("text", ["", "   ", "\u00a0"])
def test_an_update_without_words_is_refused(client, campaign, coordinator, text):
    """Draftail sends an empty paragraph when the body was clicked but nothing typed, or when
    the last words were typed a moment before saving: nothing is saved, so an empty email
    cannot go to every church."""
    client.force_login(coordinator)
    empty = json.loads(DRAFTAIL_HI)
    empty["blocks"][0]["text"] = text
    response = client.post(
        reverse("campaign_updates:add"),
        {"campaign": campaign.pk, "subject": "Hello churches", "body": json.dumps(empty)},
    )
    assert response.status_code == 200
    assert "Please write the update" in response.content.decode()
    assert not CampaignUpdate.objects.exists()
