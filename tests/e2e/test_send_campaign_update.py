"""A campaign coordinator signs in with her authenticator app, writes an update to the
churches registered for a campaign, previews it and sends it: the church's contact, who
agreed to updates, receives it, with a link to leave the list."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from campaigns.models import CampaignUpdate
from tests.e2e.backoffice import sign_in, staff_member, watch
from tests.factories import open_campaign, register_church

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUBJECT = "Freedom Sunday: the sermon outline is ready"
BODY = "Thank you for standing with us. The sermon outline is now in your resource kit."


@pytest.fixture
def campaign(back_office):
    home, _news = back_office
    campaign = open_campaign(home, title="Freedom Sunday 2027")
    register_church(campaign, email="sarah@example.org", contact_name="Sarah Okafor")
    register_church(
        campaign,
        church_name="St Mark's",
        email="no-updates@example.org",
        consents_to_updates=None,
    )
    mail.outbox.clear()
    return campaign


def test_coordinator_previews_and_sends_an_update(live_server, campaign, browser):
    coordinator, secret = staff_member("Campaign coordinators", "joy@example.org")
    page = browser.new_page()
    problems = watch(page)
    sign_in(page, live_server.url, coordinator, secret)

    page.get_by_role("button", name="Campaigns").click()
    page.get_by_role("link", name="Updates to churches").click()
    page.wait_for_url("**/admin/campaigns/updates/")
    page.get_by_role("link", name="Add campaign update").click()
    page.get_by_role("combobox", name="Campaign").select_option(label="Freedom Sunday 2027")
    page.get_by_role("textbox", name="Subject").fill(SUBJECT)
    # Draftail's editable area has no name of its own: it is the text box of the Body panel.
    page.get_by_role("region", name="Body").get_by_role("textbox").press_sequentially(BODY)
    # Draftail copies what was typed into the form a moment later (a person is slower).
    expect(page.locator("input[name=body]")).to_have_value(re.compile("resource kit"))
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/admin/campaigns/updates/")
    update = CampaignUpdate.objects.get()
    assert update.is_draft and update.created_by == coordinator

    row = page.get_by_role("row").filter(has_text=SUBJECT)
    row.get_by_role("button", name="More options").click()
    row.get_by_role("link", name="Preview").click()
    page.wait_for_url(f"**/admin/campaigns/updates/preview/{update.pk}/")
    assert BODY in page.locator("body").inner_text()
    assert mail.outbox == [], "a preview sends nothing"

    page.go_back()
    row.get_by_role("button", name="More options").click()
    row.get_by_role("link", name="Send to all…").click()
    page.wait_for_url(f"**/admin/campaigns/updates/send/{update.pk}/")
    assert "This sends the update to 1 contact" in page.locator("main").inner_text()
    page.get_by_role("button", name="Send to 1 contact").click()
    page.wait_for_url("**/admin/campaigns/updates/")
    assert "is being sent" in page.get_by_role("status").inner_text()

    [sent] = mail.outbox
    assert sent.to == ["sarah@example.org"]
    assert sent.subject == SUBJECT
    assert BODY in sent.body
    assert "/church/updates/unsubscribe/" in sent.extra_headers["List-Unsubscribe"]
    update.refresh_from_db()
    assert update.status == CampaignUpdate.Status.SENT
    assert problems == [], "\n".join(problems)
