"""Publishing an edition from the back office, as a task run by `jpoa worker` (jpoa.lib.tasks).

Publishing a million activities takes minutes: longer than a request may last. The
back office queues the publication and lists it, waiting or running, above the
editions until the new edition appears.
"""

import datetime

from django.contrib.auth import get_user_model
from django_tasks import TaskResultStatus, task

from .editions import publish_edition


@task()
def publish_edition_task(
    *, title: str, title_ru: str, as_of: str | None, notes: str, user_pk: int
) -> dict:
    """Publish the current activities as the next edition; its number and size."""
    edition = publish_edition(
        title=title,
        title_ru=title_ru,
        as_of=datetime.date.fromisoformat(as_of) if as_of else None,
        notes=notes,
        by=get_user_model().objects.get(pk=user_pk),
    )
    return {"number": edition.number, "activity_count": edition.activity_count}


def pending_publications() -> list:
    """The publications queued or running, oldest first (for the back office's list)."""
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.filter(
            task_path=publish_edition_task.module_path,
            status__in=(TaskResultStatus.READY, TaskResultStatus.RUNNING),
        ).order_by("enqueued_at")
    )
