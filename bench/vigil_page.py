"""The vigil and prayer calendar pages' weight: bytes (plain and gzip) and elements.

Builds, in a fresh SQLite file under var/bench/ (or DATABASE_URL when set), the demo vigil
(7 days of hourly slots), a 31-day vigil of 15-minute slots (2,976 slots, the first day's
slots all held by someone under a theme: the heaviest first day) and a 100-day prayer
calendar, then renders each page once through Django's test client, as a first visit does.
Prints one JSON line last. Issue 16 asks for at most 60 KB gzipped and 1,500 elements.

    .venv/bin/python bench/vigil_page.py
"""

import datetime
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DIR = ROOT / "var" / "bench"


def main():
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    database = BENCH_DIR / "vigil-page.sqlite3"
    if not os.environ.get("DATABASE_URL"):
        database.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "website.settings.test")

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from tests.factories import add_prayer_calendar, add_vigil, build_site
    from vigils.demo import create_vigil_demo
    from vigils.models import SlotBooking, VigilPage, VigilSignup, VigilSlot, VigilTheme
    from vigils.page_weight import page_weight

    call_command("migrate", "--noinput", verbosity=0)
    home, _ = build_site()
    create_vigil_demo(home)
    demo = VigilPage.objects.get()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    month = add_vigil(
        home,
        title="A month of prayer",
        slug="a-month-of-prayer",
        time_zone="Europe/London",
        start_date=tomorrow,
        start_time=datetime.time(0),
        end_date=tomorrow + datetime.timedelta(days=31),
        end_time=datetime.time(0),
        slot_minutes=15,
        capacity=2,
    )
    VigilTheme.objects.create(
        page=month,
        title="Children at risk",
        start_time=datetime.time(0),
        end_time=datetime.time(23, 59),
    )
    first_day = VigilSlot.objects.filter(vigil=month).order_by("starts_at")[:96]
    signup = VigilSignup.objects.create(
        vigil=month, email="ruth@example.org", display_name="Ruth Abimbola Okonkwo-Smith"
    )
    SlotBooking.objects.bulk_create([SlotBooking(signup=signup, slot=slot) for slot in first_day])
    VigilSlot.objects.filter(pk__in=[slot.pk for slot in first_day]).update(taken=1)
    calendar = add_prayer_calendar(home, title="A hundred days", slug="a-hundred-days", days=100)

    client = Client()
    client.get("/")  # warm the menu and settings caches
    figures = {}
    for name, url in (
        ("demo_vigil", demo.url),
        ("month_vigil_15_min", month.url),
        ("calendar_100_days", calendar.url),
    ):
        started = time.perf_counter()
        response = client.get(url)
        milliseconds = round(1000 * (time.perf_counter() - started))
        assert response.status_code == 200, (url, response.status_code)
        figures[name] = {**page_weight(response.content), "render_ms": milliseconds}
        print(f"{name:22} {url}: {figures[name]}")
    print(json.dumps({"pages": figures, "limits": {"gzip_bytes": 60_000, "elements": 1_500}}))


if __name__ == "__main__":
    main()
