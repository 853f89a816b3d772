"""The library: coordinators upload files, their text is extracted, anyone downloads them."""

import io
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse
from library_files import docx_with_paragraphs, html_page, pdf_with_text

from jpoa.library.models import Resource, ResourceVersion
from tests.factories import PASSWORD, coordinator, focal_point


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def coord_client(default_data, client):
    coordinator("coord")
    client.login(username="coord", password=PASSWORD)
    return client


def upload(content: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(content)
    stream.name = name
    return stream


def post_file(client, content: bytes, name: str, language: str = "en", key: str = "jpoa-2011"):
    return client.post(
        reverse("library:files", args=[key]),
        {"language": language, "file": upload(content, name)},
    )


def uploaded_versions():
    """The versions holding a file (the default data set has links only)."""
    return ResourceVersion.objects.exclude(file="")


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


# -- uploads on the web --------------------------------------------------------------------


def test_a_coordinator_uploads_a_pdf_and_its_text_is_extracted(coord_client, media):
    response = post_file(coord_client, pdf_with_text("Joint Plan of Action adopted"), "plan.pdf")
    assert response.status_code == 302
    version = ResourceVersion.objects.get(resource__key="jpoa-2011", language="en")
    assert "Joint Plan of Action adopted" in version.text
    assert Path(version.file.name).name == "plan.pdf"
    assert [p.name for p in stored_files(media)] == ["plan.pdf"]
    page = coord_client.get(response["Location"]).content.decode()
    assert "28 characters of text extracted" in page
    assert LogEntry.objects.get_for_object(version).exists()


def test_russian_docx_and_html_texts_are_extracted_without_script_or_style(coord_client):
    docx = docx_with_paragraphs("Совместный план действий", "Центральная Азия")
    assert post_file(coord_client, docx, "план.docx", language="ru").status_code == 302
    html = html_page("<h1>Declaration</h1><p>Ashgabat &amp; region</p>")
    assert post_file(coord_client, html, "declaration.htm", language="en").status_code == 302
    texts = dict(uploaded_versions().values_list("language", "text"))
    assert texts["ru"] == "Совместный план действий\nЦентральная Азия"
    assert "Declaration" in texts["en"] and "Ashgabat & region" in texts["en"]
    assert "SCRIPT TEXT" not in texts["en"] and "secret" not in texts["en"]


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"MZ\x90\x00 an executable", "report.pdf", "Only PDF, Word (DOCX) and HTML"),
        (b"", "empty.pdf", "file is empty"),
        (docx_with_paragraphs("x")[:200], "broken.docx", "damaged"),
        (b"%PDF-1.4\nnot really a pdf", "fake.pdf", "The PDF cannot be read"),
    ],
)
def test_a_file_of_the_wrong_kind_is_refused_and_nothing_is_saved(
    coord_client, media, content, name, message
):
    response = post_file(coord_client, content, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not uploaded_versions().exists()
    assert stored_files(media) == []


def test_a_zip_that_is_not_a_word_document_is_refused(coord_client):
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.txt", "x")
    response = post_file(coord_client, out.getvalue(), "x.docx")
    assert "not a Word document" in response.content.decode()
    assert not uploaded_versions().exists()


def test_a_docx_that_unpacks_too_far_is_refused_before_it_is_read(coord_client, settings, media):
    settings.LIBRARY_DOCX_MAX_UNCOMPRESSED_BYTES = 1024 * 1024
    bomb = docx_with_paragraphs("x", padding=2 * 1024 * 1024)
    assert len(bomb) < 20_000  # it compresses small: only its stated size gives it away
    response = post_file(coord_client, bomb, "bomb.docx")
    assert response.status_code == 400
    assert "unpacks to more than 1 MB" in response.content.decode()
    assert not uploaded_versions().exists() and stored_files(media) == []


def test_a_file_over_the_size_limit_is_refused(coord_client, settings):
    settings.LIBRARY_UPLOAD_MAX_BYTES = 1024
    response = post_file(coord_client, pdf_with_text("x" * 2000), "big.pdf")
    assert response.status_code == 400
    assert "up to 0.0 MB" in response.content.decode() or "accepts files up to" in (
        response.content.decode()
    )
    assert not uploaded_versions().exists()


def test_a_path_in_the_file_name_is_dropped_and_the_extension_follows_the_content(
    coord_client, media
):
    post_file(coord_client, pdf_with_text("x"), "../../../etc/passwd.html")
    version = uploaded_versions().get()
    assert Path(version.file.name).name == "passwd.pdf"
    assert all(media in p.parents for p in stored_files(media))


def test_a_new_file_replaces_the_old_one_of_its_language(
    coord_client, media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_file(coord_client, pdf_with_text("first"), "first.pdf")
        post_file(coord_client, pdf_with_text("second"), "second.pdf")
    version = uploaded_versions().get()
    assert version.text == "second"
    assert [p.name for p in stored_files(media)] == ["second.pdf"]


@pytest.mark.parametrize("who", ["anonymous", "focal point"])
def test_only_a_coordinator_may_upload(default_data, client, media, who):
    if who == "focal point":
        focal_point("osce")
        client.login(username="fp-osce", password=PASSWORD)
    url = reverse("library:files", args=["jpoa-2011"])
    assert client.get(url).status_code == 403
    assert post_file(client, pdf_with_text("x"), "x.pdf").status_code == 403
    assert not uploaded_versions().exists() and stored_files(media) == []


# -- the back office and the command line -----------------------------------------------------


def test_the_back_office_checks_and_extracts_an_upload(default_data, client, media):
    User.objects.create_superuser("admin", "admin@example.org", PASSWORD)
    client.login(username="admin", password=PASSWORD)
    coord_client = client
    resource = Resource.objects.get(key="programme-summary")  # the one with no link
    url = reverse("admin:library_resourceversion_add")
    bad = coord_client.post(
        url, {"resource": resource.pk, "language": "en", "file": upload(b"MZ..", "x.pdf")}
    )
    assert bad.status_code == 200 and "Only PDF, Word (DOCX) and HTML" in bad.content.decode()
    assert not uploaded_versions().exists()
    good = coord_client.post(
        url,
        {"resource": resource.pk, "language": "en", "file": upload(pdf_with_text("ok"), "a.pdf")},
    )
    assert good.status_code == 302
    version = uploaded_versions().get()
    assert version.text == "ok" and Path(version.file.name).name == "a.pdf"


def test_the_command_line_attaches_a_file(default_data, tmp_path, media):
    path = tmp_path / "Strategy.docx"
    path.write_bytes(docx_with_paragraphs("The four pillars"))
    out = io.StringIO()
    call_command("library", "add-file", "un-gcts", "en", str(path), stdout=out)
    assert "16 characters of text extracted" in out.getvalue()
    english = ResourceVersion.objects.get(resource__key="un-gcts", language="en")
    assert english.text == "The four pillars"
    path.write_bytes(b"not a document")
    with pytest.raises(CommandError, match="Only PDF, Word"):
        call_command("library", "add-file", "un-gcts", "ru", str(path))
    with pytest.raises(CommandError, match="no resource with the key"):
        call_command("library", "add-file", "nope", "en", str(path))
    assert uploaded_versions().count() == 1


# -- public pages and downloads -------------------------------------------------------------


def test_the_library_shows_each_language_with_a_download_or_a_link(coord_client):
    post_file(coord_client, pdf_with_text("x"), "plan.pdf", language="en")
    ResourceVersion.objects.create(
        resource=Resource.objects.get(key="jpoa-2011"), language="ru", url="https://example.org/ru"
    )
    coord_client.logout()
    for url in [reverse("public:library"), reverse("public:resource", args=["jpoa-2011"])]:
        page = coord_client.get(url).content.decode()
        assert reverse("library:download", args=["jpoa-2011", "en"]) in page
        assert "English (download)" in page
        assert 'href="https://example.org/ru"' in page and "Русский (link)" in page
        assert "Kazakhstan" in page  # the countries
    detail = coord_client.get(reverse("public:resource", args=["jpoa-2011"])).content.decode()
    assert "Joint Plan of Action for the Implementation" in detail
    assert "Upload or replace a file" not in detail


def test_a_download_is_an_attachment_of_the_checked_type(coord_client):
    post_file(coord_client, html_page("<p>page</p>"), "page.html")
    coord_client.logout()
    response = coord_client.get(reverse("library:download", args=["jpoa-2011", "en"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="jpoa-2011-en.html"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"<p>page</p>" in b"".join(response.streaming_content)
    missing = coord_client.get(reverse("library:download", args=["jpoa-2011", "ru"]))
    assert missing.status_code == 404


def test_an_unknown_resource_is_not_found(default_data, client):
    assert client.get(reverse("public:resource", args=["nope"])).status_code == 404


def test_a_long_pdf_is_read_for_search_only_up_to_its_first_pages(settings):
    from pypdf import PdfReader, PdfWriter

    from jpoa.library.uploads import PDF, extract_text

    writer = PdfWriter()
    for word in ("Alpha", "Bravo", "Charlie"):
        writer.add_page(PdfReader(io.BytesIO(pdf_with_text(f"Page {word}"))).pages[0])
    out = io.BytesIO()
    writer.write(out)
    settings.LIBRARY_PDF_MAX_PAGES = 2
    text = extract_text(PDF, out.getvalue())
    assert "Page Alpha" in text and "Page Bravo" in text and "Charlie" not in text


def test_a_word_document_is_read_as_it_streams_and_only_as_far_as_search_keeps(settings):
    from jpoa.library.uploads import DOCX, extract_text

    settings.LIBRARY_TEXT_MAX_CHARS = 40
    document = docx_with_paragraphs(*(f"Paragraph number {n}" for n in range(1000)))
    text = extract_text(DOCX, document)
    assert text.startswith("Paragraph number 0\nParagraph number 1")
    assert len(text) == 40 and "Paragraph number 999" not in text
