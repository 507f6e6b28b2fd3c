"""Uploaded files: what may be served straight from the media folder, and how long it may be
cached. Documents never are; photos are, until their consent ends.

Everything uploaded lands under MEDIA_ROOT, but not everything there is public:

- `images/` (Wagtail's renditions, what pages show) and `original_images/` (the uploads) are
  served to everyone, except the files of a photo whose consent has ended: those answer 404
  from the moment it ends (the question the image tags ask, website/consent/images.py), and
  only staff still get them, for the back office;
- `avatar_images/` (staff portraits in the back office) are served to staff only;
- nothing else, `documents/` above all: a document is downloaded only through Wagtail's serve
  view (/documents/<id>/<name>), which checks its collection's privacy first.

The path is normalised the way the file would be opened before its folder is checked, so dot
segments, doubled or escaped slashes and backslashes cannot reach another folder than the one
checked, and a folder must be named in its exact case (on a disk that ignores case,
`Documents/` would open `documents/`).

On object storage there is no /media/ route: the bucket is private, and only photos get
signed URLs (website/settings/env.py).
"""

import posixpath
from collections.abc import Callable, Iterable

from django.conf import settings
from django.http import Http404
from django.utils.cache import patch_cache_control
from django.views import static
from django.views.decorators.http import require_safe
from wagtail.documents import get_document_model
from wagtail.documents.views import serve as document_views
from wagtail.images import get_image_model

from core.second_factor import may_use_back_office

# Wagtail's folders: renditions, original images (AbstractImage.get_upload_to) and portraits.
RENDITIONS = "images"
ORIGINALS = "original_images"
PHOTO_FOLDERS = {RENDITIONS, ORIGINALS}
STAFF_FOLDERS = {"avatar_images"}


def cache_briefly(response):
    """Anyone may keep it, for MEDIA_CACHE_SECONDS: a photo or document that stops being
    public (consent ended, collection restricted) is gone from shared caches soon after."""
    patch_cache_control(response, public=True, max_age=settings.MEDIA_CACHE_SECONDS)
    return response


def never_store(response):
    """For one person only: no proxy or CDN keeps it, and the browser does not write it down."""
    patch_cache_control(response, private=True, no_store=True)
    return response


# Functions returning ids of photos that must not be served (consent ended: website.consent
# registers one). Each is called on every media request, so each should be cached.
HIDDEN_IMAGE_SOURCES: list[Callable[[], Iterable[int]]] = []


def register_hidden_images(source: Callable[[], Iterable[int]]) -> None:
    if source not in HIDDEN_IMAGE_SOURCES:
        HIDDEN_IMAGE_SOURCES.append(source)


def normalised(path):
    """`path` as the disk would open it under MEDIA_ROOT; "" when it tries to leave it."""
    if "\\" in path or "\x00" in path:
        return ""
    name = posixpath.normpath(path).lstrip("/")
    return "" if name == "." or name.startswith("..") else name


def of_hidden_photo(folder, name):
    """Is `name` a file of a photo whose consent has ended? Compared ignoring case, as a
    case-insensitive disk would open it. No query at all while no photo is hidden."""
    hidden = frozenset().union(*(source() for source in HIDDEN_IMAGE_SOURCES))
    if not hidden:
        return False
    images = get_image_model().objects.filter(pk__in=hidden)
    if folder == RENDITIONS:
        images = images.filter(renditions__file__iexact=name)
    else:
        images = images.filter(file__iexact=name)
    return images.exists()


@require_safe
def serve_media(request, path):
    """A file under MEDIA_ROOT on local disk, if it may be served to this visitor."""
    name = normalised(path)
    folder = name.split("/", 1)[0]
    if folder in PHOTO_FOLDERS:
        staff_only = of_hidden_photo(folder, name)
    elif folder in STAFF_FOLDERS:
        staff_only = True
    else:
        raise Http404
    if staff_only and not may_use_back_office(request):
        raise Http404
    response = static.serve(request, name, document_root=settings.MEDIA_ROOT)
    return never_store(response) if staff_only else cache_briefly(response)


def serve_document(request, document_id, document_filename):
    """Wagtail's serve view, with its privacy check, and the caching its answer allows: a
    document of a restricted collection (and the sign-in or password page in its place) is
    for the visitor alone; a public one may be cached briefly."""
    response = document_views.serve(request, document_id, document_filename)
    if response.get("Content-Encoding") == "None":
        # wagtail.utils.sendfile writes the guessed encoding even when there is none: a file
        # sent as stored has no Content-Encoding (and a bogus one stops compression as well).
        del response.headers["Content-Encoding"]
    collection = get_document_model().objects.get(pk=document_id).collection
    if collection.get_view_restrictions().exists():
        return never_store(response)
    return cache_briefly(response)
