"""The audit trail: which models django-auditlog watches, and how.

Each domain app calls `register_app_models(self)` from its `AppConfig.ready()`,
so every model of the app is audited the same way: every create, update and
delete is logged with the acting user (set by `auditlog.middleware.AuditlogMiddleware`
for web requests) and the before/after of each changed field; additions to and
removals from every many-to-many relation are logged too.
"""

from auditlog.registry import auditlog
from django.apps import AppConfig
from django.db import models
from modeltranslation.translator import NotRegistered, translator

# Fields that change on their own or repeat another field: logging them is noise.
NOT_AUDITED = {
    "matrix.Activity": ("created_at", "updated_at", "start_year", "end_year"),
    # The text is extracted from the uploaded file, whose change is already logged.
    "library.ResourceVersion": ("text",),
}


def translated_originals(model: type[models.Model]) -> tuple[str, ...]:
    """The original names of a model's translated fields (``title`` for title_en/title_ru).

    Their values are those of the language of the request, so the per-language
    fields are audited instead: a change shows exactly which language changed.
    """
    try:
        return tuple(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return ()


def audit_options(model: type[models.Model]) -> dict:
    label = model._meta.label
    return {
        "exclude_fields": [*translated_originals(model), *NOT_AUDITED.get(label, ())],
        "m2m_fields": {field.name for field in model._meta.many_to_many},
    }


# Models not audited row by row: an edition's frozen rows are written in bulk by
# publish_edition and never change; the edition itself is audited (who, when).
NOT_AUDITED_MODELS = {
    "matrix.EditionEntry",
    "matrix.EditionFact",
    "matrix.EditionItemFact",
    "matrix.EditionAreaFact",
    "core.DatasetLoad",
}


def register_app_models(app_config: AppConfig) -> None:
    """Audit every concrete model of an app (idempotent)."""
    for model in app_config.get_models():
        if model._meta.label in NOT_AUDITED_MODELS:
            continue
        if not auditlog.contains(model):
            auditlog.register(model, **audit_options(model))
