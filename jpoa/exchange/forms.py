from django import forms
from django.utils.translation import gettext_lazy as _

from .apply import MAX_UPLOAD


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8), XLSX or IATI activity XML, up to 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.xml"}),
    )
    include_outside_region = forms.BooleanField(
        label=_("IATI: include activities outside the region"), required=False
    )
    date_format = forms.ChoiceField(
        label=_("Dates like 01/02/2024 are written"),
        choices=[
            ("", _("not stated: read day first, and warn")),
            ("DMY", _("day/month/year")),
            ("MDY", _("month/day/year")),
            ("ISO", _("only as YYYY-MM-DD")),
        ],
        required=False,
        help_text=_("ISO dates and real Excel dates are never ambiguous."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload
