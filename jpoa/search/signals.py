"""Keep the index current: records re-indexed once their change is committed.

A matrix edition's activities are indexed by a task that publishing it queues
(`jpoa.search.tasks`): the worker indexes them once the edition is committed.
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from jpoa.core.models import Organisation
from jpoa.events.models import Event, Finding
from jpoa.library.models import Resource, ResourceVersion
from jpoa.matrix.signals import edition_published
from jpoa.plan.models import ActionItem

from . import index
from .models import Document
from .tasks import index_latest_edition

KINDS = {
    Resource: Document.Kind.RESOURCE,
    Event: Document.Kind.EVENT,
    Finding: Document.Kind.FINDING,
    ActionItem: Document.Kind.PLAN_ITEM,
}


def _later(kind: str, pk: int) -> None:
    if not index.updates_suspended():
        transaction.on_commit(partial(index.refresh, kind, [pk]))


@receiver(post_save)
@receiver(post_delete)
def record_changed(sender, instance, **kwargs) -> None:
    if sender in KINDS:
        _later(KINDS[sender], instance.pk)
    elif sender is ResourceVersion:
        _later(Document.Kind.RESOURCE, instance.resource_id)


@receiver(m2m_changed)
def links_changed(sender, instance, action: str, **kwargs) -> None:
    # Pillars and countries are facets; a change of them is a change of the record.
    if action.startswith("post_") and type(instance) in KINDS:
        _later(KINDS[type(instance)], instance.pk)


@receiver(edition_published)
def edition_was_published(sender, edition, **kwargs) -> None:
    index_latest_edition.enqueue()


@receiver(post_save, sender=Organisation)
def organisation_changed(sender, instance, **kwargs) -> None:
    # An activity's document holds its lead organisation's names, and publishing keeps
    # the documents of unchanged activities: a renamed organisation is re-indexed here.
    if not index.updates_suspended():
        transaction.on_commit(partial(index.refresh_organisation_activities, instance.pk))
