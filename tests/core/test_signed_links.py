"""The one signed-link type: every purpose keeps the salt and token format of the links
already in people's inboxes, and every failure is one error with one page."""

import datetime

import pytest
import time_machine
from django.core import signing

from campaigns import links as campaign_links
from core.signing import LinkRefused, SignedLink, link_refused
from digests import links as subscription_links
from tests.factories import supporter_records
from vigils import calendar_emails as calendar_links
from vigils import emails as vigil_links
from volunteers import links as volunteer_links
from volunteers.models import Volunteer

MADE_AT = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)

# Made by core.signing.make_token(purpose, 4242, 3) before SignedLink existed, at MADE_AT,
# with the test settings' SECRET_KEY: the links already emailed. Each is the same payload
# ({"id": 4242, "v": 3}) and timestamp, then the purpose's own signature.
PAYLOAD_AND_TIME = "eyJpZCI6NDI0MiwidiI6M30:1xYJiS:"
SIGNATURES_EMAILED_BEFORE = {
    "prayer-confirm": "kXI2wkRvAlzg1Z0OP7DsdXUOX-cjkDPzWZyY6SDom4Q",
    "prayer-preferences": "CmXPs3TuUlqyq8TubHeJBMqQoBQXFBHYzS6sI5bi2kQ",
    "prayer-unsubscribe": "lIozD0e4N2UcorIz_pEkk7a2WRmWQQfdB1gez99eStI",
    "calendar-confirm": "tnjoAKkQgo7LjzVTSl3QX-EF_mbQXFxAoZjx1B7TsmQ",
    "calendar-unsubscribe": "NfEWNzXMuTSuHRv-_wUXN7uD8SCg_taKN8tC8EbFtRw",
    "vigil-confirm": "7JZhKxINI2n5m8fQiOb6FoyKwEpJ28RjneD-UEaTbok",
    "vigil-manage": "yr3LwQqm8EXsm-vKl2paYYPQt2Jp7X8mE7Cc_Y_y_ak",
    "vigil-unsubscribe": "F-NR3iYAdbqiQKBmQKQol431R8qTA83e91zWOpYeK2U",
    "vigil-feed": "yDnt4iZLUHDQa4WqFzlmvu_G3r8ND7-5wWLBhtiRxi4",
    "campaign-registration": "thKJwj15EOT_kt-vsXUm1FqVxD2e2j1aLn1_DVQiuKI",
    "campaign-download": "2v0ClJss93GYuQsCeBVJBgJ9EBKNtnSW29dh3egijDo",
    "campaign-updates-unsubscribe": "RAQuf-4DvgnNchOW9ch5cLBFJ9A1IWTeXLos32lgUIM",
    "campaign-contact-confirm": "PYVCSZxCuWbC_VguvOwoIqsM2g96k6rsntGLJlxtcBk",
    "volunteer-signup-confirm": "4TmSctS-FUW13Yj8Z5rAi55ukS-LSfbYvHM4A9jdCmI",
    "volunteer-manage": "o9sRQMJKfKX75y9sQcRyxDtx_46_0qy9mx3L6bB_Fgk",
    "volunteer-feed": "JvKz5qLWeyVkkR9qof5fYfEf7yxKCcRfxdwk3Ef-_ZI",
    "volunteer-keep-details": "RBcolJNFC5XNg5sez0BytPs2fpZLKIEaAy4sNtiDZSg",
}
TOKENS_EMAILED_BEFORE = {
    purpose: PAYLOAD_AND_TIME + signature
    for purpose, signature in SIGNATURES_EMAILED_BEFORE.items()
}


def every_link():
    modules = (subscription_links, calendar_links, vigil_links, campaign_links, volunteer_links)
    return [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, SignedLink)
    ]


def test_every_purpose_is_a_signed_link_and_each_is_checked_here():
    assert sorted(link.purpose for link in every_link()) == sorted(TOKENS_EMAILED_BEFORE)


@pytest.mark.django_db
@pytest.mark.parametrize("link", every_link(), ids=lambda link: link.purpose)
def test_a_link_emailed_before_still_reads_and_is_made_the_same_way(link):
    emailed = TOKENS_EMAILED_BEFORE[link.purpose]
    with time_machine.travel(MADE_AT, tick=False):
        assert link.token(4242, 3) == emailed, "same salt, same format"
    # Signature and age pass: the lookup runs, and finds no row 4242 in an empty database.
    with (
        time_machine.travel(MADE_AT + datetime.timedelta(hours=1), tick=False),
        pytest.raises(LinkRefused) as refused,
    ):
        link.resolve(emailed)
    assert refused.value.reason == LinkRefused.GONE


def signed_as_emailed(purpose, subject_id, version):
    """How core.signing.make_token signed before SignedLink: the format in inboxes today."""
    return signing.TimestampSigner(salt=f"vigil:{purpose}").sign_object(
        {"id": subject_id, "v": version}, compress=True
    )


# The supporter_records entry each link's model names.
RECORD_OF = {
    "digests.Subscription": "subscription",
    "vigils.CalendarSubscription": "calendar_subscription",
    "vigils.VigilSignup": "vigil_signup",
    "campaigns.ChurchRegistration": "registration",
    "campaigns.RegistrationContact": "contact",
    "volunteers.Volunteer": "volunteer",
    "volunteers.SignUp": "upcoming_signup",
}


@pytest.mark.django_db
def test_a_link_in_the_emailed_format_resolves_to_its_row_for_every_purpose(site_pages):
    home, _news = site_pages
    records = supporter_records(home, "ruth@example.org")
    for link in every_link():
        row = records[RECORD_OF[link.model]]
        version = link.version_of(row)
        with time_machine.travel(MADE_AT, tick=False):
            token = signed_as_emailed(link.purpose, row.pk, version)
        with time_machine.travel(MADE_AT + datetime.timedelta(hours=1), tick=False):
            assert link.resolve(token) == row, link.purpose


@pytest.fixture
def volunteer(db):
    return Volunteer.objects.create(email="v@example.org", name="V", link_version=2)


@pytest.mark.parametrize(
    ("version", "reason", "status"),
    [(2, None, 200), (1, LinkRefused.SUPERSEDED, 404), (3, LinkRefused.SUPERSEDED, 404)],
)
def test_a_link_resolves_at_its_current_version_only(volunteer, version, reason, status):
    token = volunteer_links.MANAGE.token(volunteer.pk, version)
    if reason is None:
        assert volunteer_links.MANAGE.resolve(token) == volunteer
        return
    with pytest.raises(LinkRefused) as refused:
        volunteer_links.MANAGE.resolve(token)
    assert (refused.value.reason, refused.value.status) == (reason, status)


def test_each_failure_is_one_error_with_its_status(volunteer, time_machine):
    link = volunteer_links.CONFIRM  # expires after seven days, version through a relation
    cases = {
        "x" * 301: (LinkRefused.TAMPERED, 400),
        volunteer_links.MANAGE.token(volunteer.pk, 2): (LinkRefused.TAMPERED, 400),
        link.token(999_999, 2): (LinkRefused.GONE, 404),
    }
    for token, expected in cases.items():
        with pytest.raises(LinkRefused) as refused:
            link.resolve(token)
        assert (refused.value.reason, refused.value.status) == expected
    time_machine.move_to(MADE_AT, tick=False)
    old = link.token(1, 0)
    time_machine.move_to(MADE_AT + datetime.timedelta(days=7, seconds=1), tick=False)
    with pytest.raises(LinkRefused) as refused:
        link.resolve(old)
    assert (refused.value.reason, refused.value.status) == (LinkRefused.EXPIRED, 400)


def test_versions_that_are_not_whole_numbers_are_tampering(volunteer):
    for version in ("2", 2.0, True, None):
        token = signing.TimestampSigner(salt="vigil:volunteer-manage").sign_object(
            {"id": volunteer.pk, "v": version}
        )
        with pytest.raises(LinkRefused, match="tampered"):
            volunteer_links.MANAGE.resolve(token)


@pytest.mark.parametrize(
    ("reason", "says"),
    [
        (LinkRefused.EXPIRED, "It has expired: links like this one last 7 days."),
        (LinkRefused.TAMPERED, "cut short or changed when it was copied"),
        (LinkRefused.SUPERSEDED, "A newer email from us replaced it."),
        (LinkRefused.GONE, "What it was for no longer exists."),
    ],
)
def test_the_one_page_says_why_and_how_to_get_a_new_link(db, rf, reason, says):
    refused = LinkRefused(reason, 7 * 24 * 60 * 60)
    response = link_refused(
        rf.get("/"), refused, new_link_url="/pray/subscribe/", new_link_hint="sign up again."
    )
    page = response.content.decode()
    assert response.status_code == refused.status
    assert "This link does not work" in page and says in page
    assert '<a href="/pray/subscribe/">Ask for a new link</a>: sign up again.' in page


def test_the_batch_links_are_the_links_one_at_a_time():
    link = subscription_links.UNSUBSCRIBE
    with time_machine.travel(MADE_AT, tick=False):
        batch = link.batch()
        assert batch.fast is not None, "the fast path is in use"
        assert batch.url(4242, 3) == link.url(4242, 3)
