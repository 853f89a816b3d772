"""Operations shared by migrations."""

from django.db import migrations
from django.db.models import F


def copy_into_english(app_label: str, model_names: list[str], field: str) -> migrations.RunPython:
    """When FIELD becomes translated, its existing text is the English version."""

    def forwards(apps, schema_editor):
        for name in model_names:
            model = apps.get_model(app_label, name)
            model.objects.filter(**{f"{field}_en__isnull": True}).update(
                **{f"{field}_en": F(field)}
            )

    return migrations.RunPython(forwards, migrations.RunPython.noop)
