"""The public filters, read from the URL's query string: the timeline's and the findings'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jpoa.core.models import Country
from jpoa.events.models import Event, Finding
from jpoa.events.selectors import PAST, UPCOMING, EventFilters, FindingFilters
from jpoa.plan.models import Pillar, PlanVersion


def _pillar_choices(pillars: list[Pillar]) -> list[tuple]:
    return [("", _("All pillars"))] + [(p.number, f"{p.numeral}. {p.short_title}") for p in pillars]


def _country_choices(countries: list[Country]) -> list[tuple]:
    return [("", _("All countries"))] + [(c.iso2.lower(), c.name) for c in countries]


class EventFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of event"), required=False)
    pillar = forms.TypedChoiceField(label=_("Pillar"), required=False, coerce=int, empty_value=None)
    country = forms.ChoiceField(label=_("Country"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    when = forms.ChoiceField(
        label=_("Past or upcoming"),
        required=False,
        choices=[("", _("Past and upcoming")), (PAST, _("Past")), (UPCOMING, _("Upcoming"))],
    )

    def __init__(self, data, *, pillars: list[Pillar], countries=(), years=()):
        super().__init__(data)
        self.pillars = {p.number: p for p in pillars}
        self.countries = {c.iso2.lower(): c for c in countries}
        self.fields["kind"].choices = [("", _("All kinds")), *Event.Kind.choices]
        self.fields["pillar"].choices = _pillar_choices(pillars)
        self.fields["country"].choices = _country_choices(list(countries))
        self.fields["year"].choices = [("", _("All years"))] + [(y, str(y)) for y in years]

    def filters(self) -> dict:
        """The valid filters as keyword arguments of the timeline selector."""
        return {"filters": self.event_filters()}

    def event_filters(self) -> EventFilters:
        if not self.is_valid():
            return EventFilters()
        data = self.cleaned_data
        return EventFilters(
            kind=data["kind"],
            pillar=self.pillars.get(data["pillar"]),
            country=self.countries.get(data["country"]),
            year=data["year"],
            when=data["when"],
        )


class FindingFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    pillar = forms.TypedChoiceField(label=_("Pillar"), required=False, coerce=int, empty_value=None)
    country = forms.ChoiceField(label=_("Addressed to the state"), required=False)
    event = forms.ChoiceField(label=_("Raised at"), required=False)

    def __init__(self, data, *, pillars: list[Pillar], countries=(), events=()):
        super().__init__(data)
        self.pillars = {p.number: p for p in pillars}
        self.countries = {c.iso2.lower(): c for c in countries}
        self.events = {e.key: e for e in events}
        self.fields["kind"].choices = [("", _("All kinds")), *Finding.Kind.choices]
        self.fields["status"].choices = [("", _("All statuses")), *Finding.Status.choices]
        self.fields["pillar"].choices = _pillar_choices(pillars)
        self.fields["country"].choices = _country_choices(list(countries))
        self.fields["event"].choices = [("", _("All events"))] + [
            (e.key, f"{e.label}: {e.title}") for e in events
        ]

    def finding_filters(self) -> FindingFilters:
        if not self.is_valid():
            return FindingFilters()
        data = self.cleaned_data
        return FindingFilters(
            kind=data["kind"],
            status=data["status"],
            pillar=self.pillars.get(data["pillar"]),
            country=self.countries.get(data["country"]),
            event=self.events.get(data["event"]),
        )


class VersionCompareForm(forms.Form):
    """Two versions of the plan, by label: ?from=2011&to=2016."""

    def __init__(self, data, *, versions: list[PlanVersion]):
        super().__init__(data)
        choices = [(v.label, v.label) for v in versions]
        self.versions = {v.label: v for v in versions}
        # Unbound, the lists show the pair the page compares by default: the last two.
        initial = [v.label for v in versions[-2:]] if len(versions) > 1 else [None, None]
        self.fields["from"] = forms.ChoiceField(
            label=_("From version"), choices=choices, initial=initial[0]
        )
        self.fields["to"] = forms.ChoiceField(
            label=_("To version"), choices=choices, initial=initial[1]
        )

    def pair(self) -> tuple[PlanVersion, PlanVersion] | None:
        if not self.is_valid():
            return None
        return self.versions[self.cleaned_data["from"]], self.versions[self.cleaned_data["to"]]
