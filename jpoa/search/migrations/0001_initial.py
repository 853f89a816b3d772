import django.db.models.deletion
from django.db import migrations, models

from jpoa.search.migrations import _fts_v1


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Document",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("resource", "library resource"), ("activity", "activity"), ("event", "event"), ("finding", "finding"), ("plan_item", "plan item")], max_length=20, verbose_name="kind")),
                ("object_id", models.BigIntegerField(verbose_name="record id")),
                ("title_en", models.CharField(blank=True, max_length=600, verbose_name="title (English)")),
                ("title_ru", models.CharField(blank=True, max_length=600, verbose_name="title (Russian)")),
                ("text_en", models.TextField(blank=True, verbose_name="text (English)")),
                ("text_ru", models.TextField(blank=True, verbose_name="text (Russian)")),
                ("url_en", models.CharField(max_length=600, verbose_name="page (English)")),
                ("url_ru", models.CharField(max_length=600, verbose_name="page (Russian)")),
                ("title_stems", models.TextField(verbose_name="stems of the titles")),
                ("body_stems", models.TextField(verbose_name="stems of the texts")),
            ],
            options={
                "verbose_name": "search document",
                "verbose_name_plural": "search documents",
                "constraints": [models.UniqueConstraint(fields=("kind", "object_id"), name="search_document_record")],
            },
        ),
        migrations.CreateModel(
            name="Facet",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(choices=[("kind", "kind"), ("pillar", "pillar"), ("country", "country"), ("language", "language"), ("year", "year")], max_length=10, verbose_name="facet")),
                ("value", models.CharField(max_length=20, verbose_name="value")),
                ("document", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="facets", to="search.document")),
            ],
            options={
                "verbose_name": "search facet",
                "verbose_name_plural": "search facets",
                "indexes": [
                    models.Index(fields=["name", "value", "document"], name="search_facet_value"),
                    models.Index(fields=["document", "name", "value"], name="search_facet_document"),
                ],
            },
        ),
        # The database's own full-text index over the stems (FTS5 or tsvector + GIN).
        migrations.RunPython(
            _fts_v1.create_index, _fts_v1.drop_index, elidable=False
        ),
    ]
