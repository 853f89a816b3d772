"""Long work as tasks: what the rest of jpoa needs to know of django-tasks.

Work started from the web that may take longer than a request should (checking and
writing an import of 100,000 rows, publishing an edition of a million activities) is
a task: a row in the database (django-tasks-db) that `jpoa worker` runs. A task
queued while no worker runs waits for one, and a restart of the web server or of the
worker loses nothing: `requeue_interrupted` puts back the work a stopped worker left
half done. Every such task is one database transaction, so it left nothing behind.

The tests run tasks at once, in the request (django-tasks' immediate backend).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks.exceptions import TaskResultDoesNotExist

logger = logging.getLogger(__name__)

WAIT_BEFORE_WARNING = timedelta(minutes=2)

LABELS = {
    TaskResultStatus.READY: _("waiting to start"),
    TaskResultStatus.RUNNING: _("running"),
    TaskResultStatus.SUCCESSFUL: _("done"),
    TaskResultStatus.FAILED: _("failed"),
}


@dataclass(frozen=True)
class TaskState:
    """Where a queued piece of work stands, as a page shows it."""

    status: str  # a TaskResultStatus value
    enqueued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def label(self) -> str:
        return str(LABELS.get(self.status, self.status))

    @property
    def waiting(self) -> bool:
        return self.status == TaskResultStatus.READY

    @property
    def overdue(self) -> bool:
        """Waiting so long that the worker is probably not running."""
        return (
            self.waiting
            and self.enqueued_at is not None
            and timezone.now() - self.enqueued_at > WAIT_BEFORE_WARNING
        )

    @property
    def finished(self) -> bool:
        return self.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


def enqueue_for(record, field: str, work, *args):
    """Queue WORK(*args) and keep its id in RECORD's FIELD, by which the record's page
    follows the task (`state_of`). In the tests the task has run by the time this returns."""
    result = work.enqueue(*args)
    type(record).objects.filter(pk=record.pk).update(**{field: str(result.id)})
    return result


def state_of(task_id: str) -> TaskState | None:
    """The state of the task with this id, or None if there is no such task (any more)."""
    if not task_id:
        return None
    try:
        result = default_task_backend.get_result(task_id)
    except (TaskResultDoesNotExist, NotImplementedError, ValueError):
        return None
    return TaskState(
        status=result.status,
        enqueued_at=result.enqueued_at,
        started_at=result.started_at,
        finished_at=result.finished_at,
    )


def requeue_interrupted() -> int:
    """Queue again the tasks a worker was running when it stopped; how many there were."""
    from django_tasks_db.models import DBTaskResult

    interrupted = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    count = interrupted.update(status=TaskResultStatus.READY, started_at=None)
    if count:
        logger.warning("%s interrupted task(s) queued again", count)
    return count
