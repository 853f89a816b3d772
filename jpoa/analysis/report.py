"""The donor progress report for a phase or a date range, as PDF, DOCX or XLSX.

`build_report` gathers what the report says (one set of facts for every format);
`render_pdf`, `render_docx` and `render_xlsx` write it out. User text is always
written as text: escaped by the template for the PDF, set as plain runs in the DOCX,
and neutralised against formulas in the XLSX (`jpoa.lib.cells.safe_cell`).
"""

import datetime
import io
import re
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jpoa.core.demo import NOTICE, SHORT_NOTICE, demo_loaded
from jpoa.core.models import Country
from jpoa.events.models import Event, Finding
from jpoa.events.statistics import ParticipantStats, event_statistics
from jpoa.lib.cells import safe_cell
from jpoa.lib.charts import Moment, heatmap, timeline
from jpoa.lib.dates import date_range
from jpoa.matrix.models import Edition, EditionEntry, EditionFact
from jpoa.plan.models import Phase, Pillar, roman
from jpoa.plan.published import site_plan

from .gaps import Cell, coverage_gaps, years_q
from .pages import event_charts, gaps_heatmap
from .trends import event_trends

FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Characters XML 1.0 cannot hold (DOCX and XLSX are XML): dropped from user text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class ReportError(Exception):
    """The report cannot be made as asked (an unknown phase, a reversed range)."""


@dataclass
class EventRow:
    event: Event
    stats: ParticipantStats
    partners: list[str]

    @property
    def dates(self) -> str:
        return date_range(self.event.start_date, self.event.end_date)


@dataclass
class Report:
    programme: str
    title: str
    period: str
    date_from: datetime.date
    date_to: datetime.date
    phase: Phase | None
    generated: datetime.date
    events: list[EventRow]
    edition: Edition | None
    pillars: list[Pillar]
    countries: list[Country]
    # rows: pillars; columns: countries, then region-wide. None in every cell when no edition was published by
    # the end of the period: nothing is known, which is not zero activities.
    activity_grid: list[list[int | None]]
    activity_count: int
    organisation_count: int
    findings: list[Finding]
    gaps: list[Cell]
    charts: dict = field(default_factory=dict)
    demo: bool = False  # made from jpoa's invented demonstration data: every format says so

    @property
    def participants(self) -> int:
        return sum(row.stats.total for row in self.events)

    @property
    def events_without_numbers(self) -> int:
        return sum(1 for row in self.events if not row.stats.has_numbers)

    @property
    def places(self) -> list[str]:
        """The columns of the pillar table: the plan's states, then region-wide activities."""
        return [*(c.name for c in self.countries), _("Region-wide")]

    @property
    def annex(self) -> list[list]:
        """The annex: each event with its participants by sex; None where not recorded."""
        rows = []
        for row in self.events:
            stats, recorded = row.stats, row.stats.has_numbers
            rows.append(
                [
                    f"{row.event.label}: {row.event.title}",
                    row.dates,
                    row.event.place,
                    stats.total if recorded else None,
                    stats.women if recorded else None,
                    stats.men if recorded else None,
                    stats.by_sex.unknown if recorded else None,
                ]
            )
        return rows

    @property
    def annex_total(self) -> list:
        """The annex's total row: sums of what is recorded, and what they leave out."""
        recorded = [row.stats for row in self.events if row.stats.has_numbers]
        women = [s.women for s in recorded if s.women is not None]
        men = [s.men for s in recorded if s.men is not None]
        label = _("Total")
        if not recorded:
            label = _("Total: not recorded for any of the %(n)s events") % {"n": len(self.events)}
            return [label, "", "", None, None, None, None]
        if self.events_without_numbers:
            label = _(
                "Total of the events that record a number (%(n)s of %(all)s; the others are "
                "left out)"
            ) % {"n": len(recorded), "all": len(self.events)}
        return [
            label,
            "",
            "",
            sum(s.total for s in recorded),
            sum(women) if women else None,
            sum(men) if men else None,
            sum(s.by_sex.unknown for s in recorded),
        ]

    @property
    def summary(self) -> list[str]:
        """The report's opening paragraphs, in plain sentences."""
        lines = [
            *([str(NOTICE)] if self.demo else []),
            _("This report covers %(period)s.") % {"period": self.period},
            _("%(n)s events were held.") % {"n": len(self.events)},
        ]
        if self.participants:
            lines.append(_("%(p)s participants are recorded.") % {"p": self.participants})
        if self.events_without_numbers:
            lines.append(
                _("The number of participants is not recorded for %(n)s of the events.")
                % {"n": self.events_without_numbers}
            )
        if self.edition:
            lines.append(
                _(
                    "Edition %(number)s of the matrix (as of %(as_of)s) lists %(a)s activities "
                    "in the period, led by %(o)s organisations."
                )
                % {
                    "number": self.edition.number,
                    "as_of": date_format(self.edition.as_of, "DATE_FORMAT"),
                    "a": self.activity_count,
                    "o": self.organisation_count,
                }
            )
            lines.append(
                _(
                    "%(n)s pillar and state cells lack current activity aimed at the state or "
                    "rest on one organisation."
                )
                % {"n": len(self.gaps)}
            )
        else:
            lines.append(_("No edition of the matrix was published by the end of the period."))
        lines.append(
            _("%(n)s findings and recommendations were raised at these events.")
            % {"n": len(self.findings)}
        )
        return lines


def find_phase(value: str) -> Phase:
    """A phase by its numeral (II), number (2) or key (phase-2)."""
    value = value.strip()
    numbers = {roman(n): n for n in range(1, 10)}
    number = numbers.get(value.upper()) or (int(value) if value.isdigit() else None)
    phases = Phase.objects.order_by("pk")
    phase = phases.filter(number=number).first() if number else phases.filter(key=value).first()
    if phase is None:
        known = ", ".join(f"{p.numeral} ({p.key})" for p in phases)
        raise ReportError(f"no phase {value!r}; the phases are: {known or 'none'}")
    return phase


def build_report(
    *,
    phase: Phase | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> Report:
    if phase is not None:
        date_from = date_from or datetime.date(phase.start_year, 1, 1)
        date_to = date_to or datetime.date(phase.end_year or phase.start_year, 12, 31)
    if date_from is None or date_to is None:
        raise ReportError("give a phase, or both --from and --to dates")
    if date_to < date_from:
        raise ReportError("the end date is before the start date")
    plan = site_plan()
    events = Event.objects.filter(start_date__gte=date_from, start_date__lte=date_to)
    if phase is not None:
        events = events.filter(Q(phase=phase) | Q(phase__isnull=True))
    events = list(
        events.select_related("country", "phase")
        .prefetch_related("organisers", "co_organisers", "participant_groups__country")
        .prefetch_related("participant_groups__organisation")
        .order_by("start_date", "pk")
    )
    rows = [
        EventRow(
            e,
            event_statistics(e, list(e.participant_groups.all())),
            [str(o) for o in [*e.organisers.all(), *e.co_organisers.all()]],
        )
        for e in events
    ]
    period = (
        _("Phase %(n)s (%(years)s)") % {"n": phase.numeral, "years": phase.years}
        if phase
        else f"{date_format(date_from, 'DATE_FORMAT')} – {date_format(date_to, 'DATE_FORMAT')}"
    )
    edition = Edition.objects.filter(as_of__lte=date_to).order_by("-number").first()
    countries = list(plan.countries.order_by("name")) if plan else []
    pillars = list(Pillar.objects.filter(strategy_id=plan.strategy_id)) if plan else []
    report = Report(
        programme=plan.title if plan else "jpoa",
        title=_("Progress report"),
        period=period,
        date_from=date_from,
        date_to=date_to,
        phase=phase,
        generated=datetime.date.today(),
        events=rows,
        edition=edition,
        pillars=pillars,
        countries=countries,
        activity_grid=[[None] * (len(countries) + 1) for _p in pillars],
        activity_count=0,
        organisation_count=0,
        findings=list(
            Finding.objects.filter(event__in=events)
            .select_related("event")
            .order_by("event__start_date", "key")
        ),
        gaps=[],
        demo=demo_loaded(),
    )
    if edition is not None:
        _add_activities(report, edition)
    _add_charts(report)
    return report


def _add_activities(report: Report, edition: Edition) -> None:
    years = years_q(report.date_from.year, report.date_to.year)
    facts = EditionFact.objects.filter(years, edition=edition)
    column = {c.pk: n for n, c in enumerate(report.countries)}
    row = {p.number: n for n, p in enumerate(report.pillars)}
    report.activity_grid = [[0] * (len(report.countries) + 1) for _p in report.pillars]
    cells = facts.filter(country__in=report.countries, pillar_number__isnull=False)
    for item in cells.values("pillar_number", "country_id").annotate(
        n=Count("entry_id", distinct=True)
    ):
        if item["pillar_number"] in row:
            report.activity_grid[row[item["pillar_number"]]][column[item["country_id"]]] = item["n"]
    # The last column: region-wide activities (their facts have no country), so that
    # they are counted in the table rather than vanishing from it.
    region = facts.filter(region_wide=True, pillar_number__isnull=False)
    for item in region.values("pillar_number").annotate(n=Count("entry_id", distinct=True)):
        if item["pillar_number"] in row:
            report.activity_grid[row[item["pillar_number"]]][-1] = item["n"]
    entries = EditionEntry.objects.filter(years, edition=edition)
    report.activity_count = entries.count()
    report.organisation_count = entries.values("lead_organisation_id_at").distinct().count()
    analysis = coverage_gaps(edition, year_from=report.date_from.year, year_to=report.date_to.year)
    report.gaps = analysis.pillar_gaps
    report.charts["gaps"] = gaps_heatmap(analysis)


def _add_charts(report: Report) -> None:

    if report.events:
        report.charts["timeline"] = timeline(
            title=_("Events held in the period"),
            description=_("The events of the period in date order."),
            moments=[Moment(row.event.start_date, row.event.label) for row in report.events],
        )
    if report.edition and report.pillars and report.countries:
        report.charts["activities"] = heatmap(
            title=_("Activities by pillar and state"),
            description=_(
                "Activities of the period in each pillar and state, and region-wide in the "
                "last column; a dash marks none."
            ),
            rows=[_("Pillar %(n)s") % {"n": p.numeral} for p in report.pillars],
            columns=report.places,
            values=report.activity_grid,
        )
    trends = event_trends()
    years = [y for y in trends.years if report.date_from.year <= y <= report.date_to.year]
    trends.participants = [row for row in trends.participants if row.year in years]
    if any(row.total for row in trends.participants):
        chart = event_charts(trends).get("participants")
        if chart:
            report.charts["participants"] = chart


def clean_text(value) -> str:
    return _CONTROL.sub("", str(value or ""))


# -- PDF ---------------------------------------------------------------------------------


def report_html(report: Report) -> str:
    grid = [
        (f"{p.numeral}. {p.short_title}", row)
        for p, row in zip(report.pillars, report.activity_grid, strict=True)
    ]
    return render_to_string("analysis/report.html", {"report": report, "grid": grid})


def render_pdf(report: Report) -> bytes:
    from weasyprint import CSS, HTML

    # The print style is a template of its own (its page headers are translated): the
    # site's HTML templates carry no inline style, for the Content Security Policy.
    style = CSS(string=render_to_string("analysis/report.css", {"report": report}))
    return HTML(string=report_html(report)).write_pdf(stylesheets=[style])


# -- DOCX --------------------------------------------------------------------------------


def _field(paragraph, instruction: str, placeholder: str = "1") -> None:
    """A Word field (PAGE, NUMPAGES, TOC) with a cached result that viewers show as it is."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind):
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run = paragraph.add_run()
        run._r.append(element)

    char("begin")
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    char("separate")
    paragraph.add_run(placeholder)
    char("end")


def _png(svg: str) -> io.BytesIO:
    import cairosvg

    return io.BytesIO(cairosvg.svg2png(bytestring=str(svg).encode("utf-8"), scale=2))


def _table(document, header: list[str], rows: list[list], caption: str = "") -> None:
    if caption:
        document.add_paragraph(clean_text(caption), style="Caption")
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = clean_text(text)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = clean_text(value)


def _sections() -> list[tuple[str, str]]:
    return [
        ("summary", "1. " + _("Summary")),
        ("events", "2. " + _("Events held and participants")),
        ("activities", "3. " + _("Activities by pillar and state")),
        ("findings", "4. " + _("Findings and their status")),
        ("gaps", "5. " + _("Gaps")),
        ("annex", _("Annex: events")),
    ]


def annex_header() -> list[str]:
    return [_("Event"), _("Dates"), _("Place"), _("Total"), _("women"), _("men"), _("unknown")]


def _recorded(row: list) -> list:
    """A row for a document: what is not recorded says so (None is never printed as 0)."""
    return [_("not recorded") if value is None else value for value in row]


def render_docx(report: Report) -> bytes:
    from docx import Document
    from docx.enum.section import WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm, Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.left_margin = section.right_margin = Cm(1.8)
    header = section.header.paragraphs[0]
    header.text = clean_text(
        f"{report.programme} · {report.period}" + (f" · {SHORT_NOTICE}" if report.demo else "")
    )
    header.style.font.size = Pt(8)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(_("Page") + " ")
    _field(footer, "PAGE")
    footer.add_run(" " + _("of") + " ")
    _field(footer, "NUMPAGES")
    titles = dict(_sections())

    document.add_paragraph(_("Donor progress report"))
    document.add_heading(clean_text(report.title), level=0)
    document.add_paragraph(clean_text(report.programme))
    document.add_paragraph(clean_text(report.period))
    document.add_paragraph(
        _("Prepared on %(date)s from the records of jpoa.")
        % {"date": date_format(report.generated, "DATE_FORMAT")}
    )
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    document.add_heading(_("Contents"), level=1)
    # A real table-of-contents field: Word fills in the page numbers when it updates
    # fields; until then (and in viewers that do not update fields) it shows this list.
    toc = document.add_paragraph()
    _field(toc, 'TOC \\o "1-1" \\h \\z \\u', "\n".join(title for _key, title in _sections()))
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    document.add_heading(titles["summary"], level=1)
    for line in report.summary:
        document.add_paragraph(clean_text(line))

    document.add_heading(titles["events"], level=1)
    if "timeline" in report.charts:
        document.add_picture(_png(report.charts["timeline"]), width=Cm(16))
    _table(
        document,
        [_("Event"), _("Dates"), _("City"), _("Partners"), _("Participants")],
        [
            [
                f"{row.event.label}: {row.event.title}",
                row.dates,
                row.event.place,
                ", ".join(row.partners) or "–",
                row.stats.total if row.stats.has_numbers else _("not recorded"),
            ]
            for row in report.events
        ],
        _("Events of the period"),
    )

    document.add_heading(titles["activities"], level=1)
    if report.edition:
        if "activities" in report.charts:
            document.add_picture(_png(report.charts["activities"]), width=Cm(16))
        _table(
            document,
            [_("Pillar"), *report.places],
            [
                [f"{p.numeral}. {p.short_title}", *row]
                for p, row in zip(report.pillars, report.activity_grid, strict=True)
            ],
            _("Activities by pillar and state"),
        )
    else:
        document.add_paragraph(
            _("No edition of the matrix was published by the end of the period.")
        )

    document.add_heading(titles["findings"], level=1)
    if report.findings:
        _table(
            document,
            [_("Kind"), _("Finding"), _("Raised at"), _("Status")],
            [
                [
                    f.get_kind_display(),
                    f.text,
                    f.event.label if f.event else "",
                    f.get_status_display(),
                ]
                for f in report.findings
            ],
        )
    else:
        document.add_paragraph(_("No findings are recorded for the period's events."))

    document.add_heading(titles["gaps"], level=1)
    if report.edition:
        for cell in report.gaps:
            document.add_paragraph(clean_text(cell.explanation), style="List Number")
        if not report.gaps:
            document.add_paragraph(
                _("Every pillar has current activity by more than one organisation in every state.")
            )
    else:
        document.add_paragraph(
            _(
                "No edition of the matrix was published by the end of the period, so gaps cannot be shown."
            )
        )

    document.add_section(WD_SECTION.NEW_PAGE)
    document.add_heading(titles["annex"], level=1)
    _table(
        document,
        annex_header(),
        [_recorded(row) for row in [*report.annex, report.annex_total]],
        _("Events of the period with participants by sex"),
    )
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


# -- XLSX --------------------------------------------------------------------------------


def render_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheets = [
        (
            _("Summary"),
            [_("Report"), _("Programme"), _("Period")],
            [[report.title, report.programme, report.period], *([line] for line in report.summary)],
        ),
        (
            _("Events"),
            [
                _("Event"),
                _("Dates"),
                _("City"),
                _("Partners"),
                _("Participants"),
                _("women"),
                _("men"),
            ],
            [
                [
                    f"{row.event.label}: {row.event.title}",
                    row.dates,
                    row.event.place,
                    ", ".join(row.partners),
                    row.stats.total if row.stats.has_numbers else None,
                    row.stats.women,
                    row.stats.men,
                ]
                for row in report.events
            ],
        ),
        (
            _("Activities"),
            [_("Pillar"), *report.places],
            [
                [f"{p.numeral}. {p.short_title}", *row]
                for p, row in zip(report.pillars, report.activity_grid, strict=True)
            ]
            if report.edition
            else [[_("No edition of the matrix was published by the end of the period.")]],
        ),
        (
            _("Annex"),
            annex_header(),
            [*report.annex, report.annex_total],
        ),
        (
            _("Findings"),
            [_("Kind"), _("Finding"), _("Raised at"), _("Status")],
            [
                [
                    f.get_kind_display(),
                    f.text,
                    f.event.label if f.event else "",
                    f.get_status_display(),
                ]
                for f in report.findings
            ],
        ),
        (
            _("Gaps"),
            [_("Gap"), _("Since the previous edition")],
            [[c.explanation, c.trend_label] for c in report.gaps],
        ),
    ]
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.append([safe_cell(clean_text(h)) for h in header])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(
                [safe_cell(clean_text(v)) if not isinstance(v, int | float) else v for v in row]
            )
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width, 10), 60)
        sheet.oddHeader.center.text = clean_text(f"{report.programme} · {report.period}")[:250]
        sheet.oddFooter.center.text = "&P / &N"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


RENDERERS = {"pdf": render_pdf, "docx": render_docx, "xlsx": render_xlsx}
