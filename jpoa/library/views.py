"""The library's own pages: coordinators upload files; anyone downloads them."""

from pathlib import PurePath

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from jpoa.accounts.access import is_coordinator

from .forms import VersionFileForm
from .models import Resource, ResourceVersion
from .services import version_attach_file
from .uploads import KINDS, UploadRejected


def files(request: HttpRequest, key: str) -> HttpResponse:
    """A coordinator's page: the resource's language versions, and a form to upload one."""
    if not is_coordinator(request.user):
        raise PermissionDenied
    resource = get_object_or_404(Resource, key=key)
    form = VersionFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            version = version_attach_file(
                resource=resource,
                language=form.cleaned_data["language"],
                name=upload.name,
                stream=upload,
                size=upload.size,
                user=request.user,
            )
        except UploadRejected as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(
                request,
                _("Stored %(name)s: %(count)d characters of text extracted.")
                % {"name": PurePath(version.file.name).name, "count": len(version.text)},
            )
            return redirect("library:files", key=resource.key)
    versions = resource.versions.order_by("language")
    return render(
        request,
        "library/files.html",
        {"resource": resource, "versions": versions, "form": form},
        status=400 if form.errors else 200,
    )


def download(request: HttpRequest, key: str, language: str) -> FileResponse:
    """An uploaded file, always as an attachment and with the type its content was checked as."""
    version = (
        ResourceVersion.objects.filter(resource__key=key, language=language)
        .exclude(file="")
        .first()
    )
    if version is None:
        raise Http404(_("No file for this resource in this language."))
    extension = PurePath(version.file.name).suffix.lstrip(".").lower()
    kind = KINDS.get(extension)
    try:
        handle = version.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{key}-{language}.{extension or 'bin'}",
        content_type=kind.content_type if kind else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
