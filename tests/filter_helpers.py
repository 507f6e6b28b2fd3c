"""Shared checks for listing filters that forgive (core/filters.py): an unknown or malformed
value shows the whole list with a note, never a 404, and costs no extra queries."""

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

# Values no listing can match, each with the part the note repeats (escaped in the HTML).
MALFORMED = {
    "unicode": ("Zürich 🙏 祈り", "Zürich 🙏 祈り"),
    "huge": ("x" * 5000, "x" * 39 + "…"),
    "sql": ("' OR 1=1 --", "&#x27; OR 1=1 --"),
    "html": ('<script>alert("hi")</script>', "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;"),
    "nul": ("kids\x00", "kids"),
    "spaces": ("  atlantis  ", "atlantis"),
}


def count_queries(client, url, params):
    """Queries to draw the page (never one from the page cache)."""
    with override_settings(PAGE_CACHE=False), CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


def assert_forgiven(client, url, params, note_html, *, listed, valid):
    """The page answers 200 with `note_html` in a status note, lists what the unfiltered page
    lists (`listed(response)` gives that list), is kept out of search results (its canonical is
    the plain list), and costs no more queries than the `valid` filter does."""
    response = client.get(url, params)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="notice filter-notes" role="status"' in html
    assert note_html in html
    assert "<script>alert" not in html
    assert '<meta name="robots" content="noindex">' in html
    assert f'<link rel="canonical" href="http://testserver{url}">' in html
    assert listed(response) == listed(client.get(url))
    assert count_queries(client, url, params) <= count_queries(client, url, valid)
    return html
