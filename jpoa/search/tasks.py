"""Indexing a newly published edition's activities, as a task run by `jpoa worker`.

Indexing a first edition of a million activities takes about a minute, as long as
publishing it; done inside the publication it would double the time an edition takes to
appear. The publication queues this task in its own transaction (so it is queued if and
only if the edition is published), and the worker indexes the activities as soon as the
edition is committed. Until then a search finds the activities of the edition before.
"""

from django_tasks import task

from . import index


@task()
def index_latest_edition() -> dict:
    """Index the latest edition's activities, unless that is done already; how many."""
    if not index.is_behind():
        return {"written": 0}
    return {"written": index.reindex_activities()}
