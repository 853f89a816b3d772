from modeltranslation.translator import TranslationOptions, register

from .models import ActionItem, Participation, Phase, Pillar, Plan, PlanVersion, Strategy


@register(Strategy)
class StrategyTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Pillar)
class PillarTranslation(TranslationOptions):
    fields = ("short_title", "title")


@register(Plan)
class PlanTranslation(TranslationOptions):
    fields = ("title", "short_title", "region", "description")


@register(PlanVersion)
class PlanVersionTranslation(TranslationOptions):
    fields = ("adopted_at", "notes")


@register(ActionItem)
class ActionItemTranslation(TranslationOptions):
    fields = ("title", "text")


@register(Participation)
class ParticipationTranslation(TranslationOptions):
    fields = ("place",)


@register(Phase)
class PhaseTranslation(TranslationOptions):
    fields = ("title", "description", "end_note")
