"""Private files stay private (issue 12, point 2).

A document is downloaded only through Wagtail's serve view (/documents/<id>/<name>), which checks
its collection's privacy: never from the media folder, by whatever spelling of its path. The
media folder serves photos (renditions and originals), staff portraits to staff, and nothing
else; every answer says how long it may be cached.
"""

import secrets
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.storage import Storage
from django.urls import reverse
from PIL import Image as PillowImage
from wagtail.models import Collection, CollectionViewRestriction
from wagtail.users.models import UserProfile

from tests.factories import UserFactory, make_document, make_image
from tests.signin import sign_in_with_totp, with_totp

pytestmark = pytest.mark.django_db

PASSWORD = "partners-only-2026"


@pytest.fixture
def plant(settings):
    """Put a stray file under MEDIA_ROOT (removed afterwards)."""
    planted = []

    def plant_file(name, text):
        path = Path(settings.MEDIA_ROOT) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        planted.append(path)
        return path

    yield plant_file
    for path in planted:
        path.unlink(missing_ok=True)
        if path.parent != Path(settings.MEDIA_ROOT) and not any(path.parent.iterdir()):
            path.parent.rmdir()


def body(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "replace")


def cache_control(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


def collection(name, restriction_type=None, **fields):
    collection = Collection.get_first_root_node().add_child(name=name)
    if restriction_type:
        restriction = CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=restriction_type, **fields
        )
        if restriction_type == "groups":
            restriction.groups.add(Group.objects.get(name="Editors"))
    return collection


class Planted:
    """A document whose text is a canary: it must reach nobody who may not read it."""

    def __init__(self, title, restriction_type=None, **fields):
        self.text = f"zq{secrets.token_hex(8)}"
        self.document = make_document(
            title,
            content=self.text.encode(),
            collection=collection(title, restriction_type, **fields),
        )

    @property
    def name(self):
        return self.document.file.name

    @property
    def serve_url(self):
        return self.document.url


@pytest.fixture
def restricted(site_pages):
    return Planted("Safeguarding policy", "login")


@pytest.fixture
def password_protected(site_pages):
    return Planted("Partner report", "password", password=PASSWORD)


@pytest.fixture
def public_document(site_pages):
    return Planted("Sermon outline")


def media_spellings(name):
    """Every way a visitor might spell `documents/<file>` under /media/."""
    folder, filename = name.split("/", 1)
    return [
        f"/media/{name}",
        f"/media/./{name}",
        f"/media/{folder}/./{filename}",
        f"/media/{folder}/../{name}",
        f"/media//{name}",
        f"/media/images/../{name}",
        f"/media/original_images/../{name}",
        f"/media/avatar_images/../{name}",
        f"/media/images/../../media/{name}",
        f"/media/{quote(name, safe='')}",
        f"/media/%64ocuments/{filename}",
        f"/media/images%2F..%2F{quote(name, safe='')}",
        f"/media/images/%2e%2e/{name}",
        f"/media/%2e/{name}",
        f"/media/{quote(quote(name, safe=''), safe='')}",
        f"/media/images%5C..%5C{folder}%5C{filename}",
        f"/media/images\\..\\{folder}\\{filename}",
        f"/media/{name.upper()}",
        f"/media/{folder.capitalize()}/{filename}",
        f"/media/{name}%00.jpg",
        f"/media/{name}/",
        f"/media/{name}?download=1",
        f"/media/{name};jsessionid=1",
        f"/static/{name}",
        f"/static/../media/{name}",
        f"/static/%2e%2e/media/{name}",
    ]


# --- documents never leave by the media folder --------------------------------------------------


@pytest.mark.parametrize("which", ["restricted", "password_protected", "public_document"])
def test_no_document_is_served_from_the_media_folder_by_any_spelling(client, request, which):
    planted = request.getfixturevalue(which)
    assert (Path(planted.document.file.path)).is_file()
    for url in media_spellings(planted.name):
        response = client.get(url)
        assert planted.text not in body(response), url
        assert response.status_code == 404, url


def test_case_variants_find_nothing_on_a_case_insensitive_disk(client, restricted, plant):
    """On a disk that ignores case (macOS, Windows) /media/Documents/x opens documents/x: here a
    copy under each such spelling stands for it, and none is served."""
    folder, filename = restricted.name.split("/", 1)
    for variant in [folder.capitalize(), folder.upper(), "dOcUmEnTs"]:
        plant(f"{variant}/{filename}", restricted.text)
        response = client.get(f"/media/{variant}/{filename}")
        assert response.status_code == 404, variant
        assert restricted.text not in body(response)


def test_nothing_but_photos_is_served_from_the_media_folder(client, plant):
    """Whatever else lands in MEDIA_ROOT (an export, a backup, a stray upload) stays there."""
    for name in ["export.csv", "exports/volunteers.csv", ".env", "Images/export.csv"]:
        plant(name, "volunteer,phone")
        response = client.get(f"/media/{name}")
        assert response.status_code == 404, name
        assert "volunteer,phone" not in body(response)
    for folder in ["documents", "images", "original_images", ""]:
        assert client.get(f"/media/{folder}").status_code == 404, folder
        assert client.get(f"/media/{folder}/").status_code == 404, folder


def test_the_media_folder_only_answers_reading(client, site_pages):
    image = make_image("Sunrise")
    assert client.post(f"/media/{image.file.name}").status_code == 405
    assert client.head(f"/media/{image.file.name}").status_code == 200


# --- the serve view and its privacy check -------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in_for_a_restricted_document(client, restricted):
    response = client.get(restricted.serve_url)
    assert response.status_code == 302
    assert "/media/" not in response["Location"]
    assert restricted.text not in body(response)
    assert {"private", "no-store"} <= cache_control(response)


def test_a_signed_in_visitor_downloads_a_restricted_document_uncached(client, restricted):
    client.force_login(UserFactory())
    response = client.get(restricted.serve_url)
    assert response.status_code == 200
    assert body(response) == restricted.text
    assert {"private", "no-store"} <= cache_control(response)
    assert "public" not in cache_control(response)


def test_a_group_restricted_document_is_for_the_group_only(client, site_pages):
    planted = Planted("Editors' notes", "groups")
    client.force_login(UserFactory())
    assert planted.text not in body(client.get(planted.serve_url))
    editor = UserFactory()
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    response = client.get(planted.serve_url)
    assert body(response) == planted.text
    assert {"private", "no-store"} <= cache_control(response)


def test_a_password_protected_document_asks_for_its_password(client, password_protected):
    response = client.get(password_protected.serve_url)
    assert response.status_code == 200
    assert password_protected.text not in body(response)
    assert "password" in body(response).lower()
    assert "no-store" in cache_control(response)

    restriction = CollectionViewRestriction.objects.get(
        collection=password_protected.document.collection
    )
    client.post(
        reverse("wagtaildocs_authenticate_with_password", args=[restriction.pk]),
        {"password": PASSWORD, "return_url": password_protected.serve_url},
    )
    response = client.get(password_protected.serve_url)
    assert body(response) == password_protected.text
    assert {"private", "no-store"} <= cache_control(response)
    for url in media_spellings(password_protected.name)[:3]:
        assert client.get(url).status_code == 404, "not even with the password passed"


def test_a_wrong_file_name_or_id_is_not_found(client, restricted):
    document = restricted.document
    for url in [
        f"/documents/{document.pk}/other.txt",
        f"/documents/{document.pk + 1000}/{document.filename}",
        f"/documents/{'9' * 30}/{document.filename}",
    ]:
        assert client.get(url).status_code == 404, url


def test_a_public_document_still_downloads_and_may_be_cached_briefly(
    client, public_document, settings
):
    response = client.get(public_document.serve_url)
    assert response.status_code == 200
    assert body(response) == public_document.text
    assert cache_control(response) == {"public", f"max-age={settings.MEDIA_CACHE_SECONDS}"}
    assert not response.has_header("Content-Encoding")  # sent as stored, not "None"


class ObjectStorage(Storage):
    """Stands for S3: files with a URL of their own, and no path on this machine."""

    def __init__(self):
        self.files = {}

    def _save(self, name, content):
        self.files[name] = content.read()
        return name

    def _open(self, name, mode="rb"):
        return ContentFile(self.files[name], name=name)

    def exists(self, name):
        return name in self.files

    def size(self, name):
        return len(self.files[name])

    def url(self, name):
        return f"https://bucket.example.org/{name}?X-Amz-Signature=abc"


def test_on_object_storage_documents_still_pass_the_privacy_check_and_stream(
    client, site_pages, settings
):
    """Wagtail would redirect to the storage's own URL by default: the serve method is set so it
    never does, and the file comes through the view that checked the visitor."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.ObjectStorage"}}
    restricted = Planted("Safeguarding policy", "login")
    assert restricted.serve_url == reverse(
        "wagtaildocs_serve", args=[restricted.document.pk, restricted.document.filename]
    )
    response = client.get(restricted.serve_url)
    assert response.status_code == 302
    assert "bucket.example.org" not in response["Location"]

    client.force_login(UserFactory())
    response = client.get(restricted.serve_url)
    assert response.status_code == 200
    assert body(response) == restricted.text
    assert {"private", "no-store"} <= cache_control(response)


# --- photos -------------------------------------------------------------------------------------


def test_renditions_and_originals_still_serve_and_may_be_cached_briefly(
    client, site_pages, settings
):
    image = make_image("Sunrise")
    rendition = image.get_rendition("fill-100x100")
    for url in [rendition.url, image.file.url]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "image/jpeg"
        assert cache_control(response) == {"public", f"max-age={settings.MEDIA_CACHE_SECONDS}"}


def test_a_photo_answers_not_modified_to_a_revalidating_browser(client, site_pages):
    image = make_image("Sunrise")
    first = client.get(image.file.url)
    again = client.get(image.file.url, headers={"If-Modified-Since": first["Last-Modified"]})
    assert again.status_code == 304
    assert "public" in cache_control(again)


def avatar_file():
    buffer = BytesIO()
    PillowImage.new("RGB", (8, 8), (10, 20, 30)).save(buffer, "PNG")
    return ImageFile(buffer, name="face.png")


def test_staff_portraits_are_shown_to_staff_only_and_never_cached(client, site_pages):
    editor = UserFactory()
    editor.groups.add(Group.objects.get(name="Editors"))
    profile = UserProfile.get_for_user(editor)
    profile.avatar = avatar_file()
    profile.save()
    url = profile.avatar.url
    assert url.startswith("/media/avatar_images/")

    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404, "a supporter's account is not staff"
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_control(response)


def test_staff_only_files_need_a_session_the_back_office_would_open_for(client, settings):
    """A staff password alone opens no back office, so it opens no staff-only file either."""
    settings.STAFF_MFA_REQUIRED = True
    editor = UserFactory()
    editor.groups.add(Group.objects.get(name="Editors"))
    profile = UserProfile.get_for_user(editor)
    profile.avatar = avatar_file()
    profile.save()
    client.force_login(editor)

    assert client.get(profile.avatar.url).status_code == 404
    sign_in_with_totp(client, editor, with_totp(editor))
    assert client.get(profile.avatar.url).status_code == 200


# --- static files do not reach the media folder -------------------------------------------------


def test_static_files_and_media_are_kept_apart(settings):
    media = Path(settings.MEDIA_ROOT).resolve()
    static_places = [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]
    for place in static_places:
        place = place.resolve()
        assert not media.is_relative_to(place) and not place.is_relative_to(media), place
    assert not getattr(settings, "WHITENOISE_ROOT", None), "whitenoise serves only static files"
