"""An editor writes a new story and presses Publish at once: the story goes live, once, with
every word typed.

Two things happen a moment after an editor types, and a button pressed within that moment
raced them (static/js/admin-page-submit.js now holds the button until both are over):
Wagtail's autosave creates a new page in the background and only then points the form at the
page's edit view, so a Publish pressed while that request was on its way created the page a
second time, failed on the slug the autosave had just taken ("The page could not be created
due to validation errors") and left the autosaved page behind as a draft; and Draftail copies
its text into the form 250 ms after the last keystroke, so a quick Publish or Ctrl+S sent the
body as it was before (a new story went live with an empty paragraph).
"""

import json

import pytest

from tests.e2e.backoffice import sign_in, staff_member, watch
from tests.factories import add_story
from website.models import StoryPage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TITLE = "A sewing machine and a friend"
INTRO = "She learned to sew, and found a friend."
BODY = "Asha came to the centre in May. By June she was sewing school uniforms."


def is_autosave(request):
    """Wagtail's autosave posts the form and asks for JSON; the buttons ask for a page."""
    return request.method == "POST" and "application/json" in request.headers.get("accept", "")


def open_a_new_story(page, base_url, news):
    page.goto(f"{base_url}/admin/pages/add/website/storypage/{news.pk}/")


def type_the_story(page):
    """Type the story as an editor does, the body last."""
    page.get_by_placeholder("Page title*").press_sequentially(TITLE)
    page.get_by_role("textbox", name="Intro").press_sequentially(INTRO)
    page.get_by_role("button", name="Insert a block").first.click()
    page.get_by_role("option", name="Paragraph").click()
    page.locator(".Draftail-Editor [contenteditable=true]").press_sequentially(BODY)


def press_publish(page):
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish", exact=True).click()


def the_one_story():
    """The only story page there is: live, with everything the editor typed."""
    stories = list(StoryPage.objects.all())
    assert [(story.title, story.live) for story in stories] == [(TITLE, True)], "no stray draft"
    story = stories[0]
    assert not story.has_unpublished_changes
    assert story.intro == INTRO
    assert [block.block_type for block in story.body] == ["paragraph"]
    assert BODY in story.body[0].value.source
    return story


@pytest.fixture
def editor_page(live_server, back_office, browser):
    editor, secret = staff_member("Editors", "ruth@example.org")
    page = browser.new_page()
    problems = watch(page)
    sign_in(page, live_server.url, editor, secret)
    return page, problems


def test_a_story_published_right_after_typing_goes_live_once(live_server, back_office, editor_page):
    _home, news = back_office
    page, problems = editor_page

    open_a_new_story(page, live_server.url, news)
    type_the_story(page)
    press_publish(page)

    page.wait_for_url(f"{live_server.url}/admin/pages/{news.pk}/")
    # On a slow machine the autosave may have created the page before Publish was pressed,
    # and Wagtail then says "has been published": either way it is the one page, live.
    message = page.locator(".messages").inner_text()
    assert f"Page '{TITLE}' created and published." in message or (
        f"Page '{TITLE}' has been published." in message
    )
    the_one_story()
    # Nothing was posted to the create view after Publish: no autosave answered "slug taken".
    assert problems == [], "\n".join(problems)


def test_publish_pressed_while_the_autosave_creates_the_page_publishes_that_page(
    live_server, back_office, editor_page
):
    """The race made certain: the autosave has created the page on the server, and its
    answer is still on its way to the browser when the editor presses Publish."""
    _home, news = back_office
    page, problems = editor_page
    held = []

    def hold_autosave(route):
        if not is_autosave(route.request):
            route.continue_()
            return
        held.append((route, route.fetch()))  # the server has made the page; the answer waits

    page.route(f"**/admin/pages/add/website/storypage/{news.pk}/", hold_autosave)
    # Wagtail notices changes (and autosaves) only from two seconds after the form opened.
    page.add_init_script(
        "document.addEventListener('w-unsaved:watch-edits', () => { window.watching = true; })"
    )
    open_a_new_story(page, live_server.url, news)
    page.wait_for_function("window.watching === true")
    type_the_story(page)
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the autosave creates the page in the background"
    assert StoryPage.objects.filter(live=False).count() == 1

    press_publish(page)
    page.wait_for_timeout(300)  # what Publish sends meanwhile is not sent to the create view
    route, response = held.pop()
    assert json.loads(response.body())["success"]
    route.fulfill(response=response)

    page.wait_for_url(f"{live_server.url}/admin/pages/{news.pk}/", timeout=10_000)
    assert f"Page '{TITLE}' has been published." in page.locator(".messages").inner_text()
    story = the_one_story()
    assert story.revisions.count() >= 2, "the autosaved page was published, not a second one"
    assert problems == [], "\n".join(problems)


def test_saving_with_the_keyboard_right_after_typing_keeps_every_word(
    live_server, back_office, editor_page
):
    """Ctrl+S (Save draft) pressed with the last word: Draftail had not copied it yet."""
    _home, news = back_office
    story = add_story(news, title=TITLE, body=[("paragraph", "<p>Asha came in May.</p>")])
    page, problems = editor_page

    page.goto(f"{live_server.url}/admin/pages/{story.pk}/edit/")
    editor = page.locator(".Draftail-Editor [contenteditable=true]")
    editor.click()
    page.keyboard.press("ControlOrMeta+End")
    editor.press_sequentially(" Now she sews uniforms.")
    page.keyboard.press("ControlOrMeta+s")

    page.wait_for_url(f"{live_server.url}/admin/pages/{story.pk}/edit/")
    page.get_by_text(f"Page '{TITLE}' has been updated.").wait_for()
    draft = StoryPage.objects.get(pk=story.pk).get_latest_revision_as_object()
    assert "Asha came in May. Now she sews uniforms." in draft.body[0].value.source
    assert StoryPage.objects.count() == 1
    assert problems == [], "\n".join(problems)
