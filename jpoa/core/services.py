"""Changes to organisations that the back office makes: review an imported one, merge two.

Both are coordinators' work, run in one transaction and leave their trace in the audit
trail (every moved link is logged by auditlog as it is saved, with the coordinator as
actor; the merge itself is one more entry on the organisation kept, holding what the
other one was).
"""

from auditlog.models import LogEntry
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.db.models.deletion import ProtectedError
from django.utils.translation import gettext as _

from jpoa.accounts.access import require_coordinator
from jpoa.accounts.audit import acting_as

from .models import Organisation, OrganisationIdentifier, OrganisationName, normalise_identifier

# Published editions never change: what they recorded of an organisation stays as it was.
FROZEN = {"matrix.EditionFact", "matrix.EditionItemFact"}


class MergeRefused(Exception):
    """Nothing was changed; the message says why."""


def organisations_review(*, user, organisations) -> int:
    """Mark imported organisations as checked by a coordinator; return how many changed."""

    require_coordinator(user)
    changed = 0
    with transaction.atomic(), acting_as(user):
        for organisation in organisations:
            if organisation.needs_review:
                organisation.needs_review = False
                organisation.save(update_fields=["needs_review"])  # audited
                changed += 1
    return changed


def organisation_merge(*, user, keep: Organisation, absorb: Organisation) -> Organisation:
    """Make ``absorb`` part of ``keep``: its activities, events, identifiers, names and every
    other link move to ``keep``, then ``absorb`` is deleted. All or nothing, audited.

    Refused when a published edition names ``absorb`` (editions never change): merge the
    other way round then.
    """

    require_coordinator(user)
    if keep.pk == absorb.pk:
        raise MergeRefused(_("An organisation cannot be merged into itself."))
    snapshot = _snapshot(absorb)
    try:
        with transaction.atomic(), acting_as(user):
            keep = Organisation.objects.select_for_update().get(pk=keep.pk)
            absorb = Organisation.objects.select_for_update().get(pk=absorb.pk)
            moved = _move_links(absorb, keep)
            _keep_names_and_identifiers(absorb, keep)
            absorb.delete()
            LogEntry.objects.log_create(
                keep,
                force_log=True,
                action=LogEntry.Action.UPDATE,
                changes={"merged": [snapshot["label"], str(keep)]},
                additional_data={"merged_organisation": snapshot, "moved": moved},
            )
    except ProtectedError as exc:
        kinds = sorted(
            str(_("published editions"))
            if o._meta.label in FROZEN
            else str(o._meta.verbose_name_plural)
            for o in exc.protected_objects
        )
        kinds = list(dict.fromkeys(kinds))
        raise MergeRefused(
            _(
                "%(org)s is named by %(what)s, which never change; merge the other way round "
                "(keep %(org)s)."
            )
            % {"org": absorb, "what": ", ".join(kinds)}
        ) from None
    except IntegrityError:  # after ProtectedError, which is one
        # e.g. both answer the same update round: one record each, which cannot become two
        # records of one organisation.
        raise MergeRefused(
            _(
                "%(absorb)s and %(keep)s each have a record that an organisation may have only "
                "once (such as an answer to the same update round); resolve it first."
            )
            % {"absorb": absorb, "keep": keep}
        ) from None
    return keep


def _snapshot(organisation: Organisation) -> dict:
    return {
        "id": organisation.pk,
        "key": organisation.key,
        "label": organisation.label,
        "names": {"en": organisation.name_en, "ru": organisation.name_ru},
        "acronyms": {"en": organisation.acronym_en, "ru": organisation.acronym_ru},
        "type": organisation.type,
        "iati_id": organisation.iati_id,
        "identifiers": list(organisation.identifiers.values_list("scheme", "value")),
        "source": organisation.source_id,
        "needs_review": organisation.needs_review,
    }


def _move_links(absorb: Organisation, keep: Organisation) -> dict[str, int]:
    """Point every record that names ``absorb`` at ``keep``; how many, by model and field."""
    moved: dict[str, int] = {}
    for relation in Organisation._meta.related_objects:
        model = relation.related_model
        if model._meta.label in FROZEN or model in (OrganisationIdentifier, OrganisationName):
            continue
        name = relation.field.name
        label = f"{model._meta.label}.{name}"
        if relation.many_to_many:
            count = 0
            for obj in model._default_manager.filter(**{name: absorb}):
                manager = getattr(obj, name)
                manager.remove(absorb)  # each change logged by auditlog's m2m signals
                manager.add(keep)
                _bump_version(obj)
                count += 1
        else:
            count = 0
            for obj in model._default_manager.filter(**{name: absorb}):
                if obj.pk == keep.pk:  # ``keep`` was a child of ``absorb``
                    setattr(obj, name, None)
                else:
                    setattr(obj, name, keep)
                obj.save(update_fields=[name])
                _bump_version(obj)
                count += 1
        if count:
            moved[label] = count
    _drop_self_partnerships(keep)
    return moved


def _bump_version(obj: models.Model) -> None:
    """A record edited in a form opened before the merge is then refused, not overwritten."""
    if any(f.name == "version" for f in obj._meta.concrete_fields):
        type(obj)._default_manager.filter(pk=obj.pk).update(version=F("version") + 1)


def _drop_self_partnerships(keep: Organisation) -> None:
    """An activity led by ``keep`` no longer lists it as its own partner."""
    for activity in keep.led_activities.filter(partners=keep):
        activity.partners.remove(keep)


def _keep_names_and_identifiers(absorb: Organisation, keep: Organisation) -> None:
    for identifier in absorb.identifiers.all():
        identifier.organisation = keep
        identifier.save()
    if absorb.iati_id:
        normalised = normalise_identifier(absorb.iati_id)
        if not OrganisationIdentifier.objects.filter(scheme="iati", normalised=normalised).exists():
            OrganisationIdentifier.objects.create(
                organisation=keep, scheme="iati", value=absorb.iati_id
            )
        if not keep.iati_id:
            keep.iati_id = absorb.iati_id
            keep.save(update_fields=["iati_id"])
    known = {
        n.casefold() for n in (keep.name_en, keep.name_ru, keep.acronym_en, keep.acronym_ru) if n
    }
    known |= {n.casefold() for n in keep.other_names.values_list("name", flat=True)}
    names = [(absorb.name_en, "en"), (absorb.name_ru, "ru")]
    names += [(absorb.acronym_en, "en"), (absorb.acronym_ru, "ru")]
    names += list(absorb.other_names.values_list("name", "language"))
    for name, language in names:
        if name and name.casefold() not in known:
            known.add(name.casefold())
            OrganisationName.objects.create(organisation=keep, name=name, language=language or "")
