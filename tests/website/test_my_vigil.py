"""My Vigil: everything tied to the account's verified addresses, with links to change each,
and records made before the account attached once the address is verified."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns import links as campaign_links
from digests import links as prayer_links
from digests.models import Subscription
from tests.factories import PASSWORD, UserFactory, supporter_records
from vigils import calendar_emails as calendar_emails
from vigils import emails as vigil_emails
from vigils.models import VigilSignup
from volunteers.links import manage_url
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

EMAIL = "ruth@example.org"


@pytest.fixture
def home(site_pages):
    return site_pages[0]


def page_of(client):
    response = client.get("/account/")
    assert response.status_code == 200
    return response.content.decode()


def test_my_vigil_needs_sign_in(client, db):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_my_vigil_lists_everything_joined_with_the_verified_address(client, home, time_machine):
    time_machine.move_to("2026-11-24 10:00:00+00:00", tick=False)  # links made in one second
    records = supporter_records(home, EMAIL)
    supporter_records(home, "someone.else@example.org", name="Other Person")
    client.force_login(UserFactory(email=EMAIL))

    html = page_of(client)

    subscription = records["subscription"]
    calendar = records["calendar_subscription"]
    signup = records["vigil_signup"]
    registration, contact = records["registration"], records["contact"]
    for text in (
        "My Vigil",
        f"Prayer updates to {EMAIL}",
        calendar.calendar.title,
        signup.vigil.title,
        records["prayer_request"].title,
        records["future_shift"].opportunity.title,
        records["future_shift"].local_label,
        "Police clearance",
        registration.church_name,
        records["campaign"].title,
    ):
        assert text in html, text
    for url in (
        prayer_links.preferences_url(subscription.pk, subscription.link_version),
        prayer_links.unsubscribe_url(subscription.pk, subscription.link_version),
        calendar_emails.unsubscribe_url(calendar.pk, calendar.link_version),
        vigil_emails.manage_url(signup.pk, signup.link_version),
        vigil_emails.unsubscribe_url(signup.pk, signup.link_version),
        manage_url(records["volunteer"]),
        campaign_links.manage_url(registration),
        campaign_links.unsubscribe_url(contact.pk, contact.link_version),
    ):
        assert f'href="{url}"' in html, url
    assert "someone.else@example.org" not in html
    assert "Other Person" not in html


def test_the_links_on_my_vigil_open_the_pages_they_name(client, home):
    records = supporter_records(home, EMAIL)
    client.force_login(UserFactory(email=EMAIL))
    html = page_of(client)

    links = re.findall(r'href="http://testserver(/[^"]+)"', html)
    assert len(links) >= 8
    for path in links:
        assert client.get(path).status_code == 200, path
    assert records["subscription"].status == Subscription.Status.ACTIVE


def test_an_unverified_address_shows_nothing(client, home):
    supporter_records(home, EMAIL)
    user = UserFactory(email=EMAIL, verified=False)
    EmailAddress.objects.create(user=user, email=EMAIL, verified=False, primary=True)
    client.force_login(user)

    html = page_of(client)

    assert "Not verified yet: ruth@example.org" in html
    for text in ("Prayer updates to", "Night of prayer", "Grace Church", "Police clearance"):
        assert text not in html
    assert not Subscription.objects.filter(user=user).exists()
    assert not Volunteer.objects.filter(user=user).exists()


def test_someone_registering_with_another_persons_address_sees_nothing(client, home):
    records = supporter_records(home, EMAIL)
    response = client.post(
        "/accounts/signup/", {"email": EMAIL, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    impostor = EmailAddress.objects.get(email=EMAIL).user

    # allauth keeps them out until the address is verified; even let in, they see nothing.
    client.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    client.force_login(impostor)
    html = page_of(client)

    assert records["registration"].church_name not in html
    assert records["vigil_signup"].vigil.title not in html
    for record in (records["subscription"], records["vigil_signup"], records["volunteer"]):
        record.refresh_from_db()
        assert record.user is None


def test_verifying_the_address_attaches_records_made_before_the_account(client, home):
    records = supporter_records(home, EMAIL)
    client.post("/accounts/signup/", {"email": EMAIL, "password1": PASSWORD, "password2": PASSWORD})
    user = EmailAddress.objects.get(email=EMAIL).user
    assert Subscription.objects.get().user is None

    key = re.search(r"/accounts/confirm-email/([^/\s]+)/", mail.outbox[-1].body).group(1)
    client.post(f"/accounts/confirm-email/{key}/")

    for record in (records["subscription"], records["vigil_signup"], records["volunteer"]):
        record.refresh_from_db()
        assert record.user == user
    client.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})
    assert records["registration"].church_name in page_of(client)


def test_signing_in_attaches_records_made_since(client, home):
    user = UserFactory(email=EMAIL)
    records = supporter_records(home, EMAIL)
    assert VigilSignup.objects.get().user is None

    client.post("/accounts/login/", {"login": EMAIL, "password": PASSWORD})

    records["volunteer"].refresh_from_db()
    assert records["volunteer"].user == user
    assert VigilSignup.objects.get().user == user


def test_records_of_a_second_verified_address_show_too(client, home):
    user = UserFactory(email=EMAIL)
    EmailAddress.objects.create(user=user, email="ruth.work@example.org", verified=True)
    EmailAddress.objects.create(user=user, email="not.yet@example.org", verified=False)
    records = supporter_records(home, "Ruth.Work@example.org".lower())
    supporter_records(home, "not.yet@example.org")
    client.force_login(user)

    html = page_of(client)

    assert "Prayer updates to ruth.work@example.org" in html
    assert records["registration"].church_name in html
    assert "Prayer updates to not.yet@example.org" not in html
    assert "Not verified yet: not.yet@example.org" in html


def test_nothing_joined_yet_says_where_to_start(client, db):
    client.force_login(UserFactory(email=EMAIL))
    html = page_of(client)
    assert "You do not receive prayer updates by email." in html
    assert 'href="/pray/subscribe/"' in html
    assert "You have not signed up to volunteer." in html
    assert "Safeguarding checks" not in html


def test_security_section_offers_password_code_and_second_factors(client, db):
    client.force_login(UserFactory(email=EMAIL))
    html = page_of(client)
    for url in (
        "/accounts/password/change/",
        "/accounts/login/code/",
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate/",
        "/accounts/2fa/webauthn/add/",
        "/account/data/",
        "/account/data/download/",
        "/account/delete/",
    ):
        assert f'href="{url}"' in html, url
    assert "Two-factor authentication: <strong>off</strong>" in html


def count_queries(client):
    client.get("/account/")  # the site's menus are cached after the first (new pages reset it)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/account/").status_code == 200
    return len(queries)


def test_my_vigil_asks_the_database_a_fixed_number_of_times(client, home):
    user = UserFactory(email=EMAIL)
    supporter_records(home, EMAIL)
    client.force_login(user)
    one_each = count_queries(client)

    for number in range(2, 5):
        address = f"ruth{number}@example.org"
        EmailAddress.objects.create(user=user, email=address, verified=True)
        supporter_records(home, address)
    four_each = count_queries(client)

    assert one_each == four_each
    assert one_each <= 30
