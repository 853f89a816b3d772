"""Imports through the API: the web's upload, check and confirmation, for scripts.

`POST /imports` takes a file (multipart) and answers 202 with the import's record;
the file is checked as on the web (in the background: poll `GET /imports/{id}`
until `status` is `pending`, with `progress` meanwhile); `POST /imports/{id}/confirm`
writes it, all rows or none. Coordinators only, like the web's import pages.
"""

from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import File, Form, Schema
from ninja.files import UploadedFile
from pydantic import Field

from jpoa.accounts.access import require_coordinator
from jpoa.exchange import progress
from jpoa.exchange.apply import (
    ImportFailed,
    claim_for_writing,
    receive_import,
)
from jpoa.exchange.models import ImportRecord
from jpoa.exchange.tasks import start_checking, start_writing

from .reads import router
from .writes import AUTH, InvalidInput


class ImportIssue(Schema):
    file: str = Field(description="The file's name.")
    row: int | None = Field(
        None, description="The row of a sheet (1 is the header); in XML, the activity's line."
    )
    field: str = Field(description="The column, as the file names it.")
    message: str = Field(description="What is wrong, and what was expected.")
    level: str = Field(description="error or warning")
    suggestion: str = Field("", description="A known name close to the one given.")
    activity: str = Field("", description="In XML, the activity's iati-identifier.")


class ImportProgress(Schema):
    phase: str = Field(description="checking or writing")
    done: int = Field(description="Rows done in this phase.")
    total: int = Field(description="Rows in the file.")


class NewOrganisationOut(Schema):
    name: str = Field(description="Its name, as the file gives it.")
    ref: str = Field("", description="IATI organisation identifier, as the file writes it.")
    type: str = Field(description="The organisation type it will have.")
    iati_type: str = Field("", description="The IATI organisation type code the file gives.")


class ImportOut(Schema):
    id: int = Field(description="The import's number.")
    file_name: str = Field(description="The uploaded file's name (without directories).")
    format: str = Field(description="csv, xlsx or iati.")
    sha256: str = Field(description="SHA-256 of the file, as received.")
    size: int = Field(description="Size of the file in bytes.")
    status: str = Field(
        description="checking, pending (checked, waiting for confirmation), writing, "
        "applied or failed (nothing written)."
    )
    message: str = Field("", description="Why it failed, if it did.")
    counts: dict[str, int] = Field(
        default_factory=dict,
        description="Rows to add, update, unchanged, skipped, with errors; errors and warnings.",
    )
    has_errors: bool = Field(False, description="True: the file cannot be written as it is.")
    summary: list[str] = Field(
        default_factory=list,
        description="Read, in the region, skipped and why; new organisations; activities "
        "that need a pillar.",
    )
    new_organisations: list[NewOrganisationOut] = Field(
        default_factory=list,
        description="Organisations the file names that jpoa does not know: confirming adds "
        "them, marked as not yet reviewed.",
    )
    issues: list[ImportIssue] = Field(default_factory=list, description="The first 2,000.")
    progress: ImportProgress | None = Field(None, description="While checking or writing.")
    page: str = Field(description="The import's page on the web.")


class ImportOptions(Schema):
    include_outside_region: bool = Field(
        False, description="IATI: keep activities outside the configured region."
    )
    date_format: Literal["", "DMY", "MDY", "ISO"] = Field(
        "",
        description="How the file writes dates like 01/02/2024: DMY, MDY or ISO; empty: not "
        "stated (such a date is read day first, with a warning).",
    )


def _out(record: ImportRecord) -> dict:
    summary = record.preview or {}
    busy = record.status in (ImportRecord.Status.CHECKING, ImportRecord.Status.WRITING)
    now = progress.read(record.stored_name) if busy else None
    return {
        "id": record.pk,
        "file_name": record.file_name,
        "format": record.format,
        "sha256": record.sha256,
        "size": record.size,
        "status": record.status,
        "message": record.message,
        "counts": record.counts or {},
        "has_errors": bool(summary.get("has_errors")),
        "summary": summary.get("summary", []),
        "new_organisations": summary.get("new_organisations", []),
        "issues": summary.get("issues", []),
        "progress": {"phase": now.phase, "done": now.done, "total": now.total} if now else None,
        "page": reverse("exchange:import_detail", args=[record.pk]),
    }


@router.post("/imports", response={202: ImportOut}, auth=AUTH, tags=["imports"])
def import_start(request: HttpRequest, file: File[UploadedFile], options: Form[ImportOptions]):
    """Upload a CSV, XLSX or IATI XML file; it is checked, nothing is written yet."""
    require_coordinator(request.auth)
    try:
        record = receive_import(
            chunks=file.chunks(),
            file_name=file.name or "upload",
            user=request.auth,
            include_outside_region=options.include_outside_region,
            date_format=options.date_format,
        )
    except ImportFailed as exc:
        raise InvalidInput([{"field": "body.file", "message": str(exc)}]) from None
    start_checking(record)
    record.refresh_from_db()
    return 202, _out(record)


@router.get("/imports/{import_id}", response=ImportOut, auth=AUTH, tags=["imports"])
def import_status(request: HttpRequest, import_id: int):
    """An import's status, counts, errors and warnings, and progress while it works."""
    require_coordinator(request.auth)
    return _out(get_object_or_404(ImportRecord, pk=import_id))


@router.post("/imports/{import_id}/confirm", response={202: ImportOut}, auth=AUTH, tags=["imports"])
def import_confirm(request: HttpRequest, import_id: int):
    """Write a checked import without errors, all rows or none; 409 if it is not pending."""
    require_coordinator(request.auth)
    record = get_object_or_404(ImportRecord, pk=import_id)
    if not claim_for_writing(record):
        raise ImportNotPending(record)
    start_writing(record, user=request.auth)
    record.refresh_from_db()
    return 202, _out(record)


class ImportNotPending(InvalidInput):
    status = 409

    def __init__(self, record: ImportRecord):
        super().__init__(
            [
                {
                    "field": "import_id",
                    "message": f"This import is {record.get_status_display()}, not pending.",
                }
            ]
        )
