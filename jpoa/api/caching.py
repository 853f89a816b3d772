"""HTTP caching of API reads: ETag, Last-Modified, conditional requests and Cache-Control.

A published edition never changes, so what is read from an edition the request names
(`?edition=N`) may be cached for a long time; anything else for a short while. Every
200 answer to a GET carries a strong ETag of its body and a Last-Modified: when the data
last changed (the newest audit record, edition or data set load), and If-None-Match or
If-Modified-Since that still match get 304 Not Modified.
"""

import functools

from django.http import HttpRequest
from django.utils.cache import get_conditional_response, patch_vary_headers, set_response_etag
from django.utils.http import http_date, parse_http_date_safe

from jpoa.lib.pagecache import LATEST_MAX_AGE, data_changed_at, one_stamp


def conditional(view):
    """Give GET answers their validators and cache headers, and answer 304 when they match."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if request.method in ("GET", "HEAD"):
            with one_stamp():  # the time the data changed, asked once for the answer
                return answer(request, *args, **kwargs)
        return answer(request, *args, **kwargs)

    def answer(request: HttpRequest, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            response.setdefault("Cache-Control", "no-store")
            return response
        if response.status_code != 200 or response.streaming:
            return response
        if not response.has_header("Last-Modified"):
            changed = data_changed_at()
            if changed is not None:
                response["Last-Modified"] = http_date(changed.timestamp())
        response.setdefault("Cache-Control", f"public, max-age={LATEST_MAX_AGE}")
        patch_vary_headers(response, ["Accept-Language", "Authorization"])
        if not response.has_header("ETag"):
            set_response_etag(response)
        last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        return get_conditional_response(
            request, etag=response["ETag"], last_modified=last_modified, response=response
        )

    return wrapped
