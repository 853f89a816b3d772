"""Everything jpoa shows the public, gathered for tests that look for what must not be there.

`public_outputs(client)` yields (label, text) for every kind of public output:
the pages (crawled from the home page in both languages), the API (every GET
operation of its OpenAPI description), the downloads (XLSX, CSV, JSON, Parquet, the
data package, unpacked), the data set export and the donor reports (PDF, DOCX, XLSX). A new public output joins the
checks by adding one generator to ``SOURCES`` (e.g. search results, the static site).
"""

import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from urllib.parse import urldefrag, urlsplit

from django.urls import Resolver404, resolve

from jpoa.core.models import Country
from jpoa.events.models import Event, Finding
from jpoa.matrix.models import Edition, EditionEntry
from jpoa.plan.models import Phase, Pillar, Plan

# Signed-in areas and the back office are not public; the crawler stays out.
PRIVATE_PREFIXES = (
    "/en/admin/",
    "/ru/admin/",
    "/en/accounts/",
    "/ru/accounts/",
    "/en/rounds/",
    "/ru/rounds/",
)
PRIVATE_VIEWS = {"exchange:upload", "exchange:import_detail", "exchange:import_confirm"}
PAGES_PER_VIEW = 3  # filters make endless variants of a page; a few of each kind suffice
MAX_PAGES = 150
HREF = re.compile(r'href="([^"]+)"')

Output = tuple[str, str]


def text_of(content: bytes) -> str:
    """The response as text; an archive (XLSX, data package) as the text of all its members,
    a Parquet file (compressed) as its metadata and rows."""
    if content[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(text_of(archive.read(name)) for name in archive.namelist())
    if content[:4] == b"PAR1":
        import pyarrow.parquet as pq

        table = pq.read_table(io.BytesIO(content))
        return f"{table.schema.metadata}\n{table.to_pylist()}"
    return content.decode("utf-8", "replace")


def crawled_pages(client) -> Iterator[Output]:
    queue, seen, per_view = ["/en/", "/ru/", "/en/data/"], set(), Counter()
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or url.startswith(PRIVATE_PREFIXES):
            continue
        try:
            view = resolve(urlsplit(url).path).view_name
        except Resolver404:
            continue
        if view in PRIVATE_VIEWS or per_view[view] >= PAGES_PER_VIEW:
            continue
        seen.add(url)
        per_view[view] += 1
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = text_of(body)
        yield url, text
        if response["Content-Type"].startswith("text/html"):
            for href in HREF.findall(text):
                href = urldefrag(href.replace("&amp;", "&"))[0]
                if href.startswith("/") and not href.startswith(("//", "/static/", "/media/")):
                    queue.append(href)


def _path_values() -> dict[str, str | None]:
    """A value for each kind of path parameter in the API, from the data."""
    entry = EditionEntry.objects.order_by("-edition__number").first()
    first = lambda qs, attr: str(getattr(qs.first(), attr)) if qs.exists() else None  # noqa: E731
    return {
        "/activities/{key}": entry.activity_key if entry else None,
        "/editions/{number}": first(Edition.objects.all(), "number"),
        "/events/{key}": first(Event.objects.all(), "key"),
        "/findings/{key}": first(Finding.objects.all(), "key"),
        "/pillars/{number}": first(Pillar.objects.all(), "number"),
        "/plans/{key}": first(Plan.objects.all(), "key"),
        "/phases/{key}": first(Phase.objects.all(), "key"),
        "/countries/{iso2}": first(Country.objects.all(), "iso2"),
    }


def api_responses(client) -> Iterator[Output]:
    schema = client.get("/api/v1/openapi.json").json()
    values = _path_values()
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        if "{" in path:
            template = re.sub(r"(/[^/{]+/\{[^}]+\}).*", r"\1", path.removeprefix("/api/v1"))
            value = values.get(template)
            if value is None:
                continue
            path = re.sub(r"\{[^}]+\}", value, path, count=1)
            if "{" in path:
                continue
        response = client.get(path)
        yield path, response.content.decode("utf-8", "replace")


def downloads(client) -> Iterator[Output]:
    for name in ("matrix.xlsx", "matrix.csv", "matrix.json", "matrix.parquet", "datapackage.zip"):
        response = client.get(f"/en/data/{name}")
        assert response.status_code == 200, name
        body = b"".join(response.streaming_content) if response.streaming else response.content
        yield name, text_of(body)


def dataset_export(client) -> Iterator[Output]:
    import json

    from jpoa.dataset.export import export_dataset

    yield "jpoa export json", json.dumps(export_dataset(), ensure_ascii=False)


def donor_reports(client) -> Iterator[Output]:
    """The donor progress report of each phase in each format: what is sent to donors."""
    from pypdf import PdfReader

    from jpoa.analysis.report import build_report, render_docx, render_pdf, render_xlsx

    for phase in Phase.objects.order_by("number"):
        report = build_report(phase=phase)
        pages = PdfReader(io.BytesIO(render_pdf(report))).pages
        # A long text may be broken across lines of the PDF: read it without them.
        yield f"report, phase {phase.number}, PDF", "".join(p.extract_text() for p in pages)
        yield f"report, phase {phase.number}, DOCX", text_of(render_docx(report))
        yield f"report, phase {phase.number}, XLSX", text_of(render_xlsx(report))


SOURCES: list[Callable[..., Iterator[Output]]] = [
    crawled_pages,
    api_responses,
    downloads,
    dataset_export,
    donor_reports,
]


# What the web serves to anyone; the data set export is an operator's command (it
# carries the working copy of the activities, drafts included, but never an internal field).
WEB_SOURCES = [crawled_pages, api_responses, downloads]


def public_outputs(client, sources=SOURCES) -> Iterator[Output]:
    for source in sources:
        yield from source(client)
