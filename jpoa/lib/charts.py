"""Charts as plain, accessible SVG, drawn on the server: the same markup on the web and in reports.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (named by
``aria-labelledby``), an axis label, and every value written as text beside its bar,
so the chart reads without colour, without JavaScript and in a screen reader. The
markup uses presentation attributes and class names only (no ``style`` attribute,
no script), so it passes a strict Content Security Policy and can be embedded in a
page, saved as a file or placed in a PDF.
"""

import itertools
from dataclasses import dataclass

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
