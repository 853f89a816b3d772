"""Proposed activity data: its JSON form, the focal point's form, and field-by-field differences.

A proposal keeps the activity's editable fields (`jpoa.matrix.fields.FOCAL_POINT_FIELDS`)
and its plan items (`ROUND_FIELDS`) as JSON: dates as ISO strings, the budget as a string, related records as sorted
primary keys. The same shape is built from the current activity, so that
comparing the two is comparing two dictionaries.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jpoa.core.models import Country, Organisation
from jpoa.matrix.editing import ActivityFormMixin
from jpoa.matrix.fields import FOCAL_POINT_FIELDS
from jpoa.matrix.models import Activity
from jpoa.plan.models import ActionItem, Pillar, Plan

# What a focal point proposes: the fields an organisation edits, and the plan items its
# activity serves (applied by the coordinator's publication, who may set them).
ROUND_FIELDS = (*FOCAL_POINT_FIELDS[:5], "action_items", *FOCAL_POINT_FIELDS[5:])

RELATED = {
    "pillars": Pillar,
    "action_items": ActionItem,
    "countries": Country,
    "partners": Organisation,
    "donors": Organisation,
}


TEXT_FIELDS = ("title_en", "title_ru", "description_en", "description_ru", "currency")


def _json_value(value: Any, name: str = "") -> Any:
    if name in TEXT_FIELDS:
        return value or ""  # a translation column may be NULL where a form gives ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def activity_data(activity: Activity) -> dict[str, Any]:
    """An activity's editable fields in the proposal's JSON shape."""
    data = {}
    for name in ROUND_FIELDS:
        if name in RELATED:
            data[name] = sorted(getattr(activity, name).values_list("pk", flat=True))
        else:
            data[name] = _json_value(getattr(activity, name), name)
    return data


def cleaned_to_data(cleaned: dict[str, Any]) -> dict[str, Any]:
    """A valid ProposalForm's values in the proposal's JSON shape."""
    data = {}
    for name in ROUND_FIELDS:
        value = cleaned.get(name)
        if name in RELATED:
            data[name] = sorted(obj.pk for obj in value or ())
        else:
            data[name] = _json_value(value, name)
    return data


def data_to_values(data: dict[str, Any]) -> dict[str, Any]:
    """Proposal data as model values, ready for `update_activity` or `create_activity`."""
    values = {}
    for name in ROUND_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in ("start_date", "end_date") and value:
            value = datetime.date.fromisoformat(value)
        elif name == "budget" and value is not None:
            value = Decimal(value)
        values[name] = value
    return values


@dataclass
class Difference:
    field: str
    label: str
    current: str
    proposed: str


def _display(name: str, value: Any) -> str:
    if name in RELATED:
        objs = RELATED[name].objects.filter(pk__in=value or [])
        return ", ".join(sorted(str(o) for o in objs)) or "—"
    if name == "status":
        return str(dict(Activity.Status.choices).get(value, value or "—"))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return "—" if value in (None, "") else str(value)


# Labels for the translated columns, which modeltranslation calls "title [en]".
FIELD_LABELS = {
    "title_en": _("Title in English"),
    "title_ru": _("Title in Russian"),
    "description_en": _("Description in English"),
    "description_ru": _("Description in Russian"),
}


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name) or Activity._meta.get_field(name).verbose_name)


def differences(
    current: dict[str, Any], proposed: dict[str, Any], *, skip_empty: bool = False
) -> list[Difference]:
    """The fields whose proposed value differs from the current one, in the form's order.

    With ``skip_empty`` (a new activity), fields left empty are not listed.
    """
    out = []
    for name in ROUND_FIELDS:
        if name in proposed and proposed[name] != current.get(name):
            if skip_empty and proposed[name] in (None, "", [], False):
                continue
            label = field_label(name)
            out.append(
                Difference(
                    name, label, _display(name, current.get(name)), _display(name, proposed[name])
                )
            )
    return out


class ProposalForm(ActivityFormMixin):
    """A focal point's form for one activity: the editor's fields and rules.

    ``proposal_version`` is the version of the proposal the focal point loaded
    (0 if none yet) and ``activity_version`` that of the activity: both are
    checked on save so that two focal points of one organisation cannot
    overwrite each other's proposal, nor a proposal an activity's later change.
    """

    proposal_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    activity_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = Activity
        fields = ROUND_FIELDS
        # Checkbox lists rather than multi-selects: usable without Ctrl-click or JavaScript.
        widgets = {
            "pillars": forms.CheckboxSelectMultiple,
            "action_items": forms.CheckboxSelectMultiple,
            "countries": forms.CheckboxSelectMultiple,
            "partners": forms.CheckboxSelectMultiple,
            "donors": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # modeltranslation labels the columns "Title [en]": say it in words.
        for name, label in FIELD_LABELS.items():
            if name in self.fields:
                self.fields[name].label = label
        for name in ("description_en", "description_ru"):
            if name in self.fields:
                self.fields[name].widget.attrs["rows"] = 4
        if "budget" in self.fields:
            self.fields["budget"].help_text = _("Leave empty if unknown; give the currency too.")
        self.fields["countries"].queryset = offered_countries(self.instance)
        self.fields["action_items"].queryset = offered_items()
        self.fields["action_items"].required = False
        if not self.fields["action_items"].queryset.exists():
            del self.fields["action_items"]  # the plan's items are not loaded: nothing to tick

    def clean(self):
        cleaned = super().clean()
        if "action_items" not in self.fields:  # not offered: the activity keeps its own
            instance = self.instance
            cleaned["action_items"] = list(instance.action_items.all()) if instance.pk else []
        return cleaned


def plan_of_round() -> Plan | None:
    """The plan whose states and items a round offers (the first, as the site presents it)."""
    return Plan.objects.order_by("pk").first()


def offered_countries(activity: Activity | None = None):
    """The plan's states, and any other country the activity already names (kept, not
    silently dropped); every country if no plan names its states."""
    plan = plan_of_round()
    countries = Country.objects.all()
    if plan is None or not plan.countries.exists():
        return countries
    keep = activity.countries.values("pk") if activity is not None and activity.pk else []
    return countries.filter(Q(pk__in=plan.countries.values("pk")) | Q(pk__in=keep)).distinct()


def offered_items():
    """The action items of the plan's versions."""
    plan = plan_of_round()
    items = ActionItem.objects.select_related("version", "pillar")
    return items.filter(version__plan=plan) if plan is not None else items.none()


def proposal_form(*, activity: Activity | None, proposal, organisation, data=None) -> ProposalForm:
    """The form for an activity (or a new one), filled from the proposal if there is one.

    It carries the activity's current version: the page warns when the
    proposal was written against an older one (`Proposal.is_stale`), and
    saving it again is the focal point's answer to that warning.
    """
    instance = activity or Activity(lead_organisation=organisation)
    initial = {
        "proposal_version": proposal.version if proposal else 0,
        "activity_version": activity.version if activity else None,
    }
    if proposal is not None and proposal.data:
        initial.update(proposal.data)
    return ProposalForm(data=data, instance=instance, initial=initial)
