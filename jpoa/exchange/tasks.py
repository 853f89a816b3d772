"""Imports started from the web or the API, as tasks run by `jpoa worker` (jpoa.lib.tasks).

The import's page follows the task: waiting for the worker, then the phase and the rows
done (jpoa.exchange.progress), then the outcome the record keeps.
"""

from django_tasks import task

from jpoa.lib.tasks import enqueue_for

from .apply import check_stored, write_stored
from .models import ImportRecord


@task()
def check_import_task(record_pk: int) -> None:
    check_stored(record_pk)


@task()
def write_import_task(record_pk: int, user_pk: int) -> None:
    write_stored(record_pk, user_pk)


def start_checking(record: ImportRecord) -> None:
    """Queue the check of a received import; the record remembers its task."""
    enqueue_for(record, "task_id", check_import_task, record.pk)


def start_writing(record: ImportRecord, *, user) -> None:
    """Queue the writing of a claimed import, as done by ``user``."""
    enqueue_for(record, "task_id", write_import_task, record.pk, user.pk)
