from django import template

from jpoa.analysis.classify import Suggestion, suggest_classification

register = template.Library()


@register.simple_tag
def classification_suggestions(activity) -> list[Suggestion]:
    """Pillars suggested for an activity that has none yet (empty for one that has)."""
    if activity is None or activity.pk is None or activity.pillars.exists():
        return []
    text = " ".join(
        filter(
            None,
            (
                activity.title_en,
                activity.title_ru,
                activity.description_en,
                activity.description_ru,
            ),
        )
    )
    return suggest_classification(text)
