from modeltranslation.translator import TranslationOptions, register

from .models import Country, Organisation, Source


@register(Source)
class SourceTranslation(TranslationOptions):
    fields = ("title", "citation")


@register(Country)
class CountryTranslation(TranslationOptions):
    fields = ("name",)


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    fields = ("acronym", "name", "description")
