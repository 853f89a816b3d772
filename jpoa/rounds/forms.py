"""The small forms of a round's pages (the proposal form is in `proposals`)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jpoa.matrix.editing import DATE_INPUT


class OpenRoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE_INPUT)


class PublishForm(forms.Form):
    title = forms.CharField(
        label=_("Title of the edition"),
        max_length=300,
        help_text=_("For example: “The matrix as of October 2015”."),
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the organisation fix?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class VersionForm(forms.Form):
    """The proposal's version the focal point loaded, for confirm, end and discard buttons."""

    proposal_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    activity_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
