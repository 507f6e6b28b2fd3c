"""The public "view in your browser" page of a digest keeps the HTML rendered when it was sent.

When a story or prayer request in it loses its consent, that page is rendered again from the
issue's stored ids, leaving out everything whose consent has ended. The emails already sent
cannot be recalled; the public web copy can.
"""

from django.utils import timezone

from website.consent.status import ended_ids


def first_shown(stories, requests):
    """The earliest moment any of them could have gone into a digest."""
    moments = [story.first_published_at for story in stories] + [
        prayer_request.approved_at or prayer_request.created_at for prayer_request in requests
    ]
    moments = [moment for moment in moments if moment]
    return min(moments) if moments else None


def redact_digest_issues(stories, requests, now=None):
    """Render again the browser view of every issue that showed one of them; how many."""
    from core.emails import email_context
    from digests.content import browser_url, render_issue
    from digests.models import DigestIssue

    today = timezone.localdate(now)
    story_ids = {story.pk for story in stories}
    request_ids = {prayer_request.pk for prayer_request in requests}
    issues = DigestIssue.objects.only(
        "pk", "created_at", "request_ids", "praise_ids", "story_ids", "campaign_ids"
    )
    since = first_shown(stories, requests)
    if since:
        issues = issues.filter(created_at__gte=since)
    affected = [
        issue
        for issue in issues.iterator()
        if request_ids & {*issue.request_ids, *issue.praise_ids} or story_ids & {*issue.story_ids}
    ]
    if not affected:
        return 0
    hidden_requests = ended_ids("prayer_request", today) | request_ids
    hidden_stories = ended_ids("story", today) | story_ids
    shared = email_context({})
    for issue in affected:
        content = {
            "requests": [i for i in issue.request_ids if i not in hidden_requests],
            "praise": [i for i in issue.praise_ids if i not in hidden_requests],
            "stories": [i for i in issue.story_ids if i not in hidden_stories],
            "campaigns": issue.campaign_ids,
            "restricted": False,
        }
        *_email, browser_html = render_issue(content, issue.created_at, browser_url(issue), shared)
        DigestIssue.objects.filter(pk=issue.pk).update(browser_html=browser_html)
    return len(affected)
