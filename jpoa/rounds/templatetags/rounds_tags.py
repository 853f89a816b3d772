"""Small helpers for the round pages' templates."""

from django import template

register = template.Library()


@register.filter
def fields_in_error(form) -> list:
    """The form's visible fields that have errors, in the form's order."""
    return [field for field in form.visible_fields() if field.errors]
