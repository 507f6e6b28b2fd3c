"""Fuzzing the public surface: the inputs and the checks shared by tests/*/test_fuzz.py.

Every public form and every signed link has a hypothesis test that sends it generated inputs:
25 in the fast lane, 1,000 in CI (200 on SQLite; the profiles are in tests/conftest.py). Each
input is one request through the whole middleware stack: built with a RequestFactory and handed
to one Django handler made once per test. (The test client would also copy the context of every
template it renders, which costs a third more.)

The inputs, mixed within a value and across the fields of a form:

- unicode: any code point but lone surrogates, right-to-left text and direction overrides,
  combining marks piled on one letter, emoji with joiners and flags, zero-width characters;
- control characters: NUL, C0 and C1 controls, CR/LF (header injection), line separators;
- sizes: empty, blank, and huge values of 10,000 to 1,000,000 characters;
- markup: script tags, event handlers, `javascript:` links, attribute break-outs, each
  carrying MARKER so that markup which would run can be told from markup shown as text;
- SQL-looking, template-looking and format strings, paths and URLs;
- numbers that are not quite: signs, exponents, NaN, huge, digits of other scripts ("²", "٣");
- email addresses: valid, the bystander's and the visitor's own, overlong, internationalised,
  with injected headers;
- wrong shapes: a field missing, sent two or three times or 1,001 times, a file uploaded
  where text belongs, the body as JSON, as bytes that are not UTF-8, or as random bytes;
- signed links: valid for the visitor's own record, expired, truncated, tampered with, made
  for another purpose, forged with another key, signed over payloads of the wrong type,
  revoked, or random text.

For every input the tests assert: no 5xx (an exception fails the test with its traceback);
nothing in the response would run (`assert_inert`: pages, feeds, headers, redirects); a
bystander's rows are unchanged (`Bystander`); no address submitted reaches a log line. After
the run, values stored with markup must show as text on the pages that show them.
"""

import bisect
import copy
import io
import itertools
import json
import logging
import re
import sys
import time
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from html import unescape
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from django.core import mail, signing
from django.core.handlers.base import BaseHandler
from django.core.signals import got_request_exception, request_finished
from django.db import close_old_connections, connection
from django.db.models import CharField, JSONField, TextField
from django.test import Client, RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from hypothesis import strategies as st

from core.formguard import HONEYPOT_FIELD, STAMP_FIELD, new_stamp
from core.signing import make_token

MARKER = "fz9q"

# ---------------------------------------------------------------------------
# Strategies


def weighted(*choices):
    """One of the strategies, picked in proportion to its weight: weighted((3, a), (1, b))."""
    table = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.sampled_from(table).flatmap(lambda strategy: strategy)


RTL = ["مرحبا بالعالم", "שלום עולם", "\u202eevil.exe\u202c", "\u200f", "\u061c", "ܐܒ", "ابن\u200d"]
COMBINING = [
    "e\u0301",
    "Z" + "\u0336\u0334\u0300\u0350" * 40,
    "क्षत्रिय",
    "\u0e01\u0e34\u0e4a",
    "\u20dd",
]
EMOJI = ["🙏", "👩‍👩‍👧‍👦", "🇮🇳", "🏳️‍🌈", "\U0001f4a9", "❤️", "\U0001faf6🏾"]
CONTROL = [
    "\x00",
    "\x01",
    "\x08",
    "\x1b[2J",
    "\r\n",
    "\r",
    "\n",
    "\t",
    "\x7f",
    "\x85",
    "\x9b",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\u200b",
    "\ufffd",
    "\uffff",
]
HTML = [
    f"<script>{MARKER}()</script>",
    f"<SCRIPT SRC=//x.example/{MARKER}.js></SCRIPT>",
    f"<img src=x onerror={MARKER}()>",
    f'"><svg onload={MARKER}()>',
    f"'><a href=javascript:{MARKER}()>x</a>",
    f'" onmouseover="{MARKER}()" x="',
    f"<{MARKER}>",
    f"</textarea></title><script>{MARKER}()</script>",
    f"<iframe srcdoc='&lt;script&gt;{MARKER}()&lt;/script&gt;'>",
    f"&lt;script&gt;{MARKER}()&lt;/script&gt;",
    f"<scr<script>ipt>{MARKER}()</script>",
    f"<math><mtext><table><mglyph><style><img src=x onerror={MARKER}()>",
    f"javascript:{MARKER}()",
    f"<div data-{MARKER}=1>",
    f"<!--<script>{MARKER}()</script>-->",
]
SQL = [
    "' OR '1'='1",
    "1; DROP TABLE prayer_subscription; --",
    '" OR 1=1 --',
    "%' UNION SELECT password FROM website_user --",
    "\\'; SELECT pg_sleep(5); --",
    "1 AND 1=CAST((SELECT version()) AS int)",
    "%",
    "_",
]
TEMPLATE = [
    "{{ request }}",
    "{% debug %}",
    "{{ settings.SECRET_KEY }}",
    "${7*7}",
    "%s%n%x",
    "{0.__class__}",
]
PATHS = [
    "../../../../etc/passwd",
    "//evil.example/",
    "https://evil.example/x",
    "\\\\evil\\x",
    "%00",
    "%ZZ",
    "?a=b&c=d#e",
]
NUMBERS = [
    "0",
    "-1",
    "1e309",
    "NaN",
    "inf",
    "9" * 25,
    "1.5",
    "0x10",
    "²",
    "٣",
    "１２",
    "𝟙",
    "Ⅻ",
    "+1",
    " 7 ",
]

fragments = weighted(
    (6, st.text(max_size=40)),
    (1, st.sampled_from(RTL)),
    (1, st.sampled_from(COMBINING)),
    (1, st.sampled_from(EMOJI)),
    (2, st.sampled_from(CONTROL)),
    (3, st.sampled_from(HTML)),
    (1, st.sampled_from(SQL)),
    (1, st.sampled_from(TEMPLATE)),
    (1, st.sampled_from(PATHS)),
    (1, st.sampled_from(NUMBERS)),
)


def grow(piece, size):
    piece = piece or "x"
    return (piece * (size // len(piece) + 1))[:size]


# Hypothesis draws at most a few kilobytes, so huge values are a drawn piece repeated.
huge = st.builds(grow, fragments, st.sampled_from([10_000, 65_536, 250_000, 1_000_000]))

hostile_text = weighted(
    (50, st.lists(fragments, max_size=4).map("".join)),
    (4, st.sampled_from(["", " ", "\t\n "])),
    (1, huge),
)

numberish = weighted((3, st.integers(-(10**20), 10**20).map(str)), (2, st.sampled_from(NUMBERS)))

ODD_EMAILS = [
    "a@b",
    "@example.org",
    "person@",
    "a@@example.org",
    "person@example.org\r\nBcc: victim@example.org",
    "person@example.org\nSubject: hi",
    "<person@example.org>",
    '"a b"@example.org',
    "a" * 250 + "@example.org",
    "a@" + "b" * 300 + ".org",
    "ü@exämple.org",
    "person@xn--exmple-cua.org",
    "person@localhost",
    "person@[127.0.0.1]",
    "PERSON@EXAMPLE.ORG ",
]


def email_addresses(*known):
    """Valid and broken addresses, plus `known` ones (the visitor's, a bystander's) in any case."""
    valid = st.builds(
        "{}@{}".format,
        st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,15}", fullmatch=True),
        st.sampled_from(["example.org", "example.com", "exämple.org"]),
    )
    choices = [(4, valid), (2, st.sampled_from(ODD_EMAILS)), (1, hostile_text)]
    if known:
        known_in_any_case = st.sampled_from(known).flatmap(
            lambda address: st.sampled_from(
                [address, address.upper(), f" {address} ", address.title()]
            )
        )
        choices.append((3, known_in_any_case))
    return weighted(*choices)


def values(*plausible, text=hostile_text):
    """A field's value: one that might pass (from `plausible`) or hostile text."""
    likely = st.one_of(*plausible) if plausible else text
    return weighted((3, likely), (2, text))


def checkbox():
    return values(st.sampled_from(["on", "true", "1", ""]))


def choice(*options):
    return values(st.sampled_from([str(option) for option in options]))


@st.composite
def form_fields(draw, spec, guarded=False):
    """POST data as (name, value) pairs: each field sent once, left out, or repeated."""
    pairs = []
    spec = dict(spec)
    if guarded:
        spec[STAMP_FIELD] = weighted((8, st.builds(new_stamp)), (1, st.just("")), (1, hostile_text))
        spec[HONEYPOT_FIELD] = weighted((9, st.just("")), (1, hostile_text))
    for name, strategy in spec.items():
        shape = draw(st.sampled_from(["once"] * 8 + ["missing", "repeated"]))
        if shape == "once":
            pairs.append((name, draw(strategy)))
        elif shape == "repeated":
            pairs += [(name, value) for value in draw(st.lists(strategy, min_size=2, max_size=3))]
    extra = draw(st.sampled_from(["none"] * 18 + ["unknown", "flood"]))
    if extra == "unknown":
        pairs.append((draw(st.text(max_size=20)), draw(hostile_text)))
    elif extra == "flood":
        # Past DATA_UPLOAD_MAX_NUMBER_FIELDS: Django refuses the request (400).
        name = draw(st.sampled_from([*spec, "x"]))
        pairs += [(name, "1")] * 1001
    return pairs


ENCODINGS = ["multipart"] * 6 + ["urlencoded"] * 3 + ["json", "not-utf8", "random-bytes", "file"]


@st.composite
def bodies(draw, spec, guarded=False):
    """A request body for `spec` (see form_fields), encoded as a browser or a bot would."""
    pairs = draw(form_fields(spec, guarded=guarded))
    how = draw(st.sampled_from(ENCODINGS))
    if how == "random-bytes":
        return Body("application/x-www-form-urlencoded", draw(st.binary(max_size=300)), pairs)
    if how == "file" and pairs:
        index = draw(st.integers(0, len(pairs) - 1))
        upload = io.BytesIO(pairs[index][1].encode())
        upload.name = draw(st.sampled_from(["a.txt", "../../x.exe", "\u202egpj.exe", ""]))
        pairs = [*pairs[:index], (pairs[index][0], upload), *pairs[index + 1 :]]
    return Body.encode(pairs, how)


class Body:
    """A request body: its content type, its bytes, and the (name, value) pairs it holds."""

    def __init__(self, content_type, payload, pairs):
        self.content_type, self.payload, self.pairs = content_type, payload, pairs

    @classmethod
    def encode(cls, pairs, how):
        if how == "urlencoded":
            return cls("application/x-www-form-urlencoded", urlencode(pairs).encode(), pairs)
        if how == "not-utf8":
            raw = [(name, value.encode("latin-1", "replace")) for name, value in pairs]
            return cls("application/x-www-form-urlencoded", urlencode(raw).encode(), pairs)
        if how == "json":
            return cls("application/json", json.dumps(dict(pairs)).encode(), pairs)
        grouped = {}
        for name, value in pairs:
            grouped.setdefault(name, []).append(value)
        return cls(MULTIPART_CONTENT, encode_multipart(BOUNDARY, grouped), pairs)

    def texts(self):
        return [value for _, value in self.pairs if isinstance(value, str)]


def query_strings(spec):
    """A query string for `spec`: {name: strategy}, fields repeated or left out as in forms."""
    return form_fields(spec).map(urlencode)


def link_purposes():
    """Every purpose a signed link is made for: a token for one must not open another."""
    from campaigns import links as campaign_links
    from digests import links as subscription_links
    from vigils import calendar_emails as calendar_links
    from vigils import emails as vigil_links
    from volunteers import links as volunteer_links

    return sorted(
        {
            value
            for module in (
                campaign_links,
                subscription_links,
                calendar_links,
                vigil_links,
                volunteer_links,
            )
            for name, value in vars(module).items()
            if name.endswith("_PURPOSE")
        }
    )


ODD_IDS = ["1", 1.5, [1], {"id": 1}, None, -1, 0, 2**63, 10**30, "' OR 1=1 --"]


class PastSigner(signing.TimestampSigner):
    """Signs as if a year and a day ago: tokens that have expired."""

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - 366 * 24 * 60 * 60)


def expired_token(purpose, subject_id, version=0):
    return PastSigner(salt=f"vigil:{purpose}").sign_object(
        {"id": subject_id, "v": version}, compress=True
    )


def forged_token(purpose, subject_id, version=0):
    return signing.TimestampSigner(key="not-our-secret-key", salt=f"vigil:{purpose}").sign_object(
        {"id": subject_id, "v": version}, compress=True
    )


def tamper(token, index, replacement):
    index %= max(len(token), 1)
    return token[:index] + replacement + token[index + 1 :]


def signed_links(purpose, own_id, own_version=0, *, bystander_id):
    """Tokens for a link made for `own_id` (the visitor's record), good and bad.

    The bystander's id appears only in tokens that must fail: forged, revoked (a version
    they never had) or for another purpose.
    """
    own = make_token(purpose, own_id, own_version)
    other_purposes = [other for other in link_purposes() if other != purpose]
    return weighted(
        (4, st.just(own)),
        (2, st.integers(0, len(own)).map(lambda cut: own[:cut])),
        (3, st.builds(tamper, st.just(own), st.integers(0, 400), st.characters(codec="utf-8"))),
        (1, st.just(expired_token(purpose, own_id, own_version))),
        (1, st.sampled_from(other_purposes).map(lambda p: make_token(p, bystander_id))),
        (1, st.just(forged_token(purpose, bystander_id))),
        (1, st.just(make_token(purpose, bystander_id, 10_000))),
        (1, st.just(make_token(purpose, own_id, own_version + 1))),
        (1, st.sampled_from(ODD_IDS).map(lambda odd: make_token(purpose, odd, own_version))),
        (1, st.sampled_from([[own_id], "x", None, {"v": 0}]).map(payload_token(purpose))),
        (3, hostile_text),
    )


def payload_token(purpose):
    def sign(payload):
        return signing.TimestampSigner(salt=f"vigil:{purpose}").sign_object(payload)

    return sign


def path_segment(value):
    """A value as one URL path segment, as a browser would send it."""
    return quote(str(value), safe="")


headers = st.fixed_dictionaries(
    {},
    optional={
        "Accept": st.sampled_from(["application/json", "text/html", "*/*", "text/calendar"]),
        "User-Agent": hostile_text,
        "X-Forwarded-For": st.sampled_from(["1.2.3.4", "::1", "x, y, z", "", "1.2.3.4, <b>"]),
        "Accept-Language": st.sampled_from(["ar", "he;q=0.9", "*", "x" * 300]),
    },
)

methods = weighted(
    (4, st.just("POST")),
    (3, st.just("GET")),
    (1, st.sampled_from(["HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"])),
)

# ---------------------------------------------------------------------------
# Checks

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
ACTIVE_SCHEMES = ("javascript:", "vbscript:", "data:")
# Tags that load what their attributes name. (A canonical <link> or <meta> with the visited
# URL in it is fine: the URL is percent-encoded and the tag loads nothing that runs.)
ACTIVE_TAGS = {"script", "iframe", "object", "embed", "base"}


TAG_NAME = re.compile(r"<\s*/?\s*([^\s/>]*)")
ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]*))?""")


def runs(tag, name, value):
    """Whether a browser runs or loads this attribute's value (a value shown is inert)."""
    if name.startswith("on") or name == "srcdoc" or tag in ACTIVE_TAGS:
        return True
    return name in URL_ATTRIBUTES and value.strip().lower().startswith(ACTIVE_SCHEMES)


def tag_markup(tag):
    """MARKER in one tag's name, an attribute's name, or a value a browser would act on.

    A small tokenizer rather than html.parser, whose start-tag pattern takes quadratic
    time on the huge attribute values the fuzzing sends back (Python before 3.13.4).
    """
    start = TAG_NAME.match(tag)
    name = start.group(1).lower() if start else ""
    found = [f"<{name}>"] if MARKER in name else []
    for attribute, value in ATTRIBUTE.findall(tag, start.end() if start else 0):
        attribute, value = attribute.lower(), unescape(value.strip("\"'"))
        if MARKER in attribute or (MARKER in value and runs(name, attribute, value)):
            found.append(f"<{name} {attribute}={value[:80]!r}>")
    return found


def positions(pattern, text):
    return [match.start() for match in re.finditer(pattern, text)]


def last_before(sorted_positions, at):
    index = bisect.bisect_left(sorted_positions, at)
    return sorted_positions[index - 1] if index else -1


def active_markup(html):
    """Where MARKER would run in this HTML: [] when it is only shown as text.

    Each tag holding MARKER is tokenized on its own, and whether an occurrence sits in a
    script or style element is read from the nearest such tags before it: pages are large,
    and a huge value sent back may hold MARKER thousands of times.
    """
    if MARKER not in html:
        return []
    opens, closes = positions("<", html), positions(">", html)
    lowered = html.lower()
    raw_text = {
        element: (positions(f"<{element}", lowered), positions(f"</{element}", lowered))
        for element in ("script", "style")
    }
    found, tags_seen = [], set()
    for match in re.finditer(MARKER, html):
        at = match.start()
        opened = last_before(opens, at)
        if opened > last_before(closes, at):
            if opened not in tags_seen:
                tags_seen.add(opened)
                end = html.find(">", at)
                found += tag_markup(html[opened : end + 1 if end >= 0 else len(html)])
        else:
            found += [
                f"<{element}>…{html[at : at + 40]}"
                for element, (starts, ends) in raw_text.items()
                if last_before(starts, at) > last_before(ends, at)
            ]
        if found:
            break
    return found


# What readers show as HTML. (Titles are plain text to them.)
FEED_TEXT = ("description", "summary", "content", "encoded")


def feed_html(xml):
    """The texts of a feed that readers show as HTML (descriptions and content)."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as error:
        raise AssertionError(f"the feed is not well-formed XML: {error}") from error
    return [
        element.text
        for element in root.iter()
        if element.text and element.tag.rsplit("}", 1)[-1] in FEED_TEXT
    ]


def assert_inert(response, body, offsite=()):
    """Nothing this response carries would run in a browser or a feed reader, and it
    redirects nowhere off the site but to the `offsite` URL prefixes."""
    kind = response.get("Content-Type", "").split(";")[0].strip()
    for name, value in response.items():
        assert "\n" not in value and "\r" not in value, f"line break in header {name}"
    location = response.get("Location")
    if location and not location.startswith(tuple(offsite)):
        parts = urlsplit(location)
        assert parts.scheme in ("", "http", "https"), f"redirect to {location[:100]!r}"
        assert parts.netloc in ("", "testserver"), f"redirect off the site: {location[:100]!r}"
    if MARKER.encode() not in body:
        return
    text = body.decode(response.charset or "utf-8", "replace")
    if kind in ("text/html", "application/xhtml+xml"):
        found = active_markup(text)
    elif kind in ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml"):
        found = [hit for item in feed_html(body) for hit in active_markup(item)]
    else:
        found = []
    assert not found, f"markup that would run, in a {kind} response: {found[:3]}"


class Bystander:
    """Someone else's rows, read before the fuzzing and compared after every input.

    `read` returns lists of rows as dicts (see `rows`); `ignore` names columns an anonymous
    visitor may change by design (a pending change waiting for its owner's link).
    """

    def __init__(self, read, ignore=()):
        self.read = read
        self.ignore = set(ignore)
        self.before = self.snapshot()

    def snapshot(self):
        return [
            [{k: v for k, v in row.items() if k not in self.ignore} for row in rows]
            for rows in self.read()
        ]

    def assert_unchanged(self):
        now = self.snapshot()
        changed = [
            (before, after)
            for old, new in zip(self.before, now, strict=True)
            for before, after in itertools.zip_longest(old, new)
            if before != after
        ]
        assert not changed, f"a bystander's records changed: {changed[:2]}"


def rows(*querysets):
    """Reader for Bystander: every column of each queryset's rows. The SQL is compiled once,
    as the rows are read after every input."""
    statements = []
    for queryset in querysets:
        sql, params = queryset.order_by("pk").values_list().query.sql_with_params()
        columns = [field.attname for field in queryset.model._meta.concrete_fields]
        statements.append((sql, params, columns))

    def read():
        with connection.cursor() as cursor:
            found = []
            for sql, params, columns in statements:
                cursor.execute(sql, params)
                found.append([dict(zip(columns, row, strict=True)) for row in cursor.fetchall()])
            return found

    return read


def stored_markup(*querysets):
    """Rows with markup carrying MARKER in a text column: hostile markup that was stored, to
    render after. (Text such as "&lt;script&gt;" is no markup: escaped, it shows as typed.)"""
    found = []
    for queryset in querysets:
        names = [
            field.attname
            for field in queryset.model._meta.concrete_fields
            if isinstance(field, CharField | TextField | JSONField)
        ]
        found += [
            row
            for row in queryset
            if any(MARKER in (value := str(getattr(row, name))) and "<" in value for name in names)
        ]
    return found


class LogWatch(logging.Handler):
    """Keeps the app's log lines of one input, to check no address submitted is in them."""

    LOGGERS = ("prayer", "digests", "vigils", "volunteers", "campaigns", "website", "allauth")

    def __init__(self):
        super().__init__(level=logging.INFO)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())

    def assert_no_addresses(self, texts):
        addresses = {text.strip().lower() for text in texts if "@" in text and len(text) > 5}
        for line in self.lines:
            lowered = line.lower()
            leaked = [address for address in addresses if address in lowered]
            assert not leaked, f"an email address in a log line: {line[:200]!r}"
        self.lines.clear()


class Visitor:
    """A visitor sending requests through the full middleware stack, one handler for all.

    CSRF is not enforced: its protection has its own tests, and here it would stop every
    input at the door. `visiting` lifts the rate limits for the same reason.
    """

    def __init__(self):
        self.factory = RequestFactory()
        self.handler = BaseHandler()
        self.handler.load_middleware()
        self.exceptions = []
        self.logs = LogWatch()

    def signed_in_as(self, user):
        """Another visitor, signed in as `user`, sharing this one's handler and checks. Its
        `client` shares the session, for steps outside the fuzzing (reauthenticating)."""
        other = copy.copy(self)
        other.factory = RequestFactory()
        other.client = Client()
        other.client.force_login(user)
        other.factory.cookies = other.client.cookies
        return other

    def record_exception(self, sender, **kwargs):
        self.exceptions.append(sys.exc_info()[1])

    def send(self, method, path, query="", body=None, headers=None, offsite=()):
        """The response and its body: fails on a 5xx or an exception, or active markup."""
        url = f"{path}?{query}" if query else path
        content_type, payload = (body.content_type, body.payload) if body else ("", b"")
        request = self.factory.generic(
            method, url, data=payload, content_type=content_type, headers=headers
        )
        request._dont_enforce_csrf_checks = True
        self.exceptions.clear()
        response = self.handler.get_response(request)
        if self.exceptions:
            raise self.exceptions[0]
        assert response.status_code < 500, f"{method} {path[:200]}: {response.status_code}"
        content = b"".join(response.streaming_content) if response.streaming else response.content
        # As in the test client: closing a response must not close the test's transaction.
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)
        assert_inert(response, content, offsite)
        texts = [*body.texts()] if body else []
        texts += [value for _, value in parse_qsl(query, keep_blank_values=True)]
        self.logs.assert_no_addresses(texts)
        return response, content


class _Unlimited:
    """The cache as the rate limiter sees it while fuzzing: every hit is the first."""

    def add(self, *args, **kwargs):
        return True


@contextmanager
def visiting(monkeypatch, settings):
    """A Visitor with rate limits lifted, Django's 4xx warnings quiet, app logs watched."""
    monkeypatch.setattr("core.ratelimit.cache", _Unlimited())
    settings.ACCOUNT_RATE_LIMITS = False
    visitor = Visitor()
    got_request_exception.connect(visitor.record_exception)
    quiet = [logging.getLogger(name) for name in ("django.request", "django.security")]
    watched = [logging.getLogger(name) for name in LogWatch.LOGGERS]
    levels = {logger: logger.level for logger in quiet + watched}
    for logger in quiet:
        logger.setLevel(logging.CRITICAL)
    for logger in watched:
        # INFO lines go to the watch only, not to the console.
        logger.setLevel(logging.INFO)
        logger.propagate = False
        logger.addHandler(visitor.logs)
    try:
        yield visitor
    finally:
        got_request_exception.disconnect(visitor.record_exception)
        for logger in watched:
            logger.removeHandler(visitor.logs)
            logger.propagate = True
        for logger, level in levels.items():
            logger.setLevel(level)


def assert_mail_inert(outbox):
    """The emails an input caused have clean headers and no markup that would run; then
    the outbox is emptied for the next input."""
    for message in outbox:
        for header in (message.subject, message.from_email, *message.to):
            assert "\n" not in header and "\r" not in header, f"line break in {header[:80]!r}"
        message.message()  # builds the MIME message: fails on a header that smuggles another
        for content, kind in getattr(message, "alternatives", []):
            if kind == "text/html":
                found = active_markup(content)
                assert not found, f"markup that would run, in an email: {found[:3]}"
    outbox.clear()


def settle(bystander):
    """After each input: the bystander's rows untouched, the emails it caused clean."""
    bystander.assert_unchanged()
    assert_mail_inert(mail.outbox)
