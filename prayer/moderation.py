"""Spot personal details a moderator should edit out before a prayer request goes on the wall.

Pure functions, no database: `find_personal_details(text)` returns the spans that look like a
phone number, an email address or a street address; `highlight(text)` marks them in escaped HTML.
The patterns err on the side of flagging: a moderator reads every flag, a missed one is public.
"""

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

PHONE = "phone"
EMAIL = "email"
ADDRESS = "address"

LABELS = {
    PHONE: "a phone number",
    EMAIL: "an email address",
    ADDRESS: "a street address",
}

EMAIL_PATTERN = re.compile(
    r"(?<![\w.%+'-])[\w.%+'-]+(?:@|\s*[\[(]\s*at\s*[\])]\s*)[\w-]+(?:(?:\.|\s*[\[(]\s*dot\s*[\])]\s*)[\w-]+)+",
    re.IGNORECASE,
)

# A run of digits with the separators people type in phone numbers; checked for digit count below.
PHONE_PATTERN = re.compile(r"(?<![\w@.])(?:\+|00)?\(?\d[\d\s().\-/]{5,24}\d(?![\w@])")
DATE_PATTERN = re.compile(
    r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{4}\s*-\s*\d{4})$"
)

STREET_WORDS = (
    r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|close"
    r"|crescent|terrace|square|sq|highway|hwy|row|mews|parade|gardens|marg|nagar|gali|chowk"
    r"|straße|strasse|str|straat|laan|weg|gasse|platz"
)
ADDRESS_PATTERNS = [
    # 12 Mill Road, 221B Baker Street, 4 St. John's Close
    re.compile(
        rf"\b\d{{1,5}}[a-z]?,?\s+(?:(?-i:[A-Z])[\w'.-]*\s+){{1,4}}(?:{STREET_WORDS})\b",
        re.IGNORECASE,
    ),
    # Calle Mayor 5, Rue de la Paix 12, Soi 7, Jalan Merdeka 3
    re.compile(
        r"\b(?:calle|rue|via|rua|avenida|jalan|jl\.|soi|ulica|ul\.)\s+(?:[\w'-]+\s+){0,3}\d{1,5}\w?\b",
        re.IGNORECASE,
    ),
    # Lindenstraße 4, Keizersgracht 12
    re.compile(r"\b[A-Z]\w+(?:straße|strasse|straat|gracht|weg|gasse|laan)\s+\d{1,5}\w?\b"),
    # house no. 12, flat 4B, plot #7, apartment 301
    re.compile(
        r"\b(?:house|flat|apartment|apt\.?|plot|door|building|bldg\.?|room|block)\s*"
        r"(?:no\.?|number|num\.?|#)?\s*\d{1,5}[a-z]?\b",
        re.IGNORECASE,
    ),
    # A UK postcode: SW1A 1AA, M1 1AE
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s+\d[A-Z]{2}\b"),
]


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str

    @property
    def label(self):
        return LABELS[self.kind]


def _phone_spans(text):
    position = 0
    while match := PHONE_PATTERN.search(text, position):
        candidate = match.group().strip(" .-/)")
        if candidate.startswith("(") and ")" not in candidate:
            candidate = candidate[1:]
        digits = sum(character.isdigit() for character in candidate)
        if digits > 15:
            # Too long for one number, but a number may follow a gap: look again after one part.
            first_part = re.match(r"\S+", text[match.start() :])
            position = match.start() + (len(first_part.group()) if first_part else 1)
            continue
        position = match.end()
        if digits < 7 or DATE_PATTERN.match(candidate):
            continue
        start = text.index(candidate, match.start())
        yield Finding(PHONE, start, start + len(candidate), candidate)


def _candidates(text):
    for match in EMAIL_PATTERN.finditer(text):
        if "@" in match.group() or re.search(r"[\[(]\s*at\s*[\])]", match.group(), re.I):
            yield Finding(EMAIL, match.start(), match.end(), match.group())
    yield from _phone_spans(text)
    for pattern in ADDRESS_PATTERNS:
        for match in pattern.finditer(text):
            yield Finding(ADDRESS, match.start(), match.end(), match.group())


def find_personal_details(text):
    """The spans of `text` that look like personal details, in order, without overlaps.

    Where two spans overlap the earlier one wins, and of two starting together the longer.
    """
    if not text:
        return []
    findings = sorted(_candidates(text), key=lambda f: (f.start, -(f.end - f.start)))
    kept = []
    for finding in findings:
        if kept and finding.start < kept[-1].end:
            continue
        kept.append(finding)
    return kept


def highlight(text):
    """`text` as escaped HTML with each finding wrapped in <mark>."""
    parts = []
    position = 0
    for finding in find_personal_details(text):
        parts.append(escape(text[position : finding.start]))
        parts.append(
            f'<mark class="pii pii--{finding.kind}" title="Looks like {finding.label}">'
            f"{escape(finding.text)}</mark>"
        )
        position = finding.end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of the text is escaped above
