"""Errors as RFC 9457 problem details: type, title, status, detail and the fields at fault."""

import json

from django.http import HttpResponse
from pydantic import BaseModel, Field

PROBLEM_TYPE = "https://jpoa.example/problems/"  # a stable identifier, not a page
MEDIA_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Invalid data",
    429: "Too many requests",
    500: "Server error",
}
SLUGS = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "edit-conflict",
    422: "invalid",
    429: "rate-limited",
    500: "server-error",
}


class FieldError(BaseModel):
    field: str = Field(
        description="The field at fault: a dotted path into the request, e.g. `body.end_date`, "
        "`query.year_from`; `__all__` for an error of the record as a whole."
    )
    message: str = Field(description="What is wrong and what was expected.")


class Problem(BaseModel):
    """An error (RFC 9457 problem details, served as application/problem+json)."""

    type: str = Field(description="A URI identifying the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong in this request.")
    errors: list[FieldError] = Field(
        default_factory=list, description="The fields at fault, when the problem is in the input."
    )


def problem(status: int, detail: str, errors: list[dict] | None = None, **headers) -> HttpResponse:
    body = {
        "type": PROBLEM_TYPE + SLUGS.get(status, str(status)),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "errors": errors or [],
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=MEDIA_TYPE
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    response["Cache-Control"] = "no-store"
    return response


def pydantic_errors(errors: list[dict]) -> list[dict]:
    """ninja's validation errors ({loc, msg}) as problem `errors`."""
    out = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("payload",)]
        out.append({"field": ".".join(loc) or "__all__", "message": error.get("msg", "invalid")})
    return out


def form_errors(form_errors: dict, prefix: str = "body", names: dict | None = None) -> list[dict]:
    """A Django form's errors as problem `errors`, with the API's field names."""
    names = names or {}
    return [
        {
            "field": f"{prefix}.{names.get(name, name)}" if name != "__all__" else "__all__",
            "message": str(message),
        }
        for name, messages in form_errors.items()
        for message in messages
    ]
