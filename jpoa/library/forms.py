"""The library's upload form, used by the coordinators' page and the back office alike."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import ResourceVersion
from .uploads import MB, UploadRejected, inspect_upload


def _help_text() -> str:
    return _("PDF, Word (DOCX) or HTML, up to %(limit)d MB. Its text is extracted for search.") % {
        "limit": settings.LIBRARY_UPLOAD_MAX_BYTES // MB
    }


def check_uploaded_file(upload):
    """The form field's check: the same as the service's, so errors show beside the field."""
    try:
        return inspect_upload(upload.name, upload, upload.size)
    except UploadRejected as exc:
        raise forms.ValidationError(str(exc), code="rejected") from None
    finally:
        upload.seek(0)


class VersionFileForm(forms.Form):
    """One language version's file, as a coordinator uploads it."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _help_text()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_uploaded_file(upload)
        return upload


class ResourceVersionAdminForm(forms.ModelForm):
    """The back office's version form: the file is checked like any other upload."""

    class Meta:
        model = ResourceVersion
        fields = ("language", "file", "url")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            inspected = check_uploaded_file(upload)
            upload.name = inspected.name
            self.extracted_text = inspected.text
        return upload

    def save(self, commit=True):
        version = super().save(commit=False)
        if hasattr(self, "extracted_text"):
            version.text = self.extracted_text
        elif not version.file:
            version.text = ""
        if commit:
            version.save()
        return version
