"""How heavy a rendered page is: bytes plain and gzipped, and how many elements it holds.

Used by the vigil page's weight test and by bench/vigil_page.py, so both count alike.
"""

import gzip
from html.parser import HTMLParser


class _ElementCounter(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = 0

    def handle_starttag(self, tag, attrs):
        self.elements += 1

    def handle_startendtag(self, tag, attrs):
        self.elements += 1


def page_weight(content):
    """{"bytes", "gzip_bytes", "elements"} of an HTML page given as bytes."""
    counter = _ElementCounter()
    counter.feed(content.decode())
    counter.close()
    return {
        "bytes": len(content),
        "gzip_bytes": len(gzip.compress(content, compresslevel=6)),
        "elements": counter.elements,
    }
