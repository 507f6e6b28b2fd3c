"""Fuzzing search, the news filters, the account forms and My Vigil (inputs and checks:
tests/fuzzing.py), and the checks themselves: they must catch what they are there for."""

from types import SimpleNamespace

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.http import HttpResponse
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from campaigns.models import ChurchRegistration, RegistrationContact
from digests.models import Subscription
from prayer.models import PrayerRequest
from tests.factories import (
    PASSWORD,
    RegionFactory,
    UserFactory,
    add_standard,
    add_story,
    supporter_records,
)
from tests.fuzzing import (
    HTML,
    MARKER,
    Bystander,
    active_markup,
    assert_inert,
    bodies,
    checkbox,
    email_addresses,
    headers,
    hostile_text,
    methods,
    numberish,
    path_segment,
    query_strings,
    rows,
    settle,
    values,
    visiting,
    weighted,
)
from vigils.models import CalendarSubscription, VigilSignup
from volunteers.models import SignUp, Volunteer
from website.models import User

pytestmark = pytest.mark.django_db

VISITOR = "visitor@example.org"
BYSTANDER = "bystander@example.org"
PASSWORDS = ["correct-horse-battery-staple", "password", "", "x" * 5000, "pässwörd 🙏"]


@pytest.fixture
def visitor(monkeypatch, settings):
    with visiting(monkeypatch, settings) as visitor:
        yield visitor


@pytest.fixture
def world(site_pages):
    home, news = site_pages
    region = RegionFactory(name="Kolkata", slug="kolkata")
    story = add_story(news, title="Bakery opens", intro="Fresh bread and a trade.")
    story.tags.add("education")
    story.regions.add(region)
    story.save_revision().publish()
    add_story(news, title="School days", intro="Forty children, one classroom.")
    # The visitor knows their own password, never the bystander's.
    own_user = UserFactory(email=VISITOR)
    their_user = UserFactory(email=BYSTANDER, password="the-bystander-keeps-this-secret")
    supporter_records(home, VISITOR, name="Visitor")
    supporter_records(home, BYSTANDER, name="Bystander")
    partners = add_standard(home, title="Partners", intro="For our partner churches.")
    restriction = PageViewRestriction.objects.create(
        page=partners, restriction_type="password", password="for-partners"
    )
    collection = Collection.get_first_root_node().add_child(name="Partners")
    CollectionViewRestriction.objects.create(
        collection=collection, restriction_type="password", password="for-partners"
    )
    mail.outbox.clear()
    return SimpleNamespace(
        home=home,
        news=news,
        user=own_user,
        their_user=their_user,
        partners=partners,
        restriction=restriction,
        collection=collection,
    )


@pytest.fixture
def bystander(world):
    """The bystander's account and everything tied to their address, in every app."""
    return Bystander(
        rows(
            User.objects.filter(pk=world.their_user.pk),
            EmailAddress.objects.filter(user=world.their_user),
            Subscription.objects.filter(email=BYSTANDER),
            CalendarSubscription.objects.filter(email=BYSTANDER),
            VigilSignup.objects.filter(email=BYSTANDER),
            PrayerRequest.objects.filter(submitter_email=BYSTANDER),
            Volunteer.objects.filter(email=BYSTANDER),
            SignUp.objects.filter(volunteer__email=BYSTANDER),
            RegistrationContact.objects.filter(email=BYSTANDER),
            ChurchRegistration.objects.filter(contacts__email=BYSTANDER),
        ),
        ignore={"last_login"},
    )


# ---------------------------------------------------------------------------
# The checks catch what they should


@pytest.mark.parametrize("payload", HTML)
def test_markup_that_would_run_is_caught_and_escaped_markup_is_not(payload):
    escaped = f'<p>{escape(payload)}</p><input value="{escape(payload)}">'
    assert active_markup(escaped) == []
    if payload.startswith(("&lt;", "javascript:", '" ')):
        return  # harmless as text; shown raw in an attribute below
    assert active_markup(f"<p>{payload}</p>"), payload


def test_markup_in_attributes_and_feeds_is_caught():
    assert active_markup(f'<input value="" onmouseover="{MARKER}()" x="">')
    assert active_markup(f'<a href=" JavaScript:{MARKER}()">x</a>')
    assert not active_markup(f'<link rel="canonical" href="/x/%3Cscript%3E{MARKER}/">')
    feed = HttpResponse(
        f"<rss><channel><item><description>&lt;script&gt;{MARKER}()&lt;/script&gt;"
        "</description></item></channel></rss>",
        content_type="application/rss+xml",
    )
    with pytest.raises(AssertionError, match="would run"):
        assert_inert(feed, feed.content)


def test_redirects_off_the_site_are_caught():
    response = HttpResponse(status=302, headers={"Location": "//evil.example/"})
    with pytest.raises(AssertionError, match="off the site"):
        assert_inert(response, b"")


def test_a_changed_bystander_is_caught(world, bystander):
    Subscription.objects.filter(email=BYSTANDER).update(name="Changed")
    with pytest.raises(AssertionError, match="bystander"):
        bystander.assert_unchanged()


# ---------------------------------------------------------------------------
# Search and news


def test_search_with_hostile_queries(world, bystander, visitor):
    words = st.sampled_from(["bakery", "school", "freedom", "AND", "OR", '"', "*", "-"])
    spec = {"q": values(words), "page": numberish}

    @given(query=query_strings(spec), extra=headers)
    def send(query, extra):
        visitor.send("GET", "/search/", query=query, headers=extra)
        settle(bystander)

    send()


def test_news_filters(world, bystander, visitor):
    spec = {
        "tag": values(st.just("education")),
        "region": values(st.just("kolkata")),
        "page": numberish,
    }

    @given(query=query_strings(spec), extra=headers, method=methods)
    def send(query, extra, method):
        visitor.send(method, world.news.url, query=query, headers=extra)
        settle(bystander)

    send()


# ---------------------------------------------------------------------------
# The account forms (allauth, with bounded email fields)


def account_form_test(visitor, bystander, path, spec):
    @given(body=bodies(spec), method=methods, extra=headers)
    def send(body, method, extra):
        visitor.send(method, path, body=body, headers=extra)
        settle(bystander)

    send()


def test_sign_in_form(world, bystander, visitor):
    spec = {
        "login": email_addresses(VISITOR, BYSTANDER),
        "password": values(st.sampled_from(PASSWORDS)),
        "remember": checkbox(),
        "next": values(st.sampled_from(["/account/", "//evil.example/", "javascript:x"])),
    }
    account_form_test(visitor, bystander, "/accounts/login/", spec)


def test_sign_up_form(world, bystander, visitor):
    password = values(st.sampled_from(PASSWORDS))
    spec = {
        "email": email_addresses(VISITOR, BYSTANDER),
        "password1": password,
        "password2": password,
    }
    account_form_test(visitor, bystander, "/accounts/signup/", spec)


def test_sign_in_code_form(world, bystander, visitor):
    spec = {"email": email_addresses(VISITOR, BYSTANDER)}
    account_form_test(visitor, bystander, "/accounts/login/code/", spec)


def test_password_reset_form(world, bystander, visitor):
    spec = {"email": email_addresses(VISITOR, BYSTANDER)}
    account_form_test(visitor, bystander, "/accounts/password/reset/", spec)


def test_account_email_links(world, bystander, visitor):
    """allauth's emailed links: address confirmation and password reset keys."""
    keys = weighted((3, hostile_text), (1, st.from_regex(r"[-:\w]{1,80}", fullmatch=True)))
    paths = weighted(
        (1, keys.map(lambda key: f"/accounts/confirm-email/{path_segment(key)}/")),
        (
            1,
            st.tuples(st.from_regex(r"[0-9a-z]{1,6}", fullmatch=True), keys).map(
                lambda parts: f"/accounts/password/reset/key/{parts[0]}-{path_segment(parts[1])}/"
            ),
        ),
    )
    spec = {"password1": values(st.sampled_from(PASSWORDS)), "password2": values()}

    @given(path=paths, method=methods, body=bodies(spec))
    def send(path, method, body):
        visitor.send(method, path, body=body)
        settle(bystander)

    send()


def test_private_page_and_document_password_forms(world, bystander, visitor):
    """Wagtail's forms for password-protected pages and documents: a wrong password is
    refused, and the return address stays on the site."""
    page = f"/_util/authenticate_with_password/{world.restriction.pk}/{world.partners.pk}/"
    document = world.collection.view_restrictions.get().pk
    paths = weighted(
        (3, st.just(page)),
        (2, st.just(f"/documents/authenticate_with_password/{document}/")),
        (
            1,
            st.tuples(numberish, numberish).map(
                lambda ids: (
                    "/_util/authenticate_with_password/"
                    f"{path_segment(ids[0])}/{path_segment(ids[1])}/"
                )
            ),
        ),
    )
    spec = {
        "password": values(st.sampled_from(["for-partners", "wrong"])),
        "return_url": values(
            st.sampled_from([world.partners.url, "//evil.example/", "https://evil.example/"])
        ),
    }

    @given(path=paths, method=methods, body=bodies(spec))
    def send(path, method, body):
        visitor.send(method, path, body=body)
        settle(bystander)

    send()


# ---------------------------------------------------------------------------
# My Vigil, signed in


def test_my_vigil_pages(world, bystander, visitor):
    """Signed in, just authenticated: the data pages, the deletion form and adding an
    address. The account is deleted once at the end: what it erases is only the visitor's."""
    signed_in = visitor.signed_in_as(world.user)
    response = signed_in.client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, "the password is asked again before data pages"
    pages = st.sampled_from(["/account/", "/account/data/", "/account/data/download/"])
    paths = weighted((3, pages), (2, st.just("/account/delete/")), (1, st.just("/accounts/email/")))
    spec = {"email": email_addresses(BYSTANDER), "action_add": st.just("")}

    @given(path=paths, method=methods, body=bodies(spec), extra=headers)
    def send(path, method, body, extra):
        signed_in.send(method, path, body=body, headers=extra)
        settle(bystander)

    send()

    response = signed_in.client.post("/account/delete/", {"email": VISITOR})
    assert response["Location"] == "/account/deleted/"
    settle(bystander)


# ---------------------------------------------------------------------------
# Found by fuzzing


@pytest.mark.parametrize("query", ['"', 'bakery"', '"bakery', "\x00", "a\x00b"])
def test_search_takes_quotes_and_nul_characters(client, world, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/accounts/login/code/", "/accounts/signup/"])
def test_an_address_no_mail_header_can_carry_is_refused_by_the_account_forms(client, world, path):
    data = {"email": "ruth@ex\ufffdmple.org", "password1": "a-long-pass-phrase-9"}
    response = client.post(path, {**data, "password2": data["password1"]})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert mail.outbox == []


@pytest.mark.parametrize("name", ["tag", "region"])
def test_a_nul_in_a_news_filter_is_left_out(client, world, name):
    response = client.get(world.news.url, {name: "a\x00b"})
    assert response.status_code == 200
    assert f"No {name} called “ab”" in response.content.decode()


@pytest.mark.parametrize("document", [False, True])
def test_a_return_address_that_is_no_path_goes_home_after_a_page_password(client, world, document):
    restriction = world.collection.view_restrictions.get() if document else world.restriction
    path = (
        f"/documents/authenticate_with_password/{restriction.pk}/"
        if document
        else f"/_util/authenticate_with_password/{restriction.pk}/{world.partners.pk}/"
    )
    response = client.post(path, {"password": "for-partners", "return_url": "مرحبا"})
    assert response.status_code == 302
    assert response["Location"] == "/"
