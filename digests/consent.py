"""After a consent take-down, the public copies of digests that showed a story or prayer
request taken down are rendered again without it (digests/redaction.py). Registered with the
editorial app's consent (website/consent/targets.py) by DigestsConfig."""

from digests.redaction import redact_digest_issues


def redact_digests_after_take_down(stories, taken, now):
    requests = taken.get("prayer_request", [])
    if stories or requests:
        redact_digest_issues(stories, requests, now)
