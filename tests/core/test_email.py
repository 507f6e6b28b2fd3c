"""One helper renders every email from three templates and sends it from a task."""

import pytest
from django.core import mail

from core.emails import build_message, queue_email

pytestmark = pytest.mark.django_db


def test_message_has_subject_text_and_html(site_pages):
    message = build_message("test-email", "ana@example.org", {})
    assert message.to == ["ana@example.org"]
    assert "\n" not in message.subject and message.subject
    assert message.body.strip()
    ((html, kind),) = message.alternatives
    assert kind == "text/html"
    assert "<html" in html and 'name="viewport"' in html
    assert message.from_email


def test_queued_email_is_sent_by_the_task(site_pages):
    queue_email("test-email", "ana@example.org", {}, headers={"X-Vigil": "1"})
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["ana@example.org"]
    assert sent.extra_headers["X-Vigil"] == "1"


def test_development_writes_each_message_as_an_eml_file(tmp_path, site_pages):
    from core.mail_backends import EmlFileBackend

    message = build_message("test-email", "ana@example.org", {})
    message.connection = EmlFileBackend(file_path=tmp_path)
    assert message.send() == 1
    (written,) = tmp_path.glob("*.eml")
    content = written.read_text()
    assert "To: ana@example.org" in content
    assert "text/plain" in content and "text/html" in content
