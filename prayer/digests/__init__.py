"""Building and sending prayer digests, each due subscriber exactly once per issue.

- content: what a digest holds and its rendering, once per distinct content;
- dispatching: who is due, one issue and its delivery rows per content, queuing batches;
- sending: the digest as a kind of the outbox (website/outbox.py), which sends its batches;
- batch_links: the per-recipient links of a batch, signed fast.

Only ids and flags are kept per subscriber, never personal data in logs.
"""

from prayer.digests.content import (
    FIRST_PERIOD,
    browser_url,
    content_for,
    load_candidates,
    placeholder,
    render_issue,
)
from prayer.digests.dispatching import DispatchResult, batch_ranges, dispatch
from prayer.digests.sending import send_batch

__all__ = [
    "FIRST_PERIOD",
    "DispatchResult",
    "batch_ranges",
    "browser_url",
    "content_for",
    "dispatch",
    "load_candidates",
    "placeholder",
    "render_issue",
    "send_batch",
]
