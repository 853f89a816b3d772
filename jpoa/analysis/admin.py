from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from jpoa.accounts.access import is_coordinator
from jpoa.plan.models import Phase

from .models import OverlapDismissal
from .report import FORMATS, RENDERERS, ReportError, build_report


class ReportForm(forms.Form):
    phase = forms.ModelChoiceField(
        Phase.objects.order_by("number"), required=False, label=_("phase")
    )
    date_from = forms.DateField(label=_("from"), required=False, help_text=_("YYYY-MM-DD"))
    date_to = forms.DateField(label=_("to"), required=False, help_text=_("YYYY-MM-DD"))
    format = forms.ChoiceField(choices=[(f, f.upper()) for f in RENDERERS], label=_("format"))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phase") and not (cleaned.get("date_from") and cleaned.get("date_to")):
            raise forms.ValidationError(_("Choose a phase, or give both dates."))
        return cleaned


@admin.register(OverlapDismissal)
class OverlapDismissalAdmin(admin.ModelAdmin):
    """Dismissed overlap suggestions; a dismissal is undone by deleting it here."""

    change_list_template = "admin/analysis/overlapdismissal/change_list.html"
    list_display = ("first_key", "second_key", "dismissed_by", "dismissed_at", "reason")
    readonly_fields = ("first_key", "second_key", "dismissed_by", "dismissed_at")
    search_fields = ("=first_key", "=second_key")

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        report = self.admin_site.admin_view(self.report_view)
        return [path("report/", report, name="analysis_report"), *super().get_urls()]

    def report_view(self, request):
        """The donor progress report, for coordinators: the same function as `jpoa report`."""
        if not is_coordinator(request.user):
            raise PermissionDenied
        form = ReportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                report = build_report(
                    phase=data["phase"], date_from=data["date_from"], date_to=data["date_to"]
                )
            except ReportError as exc:
                form.add_error(None, str(exc))
            else:
                name = f"progress-report.{data['format']}"
                response = HttpResponse(RENDERERS[data["format"]](report), FORMATS[data["format"]])
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
        context = {
            **self.admin_site.each_context(request),
            "title": _("Donor progress report"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/analysis/report.html", context)
