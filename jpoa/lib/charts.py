"""Charts as plain, accessible SVG, drawn on the server: the same markup on the web and in reports.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (named by
``aria-labelledby``), an axis label, and every value written as text beside its bar,
so the chart reads without colour, without JavaScript and in a screen reader. The
markup uses presentation attributes and class names only (no ``style`` attribute,
no script), so it passes a strict Content Security Policy and can be embedded in a
page, saved as a file or placed in a PDF.
"""

import datetime
import itertools
import math
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_ids = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | float
    # "unknown" bars (the part of a whole nobody recorded) are drawn hatched, not coloured.
    kind: str = ""


def _number(value: int | float) -> str:
    return f"{value:,}".replace(",", "\u202f") if isinstance(value, int) else f"{value:.1f}"


def bar_chart(
    *,
    title: str,
    description: str,
    bars: list[Bar],
    value_label: str,
    width: int = 640,
    label_width: int = 200,
    bar_height: int = 22,
    chart_id: str | None = None,
) -> SafeString:
    """A horizontal bar chart: one labelled bar per item, its value written at its end."""
    chart_id = chart_id or f"chart-{next(_ids)}"
    gap, top, bottom, value_room = 8, 8, 40, 70
    plot_width = max(width - label_width - value_room, 40)
    height = top + len(bars) * (bar_height + gap) + bottom
    largest = max((b.value for b in bars), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        '<defs><pattern id="' + chart_id + '-hatch" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#5b6770" stroke-width="3"/></pattern></defs>',
    ]
    for n, bar in enumerate(bars):
        y = top + n * (bar_height + gap)
        length = round(plot_width * bar.value / largest) if bar.value > 0 else 0
        fill = f"url(#{chart_id}-hatch)" if bar.kind == "unknown" else "#1f5f8b"
        parts.append(
            f'<g class="bar{" bar-" + bar.kind if bar.kind else ""}">'
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.7:.0f}" text-anchor="end" '
            f'font-size="13" fill="#1b1b1b">{escape(bar.label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" '
            f'fill="{fill}" stroke="#1b1b1b" stroke-width="{1 if bar.kind else 0}"/>'
            f'<text x="{label_width + length + 6}" y="{y + bar_height * 0.7:.0f}" '
            f'font-size="13" fill="#1b1b1b">{_number(bar.value)}</text></g>'
        )
    axis_y = top + len(bars) * (bar_height + gap)
    parts.append(
        f'<line x1="{label_width}" y1="{top}" x2="{label_width}" y2="{axis_y}" '
        'stroke="#1b1b1b" stroke-width="1"/>'
        f'<line x1="{label_width}" y1="{axis_y}" x2="{label_width + plot_width}" y2="{axis_y}" '
        'stroke="#1b1b1b" stroke-width="1"/>'
        f'<text x="{label_width}" y="{axis_y + 16}" font-size="12" fill="#1b1b1b">0</text>'
        f'<text x="{label_width + plot_width}" y="{axis_y + 16}" text-anchor="end" '
        f'font-size="12" fill="#1b1b1b">{_number(largest)}</text>'
        f'<text class="axis-label" x="{label_width + plot_width / 2:.0f}" y="{axis_y + 32}" '
        f'text-anchor="middle" font-size="13" fill="#1b1b1b">{escape(value_label)}</text>'
        "</svg>"
    )
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


_PALETTE = ("#1f5f8b", "#c2702a", "#4a7f3a", "#7a4a8c", "#8c6d1f", "#2f8c8c", "#8c2f4a")


def _open(chart_id: str, width: int, height: int, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _text(x, y, text, *, size=12, anchor="start", weight="normal", fill="#1b1b1b") -> str:
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{fill}">{escape(str(text))}</text>'
    )


def heatmap(
    *,
    title: str,
    description: str,
    rows: list[str],
    columns: list[str],
    values: list[list[int]],
    label_width: int = 180,
    cell_width: int = 96,
    cell_height: int = 34,
    chart_id: str | None = None,
) -> SafeString:
    """A grid of rows by columns, each cell shaded by its value and the value written in it.

    Empty cells (0) are white with a dashed border and a dash, so a gap reads without colour.
    """
    chart_id = chart_id or f"chart-{next(_ids)}"
    # Wide enough for the longest column label ("Туркменистан") in bold 12 px.
    cell_width = max(cell_width, 8 * max((len(c) for c in columns), default=0) + 8)
    top = 40
    width = label_width + cell_width * len(columns) + 8
    height = top + cell_height * len(rows) + 8
    largest = max((v for row in values for v in row), default=0) or 1
    parts = _open(chart_id, width, height, title, description)
    for n, column in enumerate(columns):
        x = label_width + n * cell_width + cell_width / 2
        parts.append(_text(x, top - 12, column, anchor="middle", weight="bold"))
    for r, (row, row_values) in enumerate(zip(rows, values, strict=True)):
        y = top + r * cell_height
        parts.append(_text(label_width - 8, y + cell_height * 0.62, row, size=13, anchor="end"))
        for c, value in enumerate(row_values):
            x = label_width + c * cell_width
            if value:
                # From a light to a dark blue; text turns white on the dark half.
                share = value / largest
                shade = round(225 - 160 * share)
                fill = f"rgb({shade - 30},{shade + 10},{min(shade + 40, 255)})"
                colour = "#ffffff" if share > 0.5 else "#1b1b1b"
                parts.append(
                    f'<rect x="{x + 1}" y="{y + 1}" width="{cell_width - 2}" '
                    f'height="{cell_height - 2}" fill="{fill}"/>'
                )
                parts.append(
                    _text(
                        x + cell_width / 2,
                        y + cell_height * 0.62,
                        _number(value),
                        size=13,
                        anchor="middle",
                        fill=colour,
                    )
                )
            else:
                parts.append(
                    f'<rect class="empty" x="{x + 2}" y="{y + 2}" width="{cell_width - 4}" '
                    f'height="{cell_height - 4}" fill="#ffffff" stroke="#b3261e" '
                    'stroke-dasharray="4 3" stroke-width="1.5"/>'
                )
                parts.append(
                    _text(
                        x + cell_width / 2,
                        y + cell_height * 0.62,
                        "–",
                        size=13,
                        anchor="middle",
                        fill="#b3261e",
                    )
                )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def column_chart(
    *,
    title: str,
    description: str,
    categories: list[str],
    series: list[tuple[str, list[int | float]]],
    value_label: str,
    category_label: str,
    width: int = 680,
    height: int = 300,
    chart_id: str | None = None,
) -> SafeString:
    """Vertical bars by category (e.g. year), one colour per series, with a legend.

    With one series each bar's value is written above it; with several, the legend
    names the series and the page shows the numbers in a table beside the chart.
    """
    chart_id = chart_id or f"chart-{next(_ids)}"
    left, right, top = 48, 12, 16 + 18 * ((len(series) + 3) // 4)
    bottom = 52
    plot_width, plot_height = width - left - right, height - top - bottom
    largest = max((v for _label, vs in series for v in vs), default=0) or 1
    parts = _open(chart_id, width, height, title, description)
    for n, (label, _values) in enumerate(series if len(series) > 1 else []):
        x, y = left + (n % 4) * 150, 14 + 18 * (n // 4)
        parts.append(
            f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{_PALETTE[n % 7]}"/>'
        )
        parts.append(_text(x + 16, y, label))
    group = plot_width / max(len(categories), 1)
    bar = max(min((group - 4) / max(len(series), 1), 40), 1)
    base = top + plot_height
    for c, category in enumerate(categories):
        x0 = left + c * group + (group - bar * len(series)) / 2
        for s, (_label, values) in enumerate(series):
            value = values[c]
            h = plot_height * value / largest if value > 0 else 0
            x = x0 + s * bar
            parts.append(
                f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{_PALETTE[s % 7]}"/>'
            )
            if len(series) == 1 and value:
                parts.append(
                    _text(x + bar / 2, base - h - 3, _number(value), size=10, anchor="middle")
                )
        if len(categories) <= 16 or c % 2 == 0:
            parts.append(
                _text(left + c * group + group / 2, base + 14, category, size=11, anchor="middle")
            )
    parts.append(
        f'<line x1="{left}" y1="{base}" x2="{left + plot_width}" y2="{base}" stroke="#1b1b1b"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{base}" stroke="#1b1b1b"/>'
    )
    parts.append(_text(left - 4, top + 4, _number(largest), size=11, anchor="end"))
    parts.append(_text(left - 4, base, "0", size=11, anchor="end"))
    parts.append(_text(left + plot_width / 2, height - 8, category_label, size=12, anchor="middle"))
    parts.append(
        f'<text x="12" y="{top + plot_height / 2:.0f}" font-size="12" text-anchor="middle" '
        f'fill="#1b1b1b" transform="rotate(-90 12 {top + plot_height / 2:.0f})">'
        f"{escape(value_label)}</text>"
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


@dataclass(frozen=True)
class Moment:
    when: "datetime.date"
    label: str


def timeline(
    *,
    title: str,
    description: str,
    moments: list[Moment],
    width: int = 680,
    row_height: int = 22,
    chart_id: str | None = None,
) -> SafeString:
    """Dated moments (events) on a time axis, one row each, labelled with date and name."""
    chart_id = chart_id or f"chart-{next(_ids)}"
    top, left, axis_room = 12, 16, 36
    height = top + row_height * len(moments) + axis_room
    parts = _open(chart_id, width, height, title, description)
    if moments:
        # The axis runs over whole years, so no moment sits on its ends and each end
        # has its year.
        first_year = min(m.when for m in moments).year
        last_year = max(m.when for m in moments).year + 1
        first = datetime.date(first_year, 1, 1).toordinal()
        span = datetime.date(last_year, 1, 1).toordinal() - first
        plot = width * 0.35
        base = top + row_height * len(moments) + 6
        for n, moment in enumerate(sorted(moments, key=lambda m: m.when)):
            x = left + plot * (moment.when.toordinal() - first) / span
            y = top + n * row_height + row_height / 2
            parts.append(
                f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x:.1f}" y2="{base}" stroke="#c8ccd0"/>'
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#1f5f8b"/>'
            )
            parts.append(
                _text(left + plot + 16, y + 4, f"{date_format(moment.when)}  {moment.label}")
            )
        parts.append(
            f'<line x1="{left}" y1="{base}" x2="{left + plot:.0f}" y2="{base}" stroke="#1b1b1b"/>'
        )
        step = math.ceil((last_year - first_year + 1) / max(plot // 40, 1))  # labels apart
        for year in range(first_year, last_year + 1, step):
            x = left + plot * (datetime.date(year, 1, 1).toordinal() - first) / span
            parts.append(_text(x, base + 16, year, size=11, anchor="middle"))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
