"""Writes of the library: a file attached to one language version of a resource.

The web page, the back office and `jpoa library add-file` all call
`version_attach_file`, so an upload is checked, stored and indexed the same way
everywhere. Audit records come from django-auditlog (the file's name changes).
"""

import re

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from jpoa.accounts.access import require_coordinator

from .models import Resource, ResourceVersion
from .uploads import InspectedFile, UploadRejected, inspect_upload

LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")


def version_attach_file(
    *, resource: Resource, language: str, name: str, stream, size: int | None = None, user=None
) -> ResourceVersion:
    """Check an uploaded file and make it the `language` version of `resource`.

    `user` is the coordinator uploading on the web; None is the operator at the
    command line. Raises `UploadRejected` (nothing stored) for a file the library
    refuses, `PermissionDenied` for anyone but a coordinator.
    """
    if user is not None:
        require_coordinator(user)
    if not LANGUAGE_CODE.match(language):
        raise UploadRejected(_("A language is a two-letter ISO 639-1 code such as en or ru."))
    inspected = inspect_upload(name, stream, size)
    return _store(resource, language, inspected)


def _store(resource: Resource, language: str, inspected: InspectedFile) -> ResourceVersion:
    storage = ResourceVersion._meta.get_field("file").storage
    stored = ""
    try:
        with transaction.atomic():
            version, _created = ResourceVersion.objects.select_for_update().get_or_create(
                resource=resource, language=language
            )
            old = version.file.name if version.file else ""
            version.file.save(inspected.name, ContentFile(inspected.content), save=False)
            stored = version.file.name
            version.text = inspected.text
            version.save()
            if old and old != stored:
                transaction.on_commit(lambda: storage.delete(old))
    except Exception:
        # The database write failed: the file just stored must not stay behind.
        if stored:
            storage.delete(stored)
        raise
    return version
