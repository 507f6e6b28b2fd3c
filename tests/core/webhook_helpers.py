"""Provider webhooks as the providers send them: mounted, authenticated, signed.

`mounted(provider)` serves that provider's tracking webhook as production does when
EMAIL_PROVIDER names it (core/webhook_urls.py), with its secrets. `bounce(provider, email)`
is a genuine hard bounce in that provider's own format, signed where the provider signs.
"""

import base64
import datetime
import hashlib
import hmac
import importlib
import json
import secrets
import time
from contextlib import contextmanager

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.test import override_settings
from django.urls import clear_url_caches

PROVIDERS = [
    "mailgun",
    "postmark",
    "sendgrid",
    "amazon_ses",
    "brevo",
    "mailjet",
    "sparkpost",
    "resend",
]
WEBHOOK_SECRET = "vigil-hook:3x4mple-pass"
AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(WEBHOOK_SECRET.encode()).decode()}
MAILGUN_SIGNING_KEY = "key-0123456789abcdef-test"
SENDGRID_KEY = ec.generate_private_key(ec.SECP256R1())
SENDGRID_PUBLIC_KEY = base64.b64encode(
    SENDGRID_KEY.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
).decode()


def url(provider):
    return f"/anymail/{provider}/tracking/"


def anymail_settings(provider):
    """What production's environment gives anymail for `provider` (Resend's signing secret
    needs the svix package, which is not installed: its webhook is tested on basic auth)."""
    values = {"WEBHOOK_SECRET": WEBHOOK_SECRET}
    if provider == "mailgun":
        values["MAILGUN_WEBHOOK_SIGNING_KEY"] = MAILGUN_SIGNING_KEY
    if provider == "sendgrid":
        values["SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY"] = SENDGRID_PUBLIC_KEY
    return values


def reload_urlconf():
    importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
    clear_url_caches()


@contextmanager
def mounted(provider):
    """The site's URLs as they are with EMAIL_PROVIDER=provider and its secrets."""
    try:
        with override_settings(EMAIL_PROVIDER=provider, ANYMAIL=anymail_settings(provider)):
            reload_urlconf()
            yield
    finally:
        reload_urlconf()


def post(client, provider, body, headers=None, auth=True, content_type="application/json"):
    return client.post(
        url(provider),
        body,
        content_type=content_type,
        **(AUTH if auth else {}),
        **(headers or {}),
    )


def send(client, provider, request, auth=True):
    body, headers = request
    return post(client, provider, body, headers, auth=auth)


def sendgrid_signature(body, timestamp=None):
    timestamp = str(timestamp or int(time.time()))
    signature = SENDGRID_KEY.sign(timestamp.encode() + body.encode(), ec.ECDSA(hashes.SHA256()))
    return {
        "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_SIGNATURE": base64.b64encode(signature).decode(),
        "HTTP_X_TWILIO_EMAIL_EVENT_WEBHOOK_TIMESTAMP": timestamp,
    }


def signed_headers(provider, body):
    """The headers a provider that signs its body sends with `body`."""
    return sendgrid_signature(body) if provider == "sendgrid" else {}


def mailgun_signature(signed_at=None, token=None):
    timestamp = str(int(signed_at or time.time()))
    token = token or secrets.token_hex(25)  # Mailgun: a random token per request
    signature = hmac.new(
        MAILGUN_SIGNING_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    return {"timestamp": timestamp, "token": token, "signature": signature}


def mailgun_event(event, recipient, message_id="20260302090000.1.ABC@mg.example.org", **extra):
    """A Mailgun event as a dict: the signature block and the event data."""
    signature = extra.pop("signature", None) or mailgun_signature()
    return {
        "signature": signature,
        "event-data": {
            "event": event,
            "timestamp": extra.pop("timestamp", float(signature["timestamp"])),
            "id": secrets.token_urlsafe(16),
            "recipient": recipient,
            "recipient-domain": recipient.split("@")[1],
            "tags": ["prayer-digest"],
            "user-variables": {},
            "message": {"headers": {"message-id": message_id, "to": recipient}},
            **extra,
        },
    }


def postmark_bounce(kind, email, message_id="883953f4-6105-42a2-a16a-77a8eac79483"):
    return {
        "RecordType": "Bounce",
        "ID": secrets.randbelow(10**15),
        "Type": kind,
        "TypeCode": 1 if kind == "HardBounce" else 4096,
        "Name": kind,
        "Tag": "prayer-digest",
        "MessageID": message_id,
        "ServerID": 23,
        "MessageStream": "broadcast",
        "Description": "The server was unable to deliver your message (ex: unknown user).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "From": "prayer@vigil.example.org",
        "BouncedAt": datetime.datetime.now(datetime.UTC).isoformat(),
        "DumpAvailable": False,
        "Inactive": kind == "HardBounce",
        "CanActivate": True,
        "Subject": "Your prayer update",
        "Metadata": {},
    }


def bounce(provider, email):
    """(body, headers) of a genuine hard bounce of `email`, as `provider` posts it."""
    now = time.time()
    iso_now = datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")
    headers = {}
    if provider == "mailgun":
        event = mailgun_event("failed", email, severity="permanent", reason="bounce")
    elif provider == "postmark":
        event = postmark_bounce("HardBounce", email)
    elif provider == "sendgrid":
        event = [
            {
                "email": email,
                "timestamp": int(now),
                "event": "bounce",
                "sg_event_id": secrets.token_urlsafe(16),
                "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
                "reason": "550 5.1.1 The email account that you tried to reach does not exist.",
                "status": "5.1.1",
                "type": "bounce",
            }
        ]
    elif provider == "amazon_ses":
        message_id = secrets.token_hex(16)
        headers = {
            "HTTP_X_AMZ_SNS_MESSAGE_TYPE": "Notification",
            "HTTP_X_AMZ_SNS_MESSAGE_ID": message_id,
        }
        event = {
            "Type": "Notification",
            "MessageId": message_id,
            "TopicArn": "arn:aws:sns:us-east-1:111122223333:vigil-ses",
            "Timestamp": iso_now,
            "Message": json.dumps(
                {
                    "notificationType": "Bounce",
                    "bounce": {
                        "bounceType": "Permanent",
                        "bounceSubType": "General",
                        "bouncedRecipients": [{"emailAddress": email}],
                        "timestamp": iso_now,
                    },
                    "mail": {"messageId": "0100017a-ses-message", "destination": [email]},
                }
            ),
        }
    elif provider == "brevo":
        event = {
            "event": "hard_bounce",
            "email": email,
            "id": 482,
            "message-id": f"<{secrets.token_hex(8)}@smtp-relay.mailin.fr>",
            "ts_epoch": int(now * 1000),
            "reason": "550 5.1.1 unknown user",
        }
    elif provider == "mailjet":
        event = {
            "event": "bounce",
            "time": int(now),
            "MessageID": secrets.randbelow(10**17),
            "email": email,
            "hard_bounce": True,
            "error_related_to": "recipient",
            "error": "user unknown",
        }
    elif provider == "sparkpost":
        event = [
            {
                "msys": {
                    "message_event": {
                        "type": "bounce",
                        "bounce_class": "10",
                        "raw_rcpt_to": email,
                        "rcpt_to": email,
                        "timestamp": str(int(now)),
                        "event_id": str(secrets.randbelow(10**18)),
                        "transmission_id": "65832150921904138",
                    }
                }
            }
        ]
    elif provider == "resend":
        headers = {"HTTP_SVIX_ID": f"msg_{secrets.token_hex(12)}"}
        event = {
            "type": "email.bounced",
            "created_at": iso_now,
            "data": {
                "email_id": secrets.token_hex(16),
                "to": [email],
                "bounce": {
                    "message": "The recipient's email provider sent a hard bounce message.",
                    "type": "Permanent",
                },
            },
        }
    else:
        raise ValueError(provider)
    body = json.dumps(event)
    return body, {**headers, **signed_headers(provider, body)}
