"""Spotting phone numbers, email addresses and street addresses in prayer request text."""

import time

import pytest

from prayer.moderation import ADDRESS, EMAIL, PHONE, find_personal_details, highlight


def found(text):
    return [(finding.kind, finding.text) for finding in find_personal_details(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call me on 07700 900123 please", "07700 900123"),
        ("Her number is +44 20 7946 0958.", "+44 20 7946 0958"),
        ("Ring (555) 123-4567 after six", "(555) 123-4567"),
        ("+91-98765-43210", "+91-98765-43210"),
        ("WhatsApp 0049 30 1234567", "0049 30 1234567"),
        ("call 555-1234", "555-1234"),
        ("mobile: 9876543210", "9876543210"),
        ("081.234.5678 is the number", "081.234.5678"),
    ],
)
def test_phone_numbers(text, expected):
    assert found(text) == [(PHONE, expected)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to maria.s@example.com today", "maria.s@example.com"),
        ("MARIA+prayer@Example.ORG", "MARIA+prayer@Example.ORG"),
        ("o'brien@mail.example.co.uk", "o'brien@mail.example.co.uk"),
        ("maria [at] example [dot] com", "maria [at] example [dot] com"),
        ("maria(at)example(dot)org", "maria(at)example(dot)org"),
    ],
)
def test_email_addresses(text, expected):
    assert found(text) == [(EMAIL, expected)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("She lives at 12 Mill Road near the station", "12 Mill Road"),
        ("221B Baker Street", "221B Baker Street"),
        ("4 St. John's Close", "4 St. John's Close"),
        ("the home on 7 Park Lane.", "7 Park Lane"),
        ("Calle Mayor 5, Madrid", "Calle Mayor 5"),
        ("near Soi 7 in the city", "Soi 7"),
        ("Lindenstraße 4", "Lindenstraße 4"),
        ("house no. 12 behind the temple", "house no. 12"),
        ("Flat 4B", "Flat 4B"),
        ("postcode SW1A 1AA", "SW1A 1AA"),
        ("45 Gandhi Marg", "45 Gandhi Marg"),
    ],
)
def test_street_addresses(text, expected):
    assert found(text) == [(ADDRESS, expected)]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Pray for the 2026-05-01 meeting",
        "between 1999-2005",
        "On 12/05/2025 she left",
        "We have 120 children and 35 staff",
        "Psalm 23:4 and Matthew 11:28-30",
        "1 Corinthians 13",
        "She is 17 years old",
        "10 000 people",
        "Pray for 3 girls in Kolkata",
        "pray for 2 friends on the road",
        "on 4 May at 10.30 in the morning",
        "My friend Joy needs work",
        "£1,500 raised for the bakery",
    ],
)
def test_ordinary_prayer_text_is_not_flagged(text):
    assert found(text) == []


def test_several_findings_in_order_with_positions():
    text = "Asha (asha@example.org, 07700 900123) lives at 12 Mill Road."
    findings = find_personal_details(text)
    assert [f.kind for f in findings] == [EMAIL, PHONE, ADDRESS]
    for finding in findings:
        assert text[finding.start : finding.end] == finding.text
    assert findings[2].label == "a street address"


def test_highlight_escapes_and_marks():
    html = highlight("<script>x</script> call 07700 900123 & write a@b.org")
    assert html.startswith("&lt;script&gt;x&lt;/script&gt; call ")
    assert (
        '<mark class="pii pii--phone" title="Looks like a phone number">07700 900123</mark>' in html
    )
    assert '<mark class="pii pii--email" title="Looks like an email address">a@b.org</mark>' in html
    assert "&amp;" in html


def test_highlight_of_plain_text_is_just_escaped():
    assert highlight("Peace & <joy>") == "Peace &amp; &lt;joy&gt;"


def test_number_after_a_long_run_of_digits_is_still_found():
    text = "pray " * 500 + "1" * 5000 + " 07700 900123"
    assert (PHONE, "07700 900123") in found(text)


@pytest.mark.parametrize(
    "text",
    ["9" * 10_000, "1 " * 5_000, "a." * 5_000, "a@" * 5_000, "(" * 10_000, "12 Abc " * 1_500],
)
def test_hostile_10000_character_text_is_handled_quickly(text):
    started = time.perf_counter()
    find_personal_details(text)
    highlight(text)
    assert time.perf_counter() - started < 1
