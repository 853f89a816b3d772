"""Keep an uploaded file as a pending import, and apply it: all rows or none.

`start_import` stores the file in the data directory (under a name jpoa chooses,
never the uploader's) with a pending `ImportRecord`. `apply_import` builds the
preview again from that file, so what is written is validated against the
database as it is now, then writes every row through the editor's own services
(`create_activity`, `update_activity`: permission, version check and audit with
the importing user as actor) in one transaction. A row error, an edit conflict or
any failure rolls everything back and marks the record failed.
"""

import hashlib
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from jpoa.accounts.access import require_coordinator
from jpoa.core.models import Organisation, Source
from jpoa.matrix.editing import EditConflict, create_activity, update_activity

from .models import ImportedActivity, ImportRecord
from .preview import ADD, UPDATE, Preview, build_preview
from .readers import guess_format

MAX_UPLOAD = 20 * 1024 * 1024


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


def start_import(
    *,
    chunks,
    file_name: str,
    user,
    format: str | None = None,
    include_outside_region: bool = False,
    check_permission: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[ImportRecord, Preview]:
    """Store the file's bytes (an iterable of chunks) as a pending import; return its preview."""
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
            if size > MAX_UPLOAD:
                out.close()
                path.unlink()
                raise ImportFailed(_("The file is larger than %d MB.") % (MAX_UPLOAD >> 20))
            out.write(chunk)
    with path.open("rb") as fh:
        format = format or guess_format(name, fh.read(512))
    preview = build_preview(
        path,
        file_name=name,
        format=format,
        include_outside_region=include_outside_region,
        progress=progress,
    )
    record = ImportRecord.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        file_name=name,
        stored_name=stored,
        sha256=sha256_of(path),
        size=size,
        format=format,
        include_outside_region=include_outside_region,
        counts=preview.counts,
    )
    return record, preview


def start_import_from_path(path: Path, **kwargs) -> tuple[ImportRecord, Preview]:
    def chunks():
        with path.open("rb") as fh:
            yield from iter(lambda: fh.read(1 << 20), b"")

    return start_import(chunks=chunks(), file_name=path.name, **kwargs)


def preview_of(record: ImportRecord, progress=None) -> Preview:
    return build_preview(
        record_path(record),
        file_name=record.file_name,
        format=record.format,
        include_outside_region=record.include_outside_region,
        progress=progress,
    )


def apply_import(
    *, record: ImportRecord, user, preview: Preview | None = None, progress=None
) -> ImportRecord:
    """Write the pending import's rows, all or nothing; `ImportFailed` if nothing was written."""
    require_coordinator(user)
    if record.status != ImportRecord.Status.PENDING:
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
            if locked.status != ImportRecord.Status.PENDING:
                raise ImportFailed(_("This import was already %s.") % locked.get_status_display())
            _write(record, preview, user, progress)
    except (ImportFailed, EditConflict, ValidationError, IntegrityError, PermissionDenied) as exc:
        message = getattr(exc, "message", None) or str(exc)
        ImportRecord.objects.filter(pk=record.pk).update(
            status=ImportRecord.Status.FAILED, message=str(message), counts=preview.counts
        )
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
    organisations = Organisation.objects.in_bulk()
    links = []
    total = len(preview.rows)
    for n, row in enumerate(preview.rows, 1):
        if row.fate == ADD:
            data = dict(row.data)
            lead = organisations[data.pop("lead_organisation")]
            data["source"] = source.pk
            activity = create_activity(lead_organisation=lead, data=data, user=user)
            links.append(
                ImportedActivity(record=record, activity=activity, action=ADD, row=row.row)
            )
        elif row.fate == UPDATE:
            update_activity(
                activity_id=row.activity_id,
                data=row.data,
                expected_version=row.expected_version,
                user=user,
            )
            links.append(
                ImportedActivity(
                    record=record, activity_id=row.activity_id, action=UPDATE, row=row.row
                )
            )
        if progress and (n % 500 == 0 or n == total):
            progress(n, total)
    ImportedActivity.objects.bulk_create(links)
    record.status = ImportRecord.Status.APPLIED
    record.applied_at = timezone.now()
    record.counts = preview.counts
    record.user = user
    record.save()


def discard_file(record: ImportRecord) -> None:
    """Remove a stored upload (kept by default, as evidence of what was imported)."""
    path = record_path(record)
    if path.exists():
        path.unlink()
