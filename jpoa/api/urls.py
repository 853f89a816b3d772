"""The JSON API at /api/v1/: reads of everything public, writes for editors with tokens.

Every view is wrapped for HTTP caching (`caching.conditional`) and gzip. The browsable
documentation is Swagger UI as bundled with django-ninja, served from the installed
package (never from a CDN).
"""

import functools
from pathlib import Path

import ninja
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path, re_path
from django.utils.html import escape, json_script
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import DocsBase

from jpoa.core.demo import NOTICE, demo_loaded
from jpoa.matrix.editing import EditConflict

from . import event_parts as _event_parts  # noqa: F401  (adds operations to the router)
from . import imports as _imports  # noqa: F401  (adds the import operations to the router)
from . import problems
from . import rounds as _rounds  # adds the update rounds' operations to the router
from .caching import conditional
from .pagination import PageNotFound, page_not_found
from .problems import problem
from .reads import InvalidQuery
from .reads import router as reads
from .search import router as search_router
from .security import AnonThrottle, TokenThrottle
from .writes import InvalidInput  # importing writes adds its operations to the router

SWAGGER_ASSETS = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.png"}


class BundledSwagger(DocsBase):
    """Swagger UI from django-ninja's own copy of its files, with no inline script."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        settings = {"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout"}
        asset = request.path.rstrip("/") + "/assets/"
        html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(api.title)}</title>
<link rel="stylesheet" href="{asset}swagger-ui.css">
<link rel="icon" href="{asset}favicon.png"></head>
<body data-csrf-token="" data-api-csrf="">
{json_script(settings, "swagger-settings")}
<noscript><p>The description of this API is at <a href="{settings["url"]}">{settings["url"]}</a>
(OpenAPI 3); see also docs/api.md.</p></noscript>
<div id="swagger-ui"></div>
<script src="{asset}swagger-ui-bundle.js"></script>
<script src="{asset}swagger-ui-init.js"></script>
</body></html>"""
        return HttpResponse(html)


@require_GET
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in ASSETS:
        raise Http404
    response = FileResponse(open(SWAGGER_ASSETS / name, "rb"))  # noqa: SIM115 (closed by Django)
    response["Cache-Control"] = "public, max-age=86400"
    return response


COMMON_ERRORS = {
    "404": "Not found (no such record, edition or page).",
    "422": "A parameter or the body is invalid; `errors` names the fields.",
    "429": "Too many requests; retry after the `Retry-After` seconds.",
}
WRITE_ERRORS = {
    "400": "The body is not JSON.",
    "401": "No valid token (`Authorization: Bearer <token>`).",
    "403": "Your role or organisation may not do this.",
    "409": "Someone changed the record since you read it.",
}


class JpoaAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """ninja's description, with the problem responses every operation may give."""
        schema = super().get_openapi_schema(*args, **kwargs)
        problem_ref = {"$ref": "#/components/schemas/Problem"}
        schema["components"]["schemas"]["Problem"] = problems.Problem.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        schema["components"]["schemas"].update(
            schema["components"]["schemas"]["Problem"].pop("$defs", {})
        )
        for item in schema["paths"].values():
            for method, operation in item.items():
                errors = dict(COMMON_ERRORS)
                if method != "get":
                    errors.update(WRITE_ERRORS)
                elif operation.get("security"):
                    errors.update({k: WRITE_ERRORS[k] for k in ("401", "403")})
                for status, description in errors.items():
                    operation["responses"][status] = {
                        "description": description,
                        "content": {problems.MEDIA_TYPE: {"schema": problem_ref}},
                    }
                if method == "get":
                    operation["responses"]["304"] = {
                        "description": "Not modified (If-None-Match or If-Modified-Since)."
                    }
                operation["responses"]["414"] = {
                    "description": "URI too long (refused by the web server, before the API)."
                }
        return schema


api = JpoaAPI(
    title="jpoa API",
    version="1",
    description=(
        "The Joint Plan of Action's data: the plan, the matrix of activities and its "
        "published editions, events and findings, the library. Reads are public; writes "
        "need a personal token (`Authorization: Bearer <token>`). Errors are RFC 9457 "
        "problem details. See docs/api.md."
    ),
    urls_namespace="api",
    docs=BundledSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    throttle=[AnonThrottle(), TokenThrottle()],
)


class IndexOut(Schema):
    title: str = Field(description="The API's name.")
    description: str = Field(description="What the API holds and how to use it.")
    openapi: str = Field(description="The OpenAPI 3 description of every operation.")
    docs: str = Field(description="The browsable documentation of the API.")
    endpoints: dict[str, str] = Field(description="The main collections, by name.")
    notice: str | None = Field(
        None,
        description="Set when the data is jpoa's invented demonstration data set "
        "(also said by the X-Jpoa-Data header of every answer).",
    )


INDEX_ENDPOINTS = (
    "pillars",
    "plans",
    "phases",
    "countries",
    "organisations",
    "editions",
    "activities",
    "events",
    "findings",
    "resources",
    "search",
)


@api.get("/", response=IndexOut, summary="Index of the API", tags=["index"])
def index(request: HttpRequest):
    """Where to start: the description, the docs and the main collections, as absolute URLs."""
    base = request.build_absolute_uri(request.path)
    return {
        "title": api.title,
        "description": api.description,
        "openapi": base + "openapi.json",
        "docs": base + "docs",
        "endpoints": {name: base + name for name in INDEX_ENDPOINTS},
        "notice": str(NOTICE) if demo_loaded() else None,
    }


api.add_router("/", reads)
api.add_router("/", search_router)


# -- errors as problem details --------------------------------------------------------------


@api.exception_handler(NinjaValidationError)
def _invalid_request(request, exc):
    return problem(
        422,
        "The request does not match the API's description.",
        problems.pydantic_errors(exc.errors),
    )


@api.exception_handler(InvalidQuery)
@api.exception_handler(InvalidInput)
def _invalid_data(request, exc):
    return problem(getattr(exc, "status", 422), str(exc), exc.errors)


@api.exception_handler(DjangoValidationError)
def _invalid_record(request, exc):
    errors = [
        {"field": "__all__" if name == "__all__" else f"body.{name}", "message": str(m)}
        for name, messages in (
            exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        ).items()
        for m in messages
    ]
    return problem(422, "; ".join(e["message"] for e in errors), errors)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return problem(
        401,
        "Send a valid personal token: Authorization: Bearer <token>.",
        WWW_Authenticate="Bearer",
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return problem(403, str(exc) or "You may not do this.")


@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def _not_found(request, exc):
    detail = str(exc) if isinstance(exc, Http404) and str(exc) else "No such record."
    return problem(404, detail)


api.add_exception_handler(PageNotFound, page_not_found)


@api.exception_handler(EditConflict)
def _conflict(request, exc):
    return problem(409, exc.message, [{"field": "body.version", "message": exc.message}])


@api.exception_handler(_rounds.RoundProblem)
def _round_refused(request, exc):
    return problem(409, str(exc))


@api.exception_handler(ProtectedError)
def _protected(request, exc):
    return problem(409, "Other records still refer to this one; it was not deleted.")


@api.exception_handler(Throttled)
def _throttled(request, exc):
    return problem(429, "Too many requests; slow down or use a personal token.")


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return problem(exc.status_code, str(exc))


def _api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return problem(404, f"There is no API endpoint at {request.path}.")


def single_valued(view):
    """No API parameter is a list: a repeated one is refused rather than half-read."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        repeated = [k for k in request.GET if len(request.GET.getlist(k)) > 1]
        if repeated:
            errors = [
                {"field": f"query.{k}", "message": "Give this parameter once."} for k in repeated
            ]
            return problem(422, "A parameter is repeated.", errors)
        return view(request, *args, **kwargs)

    return wrapped


DEMO_HEADER = "X-Jpoa-Data"


def demo_notice(view):
    """Every answer made from the demonstration data says so, in a header (ASCII, English)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if demo_loaded():
            response[DEMO_HEADER] = "demonstration data, invented"
        return response

    return wrapped


def _wrapped(patterns):
    """Each of ninja's views with conditional GET and gzip (for the API only)."""
    return [
        URLPattern(
            p.pattern,
            gzip_page(demo_notice(conditional(single_valued(p.callback)))),
            p.default_args,
            p.name,
        )
        for p in patterns
    ]


_patterns, _app, _namespace = api.urls
app_name = "api"  # the namespace ninja reverses (urls_namespace)
urlpatterns = [
    path("docs/assets/<str:name>", docs_asset, name="api-docs-asset"),
    *_wrapped(_patterns),
    re_path(r"^(?P<rest>.*)$", _api_not_found),
]
