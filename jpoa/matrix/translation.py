from modeltranslation.translator import TranslationOptions, register

from .models import Activity, Edition


@register(Activity)
class ActivityTranslation(TranslationOptions):
    fields = ("title", "description", "provenance_note")


@register(Edition)
class EditionTranslation(TranslationOptions):
    fields = ("title", "notes")
