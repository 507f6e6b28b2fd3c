"""The demo campaign is open for registration with a resource kit, and a second run adds nothing."""

import datetime

import pytest
from django.utils import timezone
from wagtail.documents import get_document_model

from campaigns.demo import create_campaign_demo
from campaigns.models import CampaignPage, CampaignResource, ChurchRegistration
from campaigns.progress import campaign_progress
from tests.factories import add_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path, site_pages):
    """The campaign website's demo builder makes (demo_content runs both, in
    tests/website/test_demo_content.py), then this app's demo."""
    settings.MEDIA_ROOT = tmp_path
    home, _news = site_pages
    start = timezone.localdate() + datetime.timedelta(days=100)
    add_campaign(
        home, title="Freedom Sunday", slug=f"freedom-sunday-{start.year}", start_date=start
    )
    made = create_campaign_demo(home)
    assert made == {"campaigns configured": 1, "documents": 3, "resources": 5, "registrations": 5}
    return CampaignPage.objects.get()


def test_demo_campaign_is_open_with_a_kit_and_registrations(client, demo):
    now = timezone.now()
    assert demo.registration_is_open(now)
    assert demo.registration_closes_at.date() < demo.start_date
    assert demo.goal_churches
    resources = list(demo.resources.all())
    assert [r.kind for r in resources].count("document") == 3
    assert [r.kind for r in resources].count("link") == 2
    pdf = resources[0].document.file.read()
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert ChurchRegistration.objects.filter(campaign=demo).count() == 5
    assert campaign_progress(demo).countries == 5

    page = client.get(demo.url).content.decode()
    assert "Register our church" in page
    assert "sermon outline" in page


def test_a_second_run_creates_nothing(demo, site_pages):
    counts = (
        CampaignResource.objects.count(),
        get_document_model().objects.count(),
        ChurchRegistration.objects.count(),
        demo.revisions.count(),
    )
    made = create_campaign_demo(site_pages[0])
    assert not any(made.values())
    assert counts == (
        CampaignResource.objects.count(),
        get_document_model().objects.count(),
        ChurchRegistration.objects.count(),
        demo.revisions.count(),
    )
