"""Keep an uploaded file as a pending import, and apply it: all rows or none.

`receive_import` stores the file in the data directory (under a name jpoa chooses,
never the uploader's) with an `ImportRecord`; `check_import` builds its preview and
makes it pending (`start_import` does both at once). `apply_import` builds the
preview again from that file, so what is written is validated against the
database as it is now, then writes the rows in batches through `jpoa.matrix.writes.write_activities`
(the editor's permission, version check and audit trail, with the importing user
as actor and the import named in each audit entry) in one transaction. A row error, an edit conflict or
any failure rolls everything back and marks the record failed.
"""

import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from jpoa.accounts.access import require_coordinator
from jpoa.core.models import Source
from jpoa.lib.database import insert_rows
from jpoa.matrix.editing import EditConflict
from jpoa.matrix.writes import ActivityChange, NewActivity, write_activities

from . import progress as _progress
from .models import ImportedActivity, ImportRecord
from .preview import ADD, UPDATE, Preview, build_preview
from .readers import guess_format

MAX_UPLOAD = 20 * 1024 * 1024  # a file sent over the web or the API
MAX_LOCAL_FILE = 1024 * 1024 * 1024  # a file on the server's disk (`jpoa import`)


class ImportFailed(Exception):
    """Nothing was written; the message says why."""


def imports_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def safe_file_name(name: str) -> str:
    """The uploader's file name, for display only: no directories, no odd characters."""
    base = Path(str(name).replace("\\", "/")).name
    try:
        return (get_valid_filename(base) if base.strip(". ") else "upload")[:200] or "upload"
    except SuspiciousFileOperation:  # nothing usable left, e.g. "..;" or "."
        return "upload"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def record_path(record: ImportRecord) -> Path:
    return imports_dir() / record.stored_name


def receive_import(
    *,
    chunks,
    file_name: str,
    user,
    format: str | None = None,
    include_outside_region: bool = False,
    date_format: str = "",
    check_permission: bool = True,
    max_size: int = MAX_UPLOAD,
) -> ImportRecord:
    """Store the file's bytes (an iterable of chunks) as an import still to be checked."""
    if check_permission:
        require_coordinator(user)
    name = safe_file_name(file_name)
    suffix = (
        Path(name).suffix.lower()
        if Path(name).suffix.lower() in (".csv", ".xlsx", ".xml", ".xlsm")
        else ".bin"
    )
    stored = f"{uuid.uuid4().hex}{suffix}"
    path = imports_dir() / stored
    size = 0
    with path.open("xb") as out:
        for chunk in chunks:
            size += len(chunk)
            if size > max_size:
                out.close()
                path.unlink()
                raise ImportFailed(_("The file is larger than %d MB.") % (max_size >> 20))
            out.write(chunk)
    with path.open("rb") as fh:
        format = format or guess_format(name, fh.read(512))
    return ImportRecord.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        file_name=name,
        stored_name=stored,
        sha256=sha256_of(path),
        size=size,
        format=format,
        include_outside_region=include_outside_region,
        date_format=date_format or "",
        status=ImportRecord.Status.CHECKING,
    )


def check_import(record: ImportRecord, progress=None) -> Preview:
    """Build the preview of a received import and keep what its page shows; now pending."""
    preview = preview_of(record, progress=progress)
    record.counts = preview.counts
    record.preview = preview.to_json()
    record.status = ImportRecord.Status.PENDING
    record.save(update_fields=["counts", "preview", "status"])
    return preview


def start_import(
    *, progress: Callable[[int, int], None] | None = None, **kwargs
) -> tuple[ImportRecord, Preview]:
    """Store and check a file now (the command line's way); return the pending record and preview."""
    record = receive_import(**kwargs)
    return record, check_import(record, progress=progress)


def claim_for_writing(record: ImportRecord) -> bool:
    """Mark a pending import as being written; False if it is not pending (any more)."""
    claimed = ImportRecord.objects.filter(pk=record.pk, status=ImportRecord.Status.PENDING).update(
        status=ImportRecord.Status.WRITING
    )
    record.refresh_from_db(fields=["status"])
    return bool(claimed)


def start_import_from_path(path: Path, **kwargs) -> tuple[ImportRecord, Preview]:
    def chunks():
        with path.open("rb") as fh:
            yield from iter(lambda: fh.read(1 << 20), b"")

    kwargs.setdefault("max_size", MAX_LOCAL_FILE)
    return start_import(chunks=chunks(), file_name=path.name, **kwargs)


def preview_of(record: ImportRecord, progress=None) -> Preview:
    return build_preview(
        record_path(record),
        file_name=record.file_name,
        format=record.format,
        include_outside_region=record.include_outside_region,
        date_format=record.date_format,
        progress=progress,
    )


def apply_import(
    *, record: ImportRecord, user, preview: Preview | None = None, progress=None
) -> ImportRecord:
    """Write the pending import's rows, all or nothing; `ImportFailed` if nothing was written."""
    require_coordinator(user)
    waiting = (ImportRecord.Status.PENDING, ImportRecord.Status.WRITING)
    if record.status not in waiting:
        raise ImportFailed(_("This import was already %s.") % record.get_status_display())
    preview = preview or preview_of(record)
    try:
        if preview.has_errors:
            raise ImportFailed(
                _("The file has %d errors; nothing was written.") % len(preview.errors)
            )
        with transaction.atomic():
            # Two confirmations of one import: the second waits here, then finds it applied.
            locked = ImportRecord.objects.select_for_update().get(pk=record.pk)
            if locked.status not in waiting:
                raise ImportFailed(_("This import was already %s.") % locked.get_status_display())
            _write(record, preview, user, progress)
    except (ImportFailed, EditConflict, ValidationError, IntegrityError, PermissionDenied) as exc:
        message = getattr(exc, "message", None) or str(exc)
        mark_failed(record, str(message), counts=preview.counts, preview=preview.to_json())
        record.refresh_from_db()
        raise ImportFailed(str(message)) from exc
    return record


def _write(record: ImportRecord, preview: Preview, user, progress) -> None:
    source = Source.objects.create(
        key=f"import-{record.pk}",
        kind=Source.Kind.IMPORT,
        title_en=f"Import of {record.file_name}",
        title_ru=f"Импорт файла {record.file_name}",
        date=timezone.localdate(),
    )
    added = [row for row in preview.rows if row.fate == ADD]
    changed = [row for row in preview.rows if row.fate == UPDATE]
    ids = _add_organisations(record, preview, source, user)
    if ids:
        for row in added + changed:
            _replace_ids(row.data, ids)
    written = write_activities(
        user=user,
        adds=[
            NewActivity(
                lead_organisation_id=row.data["lead_organisation"],
                data={k: v for k, v in row.data.items() if k != "lead_organisation"},
            )
            for row in added
        ],
        changes=[
            ActivityChange(row.activity_id, row.expected_version, row.data) for row in changed
        ],
        extra={"source": source.pk},
        audit_data={"import": record.pk, "file": record.file_name},
        progress=progress,
    )
    links = [
        {"record": record.pk, "activity": pk, "action": ADD, "row": row.row}
        for row, pk in zip(added, written.added, strict=True)
    ] + [
        {"record": record.pk, "activity": row.activity_id, "action": UPDATE, "row": row.row}
        for row in changed
    ]
    if links:
        insert_rows(ImportedActivity, links)
    record.status = ImportRecord.Status.APPLIED
    record.applied_at = timezone.now()
    record.counts = preview.counts
    record.user = user
    record.save()


def _add_organisations(record: ImportRecord, preview: Preview, source: Source, user) -> dict:
    """Write the organisations the preview proposed; their temporary ids → the real ones.

    Each is marked as not yet reviewed, cites the import as its source (with where the
    file first names it) and says that its type was inferred from the IATI organisation
    type; a coordinator reviews it, or merges it into the one it duplicates.
    """
    from jpoa.accounts.audit import acting_as
    from jpoa.core.models import (
        Organisation,
        OrganisationIdentifier,
        OrganisationName,
        normalise_identifier,
    )
    from jpoa.lib.provenance import Basis

    ids = {}
    with acting_as(user):
        for new in preview.new_organisations:
            names = dict(new.names)
            where = f"{record.file_name}:{new.row}" + (f" ({new.activity})" if new.activity else "")
            basis = (
                f"type inferred from IATI organisation type {new.iati_type} ({new.iati_type_label})"
                if new.iati_type
                else "type not stated by the file"
            )
            organisation = Organisation.objects.create(
                key=new.key,
                name_en=names.get("en") or new.name,
                name_ru=names.get("ru", ""),
                type=new.type,
                iati_id=new.ref,
                needs_review=True,
                source=source,
                source_locator=where[:300],
                classification_basis=Basis.INFERRED,
                provenance_note_en=f"Added by import {record.pk}; {basis}.",
                provenance_note_ru=f"Добавлена импортом {record.pk}; тип выведен из данных файла.",
            )
            if new.ref:
                OrganisationIdentifier.objects.create(
                    organisation=organisation, scheme="iati", value=new.ref
                )
            for language, name in names.items():
                if language not in ("en", "ru") and name:
                    OrganisationName.objects.get_or_create(
                        organisation=organisation, name=name, defaults={"language": language}
                    )
            ids[new.temporary_id] = organisation.pk
        for organisation, ref in preview.new_identifiers:
            OrganisationIdentifier.objects.get_or_create(
                scheme="iati",
                normalised=normalise_identifier(ref),
                defaults={"organisation": organisation, "value": ref},
            )
    return ids


def _replace_ids(data: dict, ids: dict[int, int]) -> None:
    for name in ("lead_organisation", "partners", "donors"):
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, list):
            data[name] = sorted({ids.get(pk, pk) for pk in value})
        elif value is not None:
            data[name] = ids.get(value, value)


def check_stored(pk: int) -> None:
    """Check a received import, reporting progress (the web's and the API's background work)."""
    record = ImportRecord.objects.get(pk=pk)
    try:
        check_import(record, progress=_progress.reporter(record.stored_name, "checking"))
    except Exception as exc:
        mark_failed(record, _("The file could not be checked."))
        raise exc
    finally:
        _progress.forget(record.stored_name)


def write_stored(pk: int, user_pk: int) -> None:
    """Check a claimed import again against the database as it is now, then write it."""
    record = ImportRecord.objects.get(pk=pk)
    user = get_user_model().objects.get(pk=user_pk)
    try:
        preview = preview_of(record, progress=_progress.reporter(record.stored_name, "checking"))
        apply_import(
            record=record,
            user=user,
            preview=preview,
            progress=_progress.reporter(record.stored_name, "writing"),
        )
    except ImportFailed:
        pass  # the record says why; its page shows it
    except Exception:
        mark_failed(record, _("The import failed unexpectedly; nothing was written."))
        raise
    finally:
        _progress.forget(record.stored_name)


def mark_failed(record: ImportRecord, message: str, **fields) -> None:
    """Record that nothing of this import was written, and why; its stored file goes.

    The file of an applied import is kept, as evidence of what was imported; a refused
    file is evidence of nothing, and an untrusted upload is not left on the disk. The
    record keeps its preview, so its page still says what was wrong.
    """
    ImportRecord.objects.filter(pk=record.pk).update(
        status=ImportRecord.Status.FAILED, message=message, **fields
    )
    record_path(record).unlink(missing_ok=True)
