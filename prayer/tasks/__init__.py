"""Split by topic: requests (and the wall), digests, calendars, vigils."""
