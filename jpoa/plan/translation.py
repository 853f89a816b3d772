from modeltranslation.translator import TranslationOptions, register

from .models import (
    ActionItem,
    Framework,
    FrameworkArea,
    Participation,
    Phase,
    Pillar,
    Plan,
    PlanVersion,
    Strategy,
)


@register(Strategy)
class StrategyTranslation(TranslationOptions):
    fields = ("title", "description", "provenance_note")


@register(Pillar)
class PillarTranslation(TranslationOptions):
    fields = ("short_title", "title", "provenance_note")


@register(Plan)
class PlanTranslation(TranslationOptions):
    fields = ("title", "short_title", "region", "description", "provenance_note")


@register(PlanVersion)
class PlanVersionTranslation(TranslationOptions):
    fields = ("adopted_at", "notes", "provenance_note")


@register(ActionItem)
class ActionItemTranslation(TranslationOptions):
    fields = ("title", "text", "provenance_note")


@register(Participation)
class ParticipationTranslation(TranslationOptions):
    fields = ("place", "provenance_note")


@register(Phase)
class PhaseTranslation(TranslationOptions):
    fields = ("title", "description", "end_note", "provenance_note")


@register(Framework)
class FrameworkTranslation(TranslationOptions):
    fields = ("title", "short_title", "description", "provenance_note")


@register(FrameworkArea)
class FrameworkAreaTranslation(TranslationOptions):
    fields = ("title", "provenance_note")
