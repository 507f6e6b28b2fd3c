"""A volunteer coordinator signs in with her authenticator app, opens a shift's roster in
the back office and exports it: the file names the volunteer and the shift, and nobody
from another shift."""

import csv
import datetime

import pytest

from tests.e2e.backoffice import sign_in, staff_member, watch
from tests.factories import add_opportunity, add_shift, add_volunteer
from volunteers.signups import confirm_email, request_signup

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def signed_up(shift, name, email):
    """A volunteer who sent the public form and followed the emailed link."""
    volunteer = add_volunteer(email=email, name=name)
    return confirm_email(request_signup(volunteer, shift).pk)


@pytest.fixture
def shift(back_office):
    home, _news = back_office
    opportunity = add_opportunity(home, title="Teach at the drop-in centre")
    shift = add_shift(opportunity)
    other = add_shift(opportunity, starts_at=shift.starts_at + datetime.timedelta(days=1))
    signed_up(shift, "Priya D'Souza", "priya@example.org")
    signed_up(other, "Ravi Menon", "ravi@example.org")
    return shift


def test_coordinator_exports_a_shifts_roster(live_server, shift, browser):
    coordinator, secret = staff_member("Volunteer coordinators", "meera@example.org")
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    problems = watch(page)
    sign_in(page, live_server.url, coordinator, secret)

    page.get_by_role("button", name="Volunteers").click()
    page.get_by_role("link", name="Shifts").click()
    page.wait_for_url("**/admin/volunteers/shifts/")
    row = page.get_by_role("row").filter(has_text=shift.local_label)
    assert "1/5" in row.inner_text()
    row.get_by_role("link", name="Roster").click()
    page.wait_for_url(f"**/admin/volunteers/shifts/{shift.pk}/roster/")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Roster: Teach at the drop-in centre"
    )
    assert "Priya D'Souza" in page.get_by_role("table").inner_text()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig", newline="") as exported:
        rows = list(csv.DictReader(exported))
    assert [(row["Name"], row["Opportunity"], row["Shift"]) for row in rows] == [
        ("Priya D'Souza", "Teach at the drop-in centre", shift.local_label)
    ]
    assert rows[0]["Email"] == "priya@example.org"
    assert problems == [], "\n".join(problems)
    context.close()
