"""Nothing secret in logs or cookies (issue 12, point 9): signed-link tokens are redacted from
every request log (Django's, the development server's, gunicorn's), and no cookie carries the
user's email address (messages live in the session)."""

import datetime
import io
import logging
import zlib
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings
from django.core import signing
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import Client
from gunicorn.config import Config

from core.log_redaction import REDACTED, RedactSecrets, redact
from core.signing import make_token
from tests.factories import PASSWORD, UserFactory
from website.gunicorn_conf import RedactingLogger

pytestmark = pytest.mark.django_db

# Made at a fixed moment: the test ids carry it, and every pytest-xdist worker must collect
# the same ids.
with time_machine.travel(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), tick=False):
    TOKEN = make_token("prayer-unsubscribe", 987654)
RESET_KEY = "2-cm4xyz-" + "0123456789abcdef" * 2
QUOTED_TOKEN = TOKEN.replace(":", "%3A")
# Token URLs that answer 400 or 404 (Django logs both), as emailed links or as ?next=.
TOKEN_URLS = [
    f"/pray/unsubscribe/{TOKEN}/",
    f"/pray/preferences/{TOKEN}/",
    f"/pray/confirm/{TOKEN}/",
    f"/pray/calendars/unsubscribe/{TOKEN}/",
    f"/pray/vigils/my-slots/{TOKEN}/",
    f"/volunteer/my/{TOKEN}/",
    f"/volunteer/feed/{TOKEN}/calendar.ics",
    f"/volunteer/keep/{TOKEN}/",
    f"/church/registration/{TOKEN}/",
    f"/church/kit/1/{TOKEN}/",
    f"/church/updates/unsubscribe/{TOKEN}/",
    f"/no-such-page/?next=%2Fpray%2Fpreferences%2F{QUOTED_TOKEN}%2F",
    f"/no-such-page/{TOKEN}/",
    f"/accounts/password/reset/no-key/{RESET_KEY}/",
]
SECRETS = [TOKEN, TOKEN.rsplit(":", 1)[1], QUOTED_TOKEN, RESET_KEY.split("-", 1)[1]]


def assert_no_secret(text):
    for secret in SECRETS:
        assert secret not in text


@contextmanager
def captured(*handlers):
    """What these handlers write, however they format it."""
    stream = io.StringIO()
    previous = [handler.setStream(stream) for handler in handlers]
    try:
        yield stream
    finally:
        for handler, old in zip(handlers, previous, strict=True):
            handler.setStream(old)


def handlers_reached_from(name):
    """Every handler a record logged on `name` reaches (pytest's own capture left out)."""
    found = []
    logger = logging.getLogger(name)
    while logger:
        found += [h for h in logger.handlers if type(h).__module__ != "_pytest.logging"]
        logger = logger.parent if logger.propagate else None
    return found


def test_redact_removes_every_kind_of_token():
    text = (
        f"Not Found: /pray/unsubscribe/{TOKEN}/ then ?next=%2Fx%2F{QUOTED_TOKEN}%2F "
        f"and /accounts/confirm-email/{signing.dumps(7, salt='account')}/ "
        f"and /accounts/password/reset/key/{RESET_KEY}/"
    )

    redacted = redact(text)

    assert_no_secret(redacted)
    assert "confirm-email/[redacted]/" in redacted
    assert redacted.startswith("Not Found: /pray/unsubscribe/[redacted]/")


def test_redacting_a_huge_address_takes_linear_time():
    """A logged 4xx path is whatever a visitor sent: 100,000 token characters took minutes
    when every character was tried as a token's start (seconds for 10,000). The margin is
    large on purpose: this guards the complexity, not the speed."""
    import time

    started = time.perf_counter()
    for text in ("/" + "a" * 100_000, "/" + "a:" * 50_000, "/" + "a" * 99_999 + ":"):
        redact(text)
    assert time.perf_counter() - started < 2
    token = "eyJ0IjoxfQ:1tXyZ:" + "s" * 30
    assert redact("x" * 50_000 + "/" + token) == "x" * 50_000 + "/" + REDACTED


@pytest.mark.parametrize(
    "harmless",
    [
        "GET /pray/subscribe/ HTTP/1.1",
        "2026-12-05 04:12:22,063 WARNING django.request",
        "redis://127.0.0.1:6379/6 and [2001:db8::1]:8000",
        "/stories/freedom-sunday-2026-resources-for-churches/",
        "Postmark tracking event 4323372036854775807 handled as hard",
    ],
)
def test_redact_leaves_ordinary_lines_alone(harmless):
    assert redact(harmless) == harmless


def test_every_configured_handler_redacts():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact_secrets" in handler.get("filters", []), name
    for name in ["django.request", "django.server", "django.security", "website", "prayer"]:
        for handler in handlers_reached_from(name):
            assert any(isinstance(f, RedactSecrets) for f in handler.filters), (name, handler)


@pytest.mark.parametrize("path", TOKEN_URLS)
def test_a_token_url_that_fails_leaves_no_token_in_the_logs(site_pages, caplog, path):
    handlers = handlers_reached_from("django.request")
    with caplog.at_level(logging.INFO), captured(*handlers) as output:
        response = Client().get(path)

    assert response.status_code in (400, 404)
    written = output.getvalue()
    assert_no_secret(written)
    for record in caplog.records:
        assert_no_secret(record.getMessage())
    if "?" not in path:  # Django logs the path, not the query (gunicorn logs both: below)
        assert REDACTED in written


def test_the_development_servers_request_line_is_redacted():
    handlers = handlers_reached_from("django.server")
    server = WSGIRequestHandler.__new__(WSGIRequestHandler)
    server.request = None

    with captured(*handlers) as output:
        server.log_message('"%s" %s %s', f"GET /pray/preferences/{TOKEN}/ HTTP/1.1", "404", "179")

    assert_no_secret(output.getvalue())
    assert '"GET /pray/preferences/[redacted]/ HTTP/1.1" 404 179' in output.getvalue()


def test_a_traceback_that_names_a_token_is_redacted():
    handler = logging.StreamHandler(io.StringIO())
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    try:
        raise LookupError(f"no subscription for {TOKEN}")
    except LookupError:
        logger.exception("Internal Server Error: %s", f"/pray/unsubscribe/{TOKEN}/")
    finally:
        logger.removeHandler(handler)

    written = handler.stream.getvalue()
    assert_no_secret(written)
    assert "LookupError: no subscription for [redacted]" in written


@pytest.fixture
def gunicorn_logger():
    cfg = Config()
    cfg.set("accesslog", "-")
    logger = RedactingLogger(cfg)
    yield logger
    for log in (logger.error_log, logger.access_log):
        for handler in [h for h in log.handlers if getattr(h, "_gunicorn", False)]:
            log.removeHandler(handler)


def test_gunicorns_access_log_is_redacted(gunicorn_logger):
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/pray/unsubscribe/{TOKEN}/?next=%2Fx%2F{QUOTED_TOKEN}",
        "PATH_INFO": f"/pray/unsubscribe/{TOKEN}/",
        "QUERY_STRING": f"next=%2Fx%2F{QUOTED_TOKEN}",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.5",
        "HTTP_REFERER": f"https://vigil.example.org/volunteer/my/{TOKEN}/",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }
    response = SimpleNamespace(status="404 Not Found", headers=[], sent=179)
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])

    with captured(*gunicorn_logger.access_log.handlers) as output:
        gunicorn_logger.access(response, request, environ, datetime.timedelta(milliseconds=12))

    line = output.getvalue()
    assert_no_secret(line)
    assert '"GET /pray/unsubscribe/[redacted]/?next=' in line
    assert '404 179 "https://vigil.example.org/volunteer/my/[redacted]/"' in line


def test_gunicorns_error_log_is_redacted(gunicorn_logger):
    with captured(*gunicorn_logger.error_log.handlers) as output:
        gunicorn_logger.error("Error handling request %s", f"/church/kit/3/{TOKEN}/")

    assert_no_secret(output.getvalue())
    assert "Error handling request /church/kit/3/[redacted]/" in output.getvalue()


def test_the_gunicorn_config_uses_the_redacting_logger():
    cfg = Config()
    cfg.set("logger_class", "website.gunicorn_conf.RedactingLogger")
    assert cfg.logger_class is RedactingLogger
    from website import gunicorn_conf

    assert gunicorn_conf.logger_class is RedactingLogger


# Cookies


def cookie_texts(responses):
    """Every cookie value the responses set, also as decoded when it is Django-signed data."""
    for response in responses:
        for morsel in response.cookies.values():
            value = morsel.value
            yield value
            payload = value.split(":", 1)[0]
            try:
                data = signing.b64_decode(payload.lstrip(".").encode())
                yield (zlib.decompress(data) if payload.startswith(".") else data).decode()
            except (ValueError, zlib.error, UnicodeDecodeError):
                continue


def assert_no_address(responses, email):
    for text in cookie_texts(responses):
        assert email not in text.lower()
    for response in responses:
        assert "messages" not in response.cookies


def test_signing_up_sets_no_cookie_holding_the_address(client):
    email = "new.supporter@example.org"
    signup = client.post(
        "/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    page = client.get(signup["Location"])

    assert signup.status_code == 302
    assert email in page.content.decode()  # the message is shown, from the session
    assert_no_address([signup, page], email)


def test_signing_in_sets_no_cookie_holding_the_address(client):
    UserFactory(email="returning@example.org")
    login = client.post(
        "/accounts/login/", {"login": "returning@example.org", "password": PASSWORD}
    )
    page = client.get(login["Location"])

    assert login.status_code == 302
    assert_no_address([login, page], "returning@example.org")


def test_adding_an_address_sets_no_cookie_holding_it(client):
    user = UserFactory(email="me@example.org")
    client.force_login(user)
    added = client.post("/accounts/email/", {"email": "second@example.org", "action_add": ""})
    page = client.get(added["Location"])

    assert added.status_code == 302
    assert "second@example.org" in page.content.decode()
    assert_no_address([added, page], "second@example.org")
    assert_no_address([added, page], "me@example.org")
