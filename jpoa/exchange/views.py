"""Data in and out on the web: downloads of the published matrix, imports for coordinators."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jpoa.accounts.access import is_coordinator
from jpoa.lib.pagecache import cache_edition
from jpoa.lib.tasks import state_of
from jpoa.matrix import selectors
from jpoa.matrix.forms import MatrixFilterForm

from . import downloads as prepared_downloads
from . import exports, progress
from .apply import (
    ImportFailed,
    claim_for_writing,
    receive_import,
)
from .forms import UploadForm
from .models import ImportRecord
from .preview import FATE_LABELS
from .tasks import start_checking, start_writing


def downloads(request: HttpRequest) -> HttpResponse:
    edition = selectors.pick_edition(selectors.published_editions(), None)
    formats = [
        ("xlsx", _("Excel workbook: a cover sheet, one sheet per pillar, all activities")),
        ("csv", _("CSV with an HXL hashtag row")),
        ("json", _("JSON: the edition's activities")),
        (
            "parquet",
            _(
                "Parquet: one typed row per activity, for DuckDB, pandas or R arrow (lists as "
                "lists, dates as dates, nothing recorded as null)"
            ),
        ),
        (
            "datapackage",
            _("Frictionless data package (datapackage.json, CSV and Parquet, zipped)"),
        ),
    ]
    return render(request, "exchange/downloads.html", {"edition": edition, "formats": formats})


def matrix_download(request: HttpRequest, format: str) -> HttpResponse:
    """A published edition as a file, written once for all who ask (`downloads`)."""
    editions = selectors.published_editions()
    form = MatrixFilterForm(request.GET, options=selectors.filter_options(), editions=editions)
    number = request.GET.get("edition", "")
    if number and not (number.isascii() and number.isdigit() and len(number) < 10):
        raise Http404
    for _attempt in range(2):  # a file pruned between its check and its opening: once more
        try:
            download = prepared_downloads.prepared(
                format, edition_number=int(number) if number else None, filters=form.filters()
            )
            file = open(download.path, "rb")  # noqa: SIM115 (FileResponse closes it)
        except exports.NoEdition:
            raise Http404(_("No such published edition.")) from None
        except prepared_downloads.Busy:
            return _busy()
        except FileNotFoundError:
            continue
        response = FileResponse(
            file,
            as_attachment=True,
            filename=download.file_name,
            content_type=download.content_type,
        )
        cache_edition(response, explicit=bool(number))
        return response
    return _busy()


def _busy() -> HttpResponse:
    response = HttpResponse(
        _("This download is being prepared for other visitors. Please try again in a minute."),
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(prepared_downloads.RETRY_AFTER)
    return response


def _coordinator(request: HttpRequest) -> None:
    if not is_coordinator(request.user):
        raise PermissionDenied


def upload(request: HttpRequest) -> HttpResponse:
    _coordinator(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = receive_import(
                chunks=upload.chunks(),
                file_name=upload.name,
                user=request.user,
                include_outside_region=form.cleaned_data["include_outside_region"],
                date_format=form.cleaned_data["date_format"],
            )
        except ImportFailed as exc:
            form.add_error("file", str(exc))
        else:
            start_checking(record)
            return redirect("exchange:import_detail", pk=record.pk)
    recent = ImportRecord.objects.select_related("user")[:20]
    return render(request, "exchange/upload.html", {"form": form, "recent": recent})


BUSY = (ImportRecord.Status.CHECKING, ImportRecord.Status.WRITING)


def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _coordinator(request)
    record = get_object_or_404(ImportRecord, pk=pk)
    context = {"record": record, "busy": record.status in BUSY}
    if context["busy"]:
        context["progress"] = now = progress.read(record.stored_name)
        context["interrupted"] = now is not None and now.stale
        context["task"] = state_of(record.task_id) if now is None else None
    summary = record.preview or {}
    context["preview"] = summary
    context["rows"] = [
        {**row, "fate_label": FATE_LABELS.get(row["fate"], row["fate"])}
        for row in summary.get("rows", ())
    ]
    context["touched"] = record.links.order_by("row").values(
        "action", "row", "activity__key", "activity__title_en", "activity__title_ru"
    )[:1000]
    return render(request, "exchange/import.html", context)


@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    _coordinator(request)
    record = get_object_or_404(ImportRecord, pk=pk)
    if claim_for_writing(record):
        start_writing(record, user=request.user)
    return redirect("exchange:import_detail", pk=record.pk)
