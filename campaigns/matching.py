"""How two registrations are recognised as the same church.

A church is the same when its normalised name, normalised city and country are the same.
Normalising keeps what tells churches apart and drops what people type differently:

- Unicode compatibility forms are folded (NFKC) and case is folded ("ß" = "ss");
- accents on Latin letters are dropped ("Église" = "Eglise"); marks in other scripts
  (Devanagari vowel signs, for example) are kept, as they change the word;
- apostrophes vanish ("St Mary's" = "St Marys");
- punctuation and symbols become spaces, runs of spaces become one;
- "&" is "and", "st" is "saint", and a leading "the" is dropped.

Words such as "church" or "of" are NOT dropped: "Church of Christ" and "Christ Church" are
two different congregations, and dropping them would make both "christ". What this misses
(a translated name, a typo) coordinators merge by hand in the back office.
"""

import unicodedata

MATCH_KEY_LENGTH = 320
NAME_PART = 200
CITY_PART = 100
REPLACED_WORDS = {"st": "saint", "ste": "sainte", "&": "and"}
LEADING_WORDS_DROPPED = {"the"}


APOSTROPHES = {"'", "\u2018", "\u2019", "\u02bc", "`", "\u00b4"}


def normalise_text(value):
    value = unicodedata.normalize("NFKC", value or "").casefold()
    value = unicodedata.normalize("NFKD", value.replace("&", " & "))
    kept = []
    for char in value:
        category = unicodedata.category(char)
        if char in APOSTROPHES:
            continue
        if category == "Mn" and kept and kept[-1].isascii() and kept[-1].isalpha():
            continue
        if char == "&":
            kept.append(char)
        elif category[0] in "PSZC":
            # Punctuation, symbols, separators and control characters split words.
            kept.append(" ")
        else:
            kept.append(char)
    text = unicodedata.normalize("NFKC", "".join(kept))
    words = [REPLACED_WORDS.get(word, word) for word in text.split()]
    while len(words) > 1 and words[0] in LEADING_WORDS_DROPPED:
        words = words[1:]
    return " ".join(words)


def match_key(name, city, country):
    """The key unique per campaign: 'CC|city|name', normalised."""
    country = str(country or "").upper()
    return f"{country}|{normalise_text(city)[:CITY_PART]}|{normalise_text(name)[:NAME_PART]}"
