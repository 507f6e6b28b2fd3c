"""A harmless one-button POST with no CSRF token, checked by where it was sent from.

"I prayed" is one button on a page that everyone is shown the same (the prayer wall, kept in
the page cache: core/page_cache.py). A CSRF token would make the page one visitor's, so the
button carries none. What a forged press could do is add one to a count, once per visitor and
day and within the connection's caps (prayer/prayed.py); that is what is being protected, and
a check of where the POST came from is enough for it, the way one-click unsubscribe (RFC 8058)
needs no token either:

- `Sec-Fetch-Site` (every current browser sends it): only "same-origin" passes;
- otherwise `Origin`: it must be this site's own (scheme and host, the host checked against
  ALLOWED_HOSTS) or one of CSRF_TRUSTED_ORIGINS;
- otherwise `Referer`, the same way;
- a POST with none of them is refused: a browser always sends at least one.

Forms that change what a person has, or that carry what they typed, keep Django's CSRF token;
the page cache gives every visitor their own (core/page_cache.py).
"""

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

REFUSED = "This button only works on our own pages. Please open the prayer wall and press it there."


def own_origins(request):
    return {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}


def origin_of(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def sent_from_this_site(request):
    """Whether the browser says this POST was sent from one of this site's pages."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    try:
        own = own_origins(request)
    except DisallowedHost:
        return False
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin in own
    referer = request.headers.get("Referer")
    return referer is not None and origin_of(referer) in own


def same_origin_post(view):
    """No CSRF token for this view's POSTs; a POST from anywhere but this site is refused."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and not sent_from_this_site(request):
            if "application/json" in request.headers.get("Accept", ""):
                return JsonResponse({"error": REFUSED}, status=403)
            return render(request, "core/refused_post.html", {"message": REFUSED}, status=403)
        return view(request, *args, **kwargs)

    return wrapper
