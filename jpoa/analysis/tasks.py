"""Donor reports asked for on the web, written by a task (`jpoa worker`, jpoa.lib.tasks).

A report over a phase reads every event, finding and published activity of it and, as
a PDF, lays out charts: seconds to a minute, longer than a page should wait. The
coordinator asks for it, the task writes the file into `settings.REPORTS_DIR`, and the
reports page shows the request waiting, running, then the file to download.
"""

import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django_tasks import task

from jpoa.lib.tasks import enqueue_for

from .models import ReportRequest
from .report import RENDERERS, build_report


def reports_dir() -> Path:
    path = Path(settings.REPORTS_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


@task()
def write_report_task(request_pk: int) -> None:
    """Write the report that REQUEST asked for; the request records the file, or why not."""
    request = ReportRequest.objects.get(pk=request_pk)
    try:
        with translation.override(request.language):
            report = build_report(
                phase=request.phase, date_from=request.date_from, date_to=request.date_to
            )
            content = RENDERERS[request.format](report)
            period = str(report.period)
    except Exception as exc:
        request.error = str(exc) or type(exc).__name__
        request.finished_at = timezone.now()
        request.save(update_fields=["error", "finished_at"])
        raise
    name = f"report-{request.pk}.{request.format}"
    temporary = reports_dir() / f".{name}.tmp"
    temporary.write_bytes(content)
    os.replace(temporary, reports_dir() / name)  # a reader never sees half a file
    request.file_name, request.size, request.period = name, len(content), period[:100]
    request.finished_at = timezone.now()
    request.save(update_fields=["file_name", "size", "period", "finished_at"])


def start_report(request: ReportRequest) -> None:
    """Queue the writing of a report request; the request remembers its task."""
    enqueue_for(request, "task_id", write_report_task, request.pk)
