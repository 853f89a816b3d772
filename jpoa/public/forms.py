"""The timeline's filter: kind and pillar, read from the URL's query string."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jpoa.events.models import Event
from jpoa.plan.models import Pillar


class EventFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of event"), required=False)
    pillar = forms.TypedChoiceField(label=_("Pillar"), required=False, coerce=int, empty_value=None)

    def __init__(self, data, *, pillars: list[Pillar]):
        super().__init__(data)
        self.pillars = {p.number: p for p in pillars}
        self.fields["kind"].choices = [("", _("All kinds")), *Event.Kind.choices]
        self.fields["pillar"].choices = [("", _("All pillars"))] + [
            (p.number, f"{p.numeral}. {p.short_title}") for p in pillars
        ]

    def filters(self) -> dict:
        """The valid filters as keyword arguments of the timeline selector."""
        if not self.is_valid():
            return {}
        pillar = self.cleaned_data["pillar"]
        return {"kind": self.cleaned_data["kind"], "pillar": self.pillars.get(pillar)}
