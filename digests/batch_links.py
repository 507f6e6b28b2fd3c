"""Per-recipient links for a whole batch: digests.links' tokens, made fast.

Signing from scratch costs about a millisecond a link on a busy machine and a 1,000-recipient
batch needs 2,000 of them; core.signing.BatchLinks reverses the URL and derives the key once.
"""

from digests import links


class LinkMaker:
    """The unsubscribe and preference-centre links of digests.links, for one batch."""

    def __init__(self):
        self.batches = {
            "unsubscribe_url": links.UNSUBSCRIBE.batch(),
            "preferences_url": links.PREFERENCES.batch(),
        }

    def url(self, key, subscription_id, link_version):
        return self.batches[key].url(subscription_id, link_version)
