"""Each page type can be created in the admin, renders, and only where it belongs."""

import datetime

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from campaigns.models import CampaignIndexPage, CampaignPage
from tests.factories import add_campaign, build_site
from website.models import HomePage, MinistryPage, NewsIndexPage, StandardPage, StoryPage


class PageTypeTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home, cls.news = build_site()

    def setUp(self):
        self.login()

    def test_page_tree_rules(self):
        self.assertAllowedParentPageTypes(StoryPage, {NewsIndexPage})
        self.assertAllowedSubpageTypes(NewsIndexPage, {StoryPage})
        self.assertAllowedParentPageTypes(CampaignPage, {CampaignIndexPage})
        self.assertCanNotCreateAt(HomePage, StoryPage)
        self.assertFalse(HomePage.can_create_at(Page.get_first_root_node()))  # only one

    def test_editor_creates_a_story(self):
        data = nested_form_data(
            {
                "title": "Learning to read at forty",
                "slug": "learning-to-read",
                "date": "2026-04-02",
                "author": "Field team",
                "names_changed": "on",
                "intro": "Meera never went to school.",
                "body": streamfield(
                    [
                        ("paragraph", rich_text("<p>Now she reads to her daughter.</p>")),
                        ("pull_quote", {"quote": "Letters were a locked door.", "attribution": ""}),
                    ]
                ),
                "tags": "education, hope",
                "regions": [],
                "calls_to_action": streamfield([]),
            }
        )
        self.assertCanCreate(self.news, StoryPage, data)
        story = StoryPage.objects.get(slug="learning-to-read")
        self.assertTrue(story.live)
        self.assertEqual(sorted(t.name for t in story.tags.all()), ["education", "hope"])
        self.assertPageIsRenderable(story)

    def test_editor_creates_a_ministry_page(self):
        data = nested_form_data(
            {
                "title": "Bakery training",
                "slug": "bakery",
                "intro": "Bread, and a trade.",
                "city": "Kathmandu",
                "country": "Nepal",
                "body": streamfield([]),
                "programmes": streamfield(
                    [("programme", {"name": "Bakery", "description": "Six months."})]
                ),
                "impact_figures": streamfield(
                    [("figure", {"figure": "24", "label": "women trained each year"})]
                ),
                "gallery_images": inline_formset([]),
            }
        )
        self.assertCanCreate(self.home, MinistryPage, data)
        self.assertPageIsRenderable(MinistryPage.objects.get(slug="bakery"))

    def test_editor_creates_a_standard_page(self):
        data = nested_form_data(
            {"title": "About", "slug": "about", "intro": "Who we are.", "body": streamfield([])}
        )
        self.assertCanCreate(self.home, StandardPage, data)
        self.assertPageIsRenderable(StandardPage.objects.get(slug="about"))

    def test_editor_creates_a_campaign(self):
        index = CampaignIndexPage(title="Campaigns", slug="campaigns")
        self.home.add_child(instance=index)
        data = nested_form_data(
            {
                "title": "Freedom Sunday",
                "slug": "freedom-sunday",
                "start_date": "2027-03-07",
                "end_date": "",
                "summary": "Churches pray.",
                "body": streamfield([]),
                "calls_to_action": streamfield([]),
            }
        )
        self.assertCanCreate(index, CampaignPage, data)
        self.assertPageIsRenderable(CampaignPage.objects.get(slug="freedom-sunday"))

    def test_campaign_cannot_end_before_it_starts(self):
        campaign = add_campaign(self.home)
        campaign.end_date = campaign.start_date - datetime.timedelta(days=1)
        with self.assertRaises(Exception) as raised:
            campaign.full_clean()
        self.assertIn("end_date", str(raised.exception))

    def test_call_to_action_needs_a_page_or_a_url(self):
        data = nested_form_data(
            {
                "title": "Broken link",
                "slug": "broken",
                "intro": "x",
                "body": streamfield(
                    [
                        (
                            "call_to_action",
                            {"heading": "Pray", "text": "", "button_label": "Go", "url": ""},
                        )
                    ]
                ),
            }
        )
        data["action-publish"] = "action-publish"
        url = f"/admin/pages/add/website/standardpage/{self.home.pk}/"
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Choose a page or give a URL.")
        self.assertFalse(StandardPage.objects.filter(slug="broken").exists())

    def test_home_and_index_pages_render(self):
        self.assertPageIsRenderable(self.home)
        self.assertPageIsRenderable(self.news)
