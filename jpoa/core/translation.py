from modeltranslation.translator import TranslationOptions, register

from .models import Country, Organisation, Source


@register(Source)
class SourceTranslation(TranslationOptions):
    fields = ("title", "publisher", "citation")


@register(Country)
class CountryTranslation(TranslationOptions):
    fields = ("name", "provenance_note")


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    fields = ("acronym", "name", "description", "provenance_note")
