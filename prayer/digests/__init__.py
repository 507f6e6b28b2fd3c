"""Building and sending prayer digests, each due subscriber exactly once per issue.

- content: what a digest holds and its rendering, once per distinct content;
- dispatching: who is due, one issue and its delivery rows per content, queuing batches;
- sending: one batch, one claim, one provider call;
- batch_links: the per-recipient links of a batch, signed fast;
- rows: delivery row states shared by dispatch and sending.

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
from prayer.digests.dispatching import (
    DispatchResult,
    batch_ranges,
    dispatch,
    resume_unfinished,
)
from prayer.digests.rows import claim_timeout
from prayer.digests.sending import (
    MAX_ATTEMPTS,
    RETRY_BACKOFF,
    ProviderLookupFailed,
    provider_accepted_claims,
    send_batch,
)

__all__ = [
    "FIRST_PERIOD",
    "MAX_ATTEMPTS",
    "RETRY_BACKOFF",
    "DispatchResult",
    "ProviderLookupFailed",
    "batch_ranges",
    "browser_url",
    "claim_timeout",
    "content_for",
    "dispatch",
    "load_candidates",
    "placeholder",
    "provider_accepted_claims",
    "render_issue",
    "resume_unfinished",
    "send_batch",
]
