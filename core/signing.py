"""Signed links: a token names its purpose and its subject, and may expire.

Links in emails must work without an account and must not be forgeable or reusable for
another purpose. Each purpose gets its own salt; `version` lets a subject revoke all the
links sent so far (bump it and every older token fails).
"""

from typing import Any

from django.core import signing

MAX_TOKEN_LENGTH = 300


class BadToken(Exception):
    """The token was tampered with, expired, or is for another purpose."""


def make_token(purpose: str, subject_id: int, version: int = 0) -> str:
    return signing.TimestampSigner(salt=f"vigil:{purpose}").sign_object(
        {"id": subject_id, "v": version}, compress=True
    )


def read_token(token: str, purpose: str, max_age: float | None = None) -> tuple[Any, int]:
    """Return (subject_id, version), or raise BadToken."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise BadToken("missing or oversized token")
    try:
        value = signing.TimestampSigner(salt=f"vigil:{purpose}").unsign_object(
            token, max_age=max_age
        )
    except signing.SignatureExpired as error:
        raise BadToken("expired") from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadToken("bad signature") from error
    if not isinstance(value, dict) or "id" not in value:
        raise BadToken("malformed")
    return value["id"], int(value.get("v", 0))
