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

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload
