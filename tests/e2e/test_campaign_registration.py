"""A church registers for a campaign in Chromium, then fetches a resource through its
tracked link; registering again sends it to the existing registration."""

import re

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from campaigns.links import DOWNLOAD_PURPOSE
from campaigns.models import ChurchRegistration, ResourceDownload
from core.signing import read_token
from tests.e2e.axe import serious_violations
from tests.factories import build_site, open_campaign

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^\s\"<>]+")


@pytest.fixture
def campaign(transactional_db, settings, live_server, tmp_path):
    settings.SITE_URL = live_server.url
    settings.MEDIA_ROOT = tmp_path
    home, _news = build_site()
    campaign = open_campaign(home, title="Freedom Sunday 2027")
    document = get_document_model()(title="Sermon outline")
    document.file.save(
        "sermon-outline.txt", ContentFile(b"Isaiah 61: good news to the poor."), save=False
    )
    document.save()
    campaign.resources.create(title="Sermon outline", document=document, sort_order=0)
    campaign.resources.create(
        title="Short film", url="https://videos.example.org/film", sort_order=1
    )
    return campaign


def fill_form(page, email):
    page.get_by_label("Church name").fill("Grace Community Church")
    page.get_by_label("Town or city").fill("Manchester")
    page.get_by_label("Country").select_option("GB")
    page.get_by_label("Your name").fill("Sarah Okafor")
    page.get_by_label("Your role at the church").fill("Pastor")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("How many people do you expect on the day?").fill("120")
    page.get_by_label("Preach").check()
    page.get_by_label("Pray", exact=True).check()
    page.get_by_label("You may list our church on the campaign page").check()
    page.get_by_label("Send me updates about this campaign by email").check()
    page.get_by_role("button", name="Register our church").click()


def tracked_target(url):
    """(resource id, (registration id, link version)) a tracked download link stands for."""
    resource_id, token = url.split("/church/kit/", 1)[1].strip("/").split("/")
    return int(resource_id), read_token(token, DOWNLOAD_PURPOSE)


def test_register_download_and_register_again(live_server, campaign, page):
    page.goto(live_server.url + campaign.url)
    assert page.locator("h1").inner_text() == "Freedom Sunday 2027"
    assert serious_violations(page) == []

    # A form with a mistake comes back with the error, and passes axe too.
    page.get_by_role("button", name="Register our church").click()
    page.wait_for_load_state()
    assert "Please correct the highlighted fields below." in page.content()
    assert serious_violations(page) == []

    fill_form(page, "Sarah@Example.org")
    page.wait_for_url("**/thank-you/")
    assert page.locator("h1").inner_text() == "Thank you: please check your email"

    registration = ChurchRegistration.objects.get()
    [confirmation] = mail.outbox
    assert confirmation.to == ["sarah@example.org"]
    kit_links = [link for link in LINK.findall(confirmation.body) if "/church/kit/" in link]
    assert len(kit_links) == 2

    manage = next(link for link in LINK.findall(confirmation.body) if "/registration/" in link)
    page.goto(manage)
    assert page.locator("h1").inner_text() == "Grace Community Church"
    assert serious_violations(page) == []

    outline = page.get_by_role("link", name="Sermon outline")
    # The same tracked link as the email: the same registration and resource (the signed
    # token's timestamp may differ by a second).
    assert tracked_target(outline.get_attribute("href")) == tracked_target(kit_links[0])
    with page.expect_download() as download_info:
        outline.click()
    download = download_info.value
    with open(download.path(), "rb") as fetched:
        assert fetched.read() == b"Isaiah 61: good news to the poor."
    assert (
        ResourceDownload.objects.get(registration=registration).resource.title == "Sermon outline"
    )

    # The same church again, written differently: no second row, a link to the first.
    page.goto(live_server.url + campaign.url)
    fill_form(page, "sarah@example.org")
    page.wait_for_url("**/thank-you/")
    assert ChurchRegistration.objects.count() == 1
    assert mail.outbox[-1].subject.startswith("You already registered Grace Community Church")

    page.goto(live_server.url + campaign.url + "churches/")
    assert "Grace Community Church" in page.locator("table").inner_text()
    assert serious_violations(page) == []
