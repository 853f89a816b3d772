"""Internal fields: what the team writes for itself and jpoa never publishes.

This is where they are all known: declared below, or by the app that owns a registry
of its fields (`declare_internal`, called from its `ready()`: the matrix declares the
activity's internal fields from `jpoa.matrix.fields`). Every public output (pages, the API,
exports, the data set, search, the static site) is built from explicit lists of
public fields, so an internal field stays out by construction;
``tests/security/test_internal_fields.py`` puts a marker in each field declared
here and checks that no public output contains it. The system check below makes
a new field whose name says it is internal fail until it is declared here.
"""

from django.apps import apps
from django.core import checks
from django.core.exceptions import FieldDoesNotExist

INTERNAL_FIELDS: dict[str, tuple[str, ...]] = {
    "events.Event": ("internal_notes",),
    "events.Finding": ("internal_notes",),
}

# A field named so is meant for the team only and must be declared above.
INTERNAL_NAME_PREFIXES = ("internal", "contact")


def declare_internal(label: str, names: tuple[str, ...]) -> None:
    """Declare the internal fields of model LABEL ("app.Model") from its app's own registry."""
    INTERNAL_FIELDS[label] = tuple(names)


def internal_fields(model) -> tuple[str, ...]:
    return INTERNAL_FIELDS.get(model._meta.label, ())


@checks.register()
def check_internal_fields(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []
    for label, names in INTERNAL_FIELDS.items():
        model = apps.get_model(label)
        for name in names:
            try:
                model._meta.get_field(name)
            except FieldDoesNotExist:
                errors.append(
                    checks.Error(
                        f"{label}.{name} is declared internal but does not exist", id="jpoa.E101"
                    )
                )
    for model in apps.get_models():
        if not model.__module__.startswith("jpoa."):
            continue
        for field in model._meta.concrete_fields:
            if field.name.startswith(INTERNAL_NAME_PREFIXES) and field.name not in internal_fields(
                model
            ):
                errors.append(
                    checks.Error(
                        f"{model._meta.label}.{field.name} looks internal but is not in "
                        "jpoa.accounts.internal.INTERNAL_FIELDS",
                        hint="Declare it there or in its app's field registry (never published), or rename it.",
                        id="jpoa.E102",
                    )
                )
    return errors
