"""The small forms of a round's pages (the proposal form is in `proposals`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jpoa.matrix.editing import DATE_INPUT

from .models import MessagePreference


class OpenRoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE_INPUT)
    reminder_days = forms.IntegerField(
        label=_("Reminder, days ahead"),
        min_value=0,
        max_value=60,
        initial=7,
        required=False,
        help_text=_(
            "Those who have not answered are reminded this many days before the deadline, "
            "again on the day, and once it is overdue. 0: on the day only."
        ),
    )

    def clean_reminder_days(self) -> int:
        days = self.cleaned_data.get("reminder_days")
        return 7 if days is None else days


class ExtendForm(forms.Form):
    deadline = forms.DateField(label=_("New deadline"), widget=DATE_INPUT)


class EndForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the organisations are told)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReopenForm(forms.Form):
    comment = forms.CharField(
        label=_("Note to the organisation (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PublishForm(forms.Form):
    title = forms.CharField(
        label=_("Title of the edition"),
        max_length=300,
        help_text=_("For example: “The matrix as of October 2015”."),
    )
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("The date the edition describes; empty: today."),
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the organisation fix?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class VersionForm(forms.Form):
    """The proposal's version the focal point loaded, for confirm, end and discard buttons."""

    proposal_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    activity_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Your filled-in workbook (XLSX)"),
        help_text=_(
            "The workbook downloaded above, filled in. Nothing changes before you "
            "confirm what it proposes."
        ),
    )


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = MessagePreference
        fields = ("language", "frequency")
        widgets = {"frequency": forms.RadioSelect}
