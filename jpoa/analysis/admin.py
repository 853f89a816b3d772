from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jpoa.accounts.access import is_coordinator
from jpoa.lib.tasks import state_of
from jpoa.plan.models import Phase

from .models import OverlapDismissal, ReportRequest
from .report import FORMATS, RENDERERS
from .tasks import reports_dir, start_report


class ReportForm(forms.Form):
    phase = forms.ModelChoiceField(
        Phase.objects.order_by("number"), required=False, label=_("phase")
    )
    date_from = forms.DateField(label=_("from"), required=False, help_text=_("YYYY-MM-DD"))
    date_to = forms.DateField(label=_("to"), required=False, help_text=_("YYYY-MM-DD"))
    format = forms.ChoiceField(choices=[(f, f.upper()) for f in RENDERERS], label=_("format"))
    language = forms.ChoiceField(choices=settings.LANGUAGES, label=_("language"))

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if not cleaned.get("phase") and not (date_from and date_to):
            raise forms.ValidationError(_("Choose a phase, or give both dates."))
        if date_from and date_to and date_to < date_from:
            raise forms.ValidationError(_("The end date is before the start date."))
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
        download = self.admin_site.admin_view(self.report_download)
        return [
            path("report/", report, name="analysis_report"),
            path("report/<int:pk>/", download, name="analysis_report_download"),
            *super().get_urls(),
        ]

    def report_view(self, request):
        """The donor progress report, for coordinators: the same report as `jpoa report`,
        written by the task runner (`jpoa.analysis.tasks`) and listed here when done."""
        if not is_coordinator(request.user):
            raise PermissionDenied
        form = ReportForm(request.POST or None, initial={"language": get_language()})
        if request.method == "POST" and form.is_valid():
            start_report(
                ReportRequest.objects.create(**form.cleaned_data, requested_by=request.user)
            )
            messages.info(
                request,
                _("The report is being written; it appears below, ready to download, when done."),
            )
            return redirect("admin:analysis_report")
        requests = list(ReportRequest.objects.select_related("phase", "requested_by")[:20])
        for report in requests:
            report.task = None if report.done or report.failed else state_of(report.task_id)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Donor progress report"),
            "form": form,
            "opts": self.model._meta,
            "requests": requests,
            "pending": any(r.task is not None and not r.task.finished for r in requests),
        }
        return TemplateResponse(request, "admin/analysis/report.html", context)

    def report_download(self, request, pk: int):
        if not is_coordinator(request.user):
            raise PermissionDenied
        report = get_object_or_404(ReportRequest, pk=pk)
        path = reports_dir() / report.file_name
        if not report.done or not path.is_file():
            raise Http404
        return FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=f"progress-report.{report.format}",
            content_type=FORMATS[report.format],
        )
