"""The page editor carries the script that makes its buttons wait for the autosave and for
Draftail (static/js/admin-page-submit.js; the browser test is tests/e2e/test_publish_story.py),
and the script is served."""

import pytest
from django.contrib.staticfiles import finders

from tests.factories import UserFactory, add_story, build_site

pytestmark = pytest.mark.django_db

SCRIPT = "js/admin-page-submit.js"


@pytest.fixture
def editor(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_new_story_and_the_story_editor_carry_the_script(editor):
    _home, news = build_site()
    story = add_story(news)

    for url in [
        f"/admin/pages/add/website/storypage/{news.pk}/",
        f"/admin/pages/{story.pk}/edit/",
    ]:
        html = editor.get(url).content.decode()
        assert f'<script defer src="/static/{SCRIPT}"></script>' in html, url
        assert html.count(SCRIPT) == 1, url


def test_the_script_is_a_static_file():
    assert finders.find(SCRIPT), "collectstatic gathers it and whitenoise serves it"
