"""Consent for stories, photos and prayer requests: when it ends, the content leaves the site.

- status.py: whose consent has ended (the one rule every other module asks).
- images.py: photos have no publish state, so a gate hides them at render and their files move.
- takedown.py: unpublishes stories, hides photos, and logs each step; a feature app's content
  goes as that app registered in targets.py (prayer/consent.py takes requests off the wall,
  digests/redaction.py renders the public view of sent digests again without them).
- notify.py: one email to the staff who look after the content, per take-down.
- tasks.py: what the task cluster runs (every few minutes, and at once on a withdrawal).
- backoffice.py, panels.py, dashboard.py, links.py: where staff record consent, the story
  editor's panel, the dashboard's "ending soon", and the addresses they link to.

The records themselves are website.models.consent.
"""
