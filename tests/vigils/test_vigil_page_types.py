"""Editors create vigils and prayer calendars in the admin; the vigil's slots follow."""

import datetime

from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from tests.factories import add_campaign, build_site
from vigils.models import PrayerCalendarPage, VigilPage, VigilSlot
from website.models import HomePage


class VigilPageTypeTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home, cls.news = build_site()
        cls.campaign = add_campaign(cls.home)

    def setUp(self):
        self.login()

    def test_page_tree_rules(self):
        self.assertAllowedParentPageTypes(VigilPage, {HomePage})
        self.assertAllowedParentPageTypes(PrayerCalendarPage, {HomePage})

    def vigil_data(self, **overrides):
        return nested_form_data(
            {
                "title": "Night of prayer",
                "slug": "night-of-prayer",
                "intro": "Pray through the night.",
                "campaign": self.campaign.pk,
                "time_zone": "America/New_York",
                "start_date": "2026-03-07",
                "start_time": "20:00",
                "end_date": "2026-03-08",
                "end_time": "08:00",
                "slot_minutes": "30",
                "capacity": "3",
                "themes": inline_formset(
                    [
                        {
                            "title": "Children at risk",
                            "date": "",
                            "start_time": "22:00",
                            "end_time": "02:00",
                        }
                    ]
                ),
                **overrides,
            }
        )

    def test_editor_creates_a_vigil_and_its_slots_appear(self):
        self.assertCanCreate(self.home, VigilPage, self.vigil_data())
        vigil = VigilPage.objects.get(slug="night-of-prayer")
        # 20:00 EST to 08:00 EDT across the spring-forward night: 11 hours, 22 half-hours.
        self.assertEqual(VigilSlot.objects.filter(vigil=vigil).count(), 22)
        self.assertEqual(vigil.starts_at, datetime.datetime(2026, 3, 8, 1, tzinfo=datetime.UTC))
        self.assertEqual(vigil.campaign, self.campaign)
        self.assertPageIsRenderable(vigil)

    def test_a_vigil_that_ends_before_it_starts_is_refused(self):
        data = self.vigil_data(end_date="2026-03-07", end_time="19:00", slug="backwards")
        response = self.client.post(f"/admin/pages/add/vigils/vigilpage/{self.home.pk}/", data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The vigil must end after it starts.")
        self.assertFalse(VigilPage.objects.filter(slug="backwards").exists())

    def test_editor_creates_a_prayer_calendar(self):
        data = nested_form_data(
            {
                "title": "21 days",
                "slug": "21-days",
                "intro": "One focus a day.",
                "start_date": "2026-03-01",
                "time_zone": "Europe/London",
                "campaign": "",
                "days": inline_formset(
                    [
                        {
                            "title": "Day one",
                            "reading": "Isaiah 61",
                            "reading_reference": "",
                            "prayer_points": "Pray\nPray more",
                            "image": "",
                        },
                        {
                            "title": "Day two",
                            "reading": "",
                            "reading_reference": "",
                            "prayer_points": "",
                            "image": "",
                        },
                    ]
                ),
            }
        )
        self.assertCanCreate(self.home, PrayerCalendarPage, data)
        calendar = PrayerCalendarPage.objects.get(slug="21-days")
        self.assertEqual([day.title for day in calendar.days.all()], ["Day one", "Day two"])
        self.assertPageIsRenderable(calendar)
