from modeltranslation.translator import TranslationOptions, register

from .models import Event, EventDocument, Finding, FindingStatusChange


@register(Event)
class EventTranslation(TranslationOptions):
    fields = ("title", "summary", "outcome", "city", "provenance_note")


@register(EventDocument)
class EventDocumentTranslation(TranslationOptions):
    fields = ("title",)


@register(Finding)
class FindingTranslation(TranslationOptions):
    fields = ("text", "provenance_note")


@register(FindingStatusChange)
class FindingStatusChangeTranslation(TranslationOptions):
    fields = ("explanation",)
