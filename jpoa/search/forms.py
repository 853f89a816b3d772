from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .services import SearchFilters
from .text import MAX_QUERY_TERMS, MAX_WORD

MAX_QUERY = MAX_QUERY_TERMS * (MAX_WORD + 1)
FACET_VALUE = RegexValidator(r"^[A-Za-z0-9_]{1,20}$", _("Not a value of this filter."))


class SearchForm(forms.Form):
    """The query and filters of the search page, from the URL; a bad filter is ignored."""

    q = forms.CharField(label=_("Search for"), required=False, strip=True)
    kind = forms.CharField(required=False, validators=[FACET_VALUE])
    pillar = forms.CharField(required=False, validators=[FACET_VALUE])
    country = forms.CharField(required=False, validators=[FACET_VALUE])
    language = forms.CharField(required=False, validators=[FACET_VALUE])
    year = forms.CharField(required=False, validators=[FACET_VALUE])
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def clean_q(self) -> str:
        # A query longer than search reads is cut, not refused: its first words count.
        return self.cleaned_data["q"][:MAX_QUERY]

    def clean_country(self) -> str:
        return self.cleaned_data["country"].upper()

    def search_arguments(self) -> dict:
        """search()'s query, filters and page: what is valid of the request's."""
        self.is_valid()
        data = self.cleaned_data
        names = SearchFilters.__dataclass_fields__
        return {
            "query": data.get("q", ""),
            "filters": SearchFilters(**{name: data.get(name) or None for name in names}),
            "page": data.get("page") or 1,
        }
