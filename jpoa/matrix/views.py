"""The public matrix pages: thin views over `selectors`, published editions only.

A page shows published editions, which never change, and names of organisations,
countries and pillars: what it shows changes only when the public data changes (an
edition is published, a record edited, a data set loaded). So the pages a visitor who
is not signed in gets are kept in the cache, keyed by their URL and the time the data
last changed, and served from there until then.
"""

import html
import re
from dataclasses import dataclass, field, fields, replace
from types import SimpleNamespace
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import conditional_escape as escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from jpoa.lib import pagecache

from . import selectors
from .editions import compare_editions
from .forms import MatrixFilterForm
from .models import Edition
from .selectors import FilterOptions, Matrix, MatrixFilters, query_string
from .templatetags.matrix_tags import status_label

# The order of a URL's parameters, as `query_string` writes them.
URL_ORDER = ("edition", *(f.name for f in fields(MatrixFilters)))


@dataclass
class PageState:
    """What every matrix page reads from its URL: the editions, the chosen one, the filters."""

    editions: list[Edition]
    edition: Edition | None
    explicit_edition: Edition | None  # kept in links only when the URL named it
    form: MatrixFilterForm
    filters: MatrixFilters
    options: FilterOptions
    _query: str | None = field(default=None, repr=False)

    def query(self, **overrides) -> str:
        if overrides:
            return query_string(self.filters, self.explicit_edition, **overrides)
        if self._query is None:  # a page writes it in a dozen links
            self._query = query_string(self.filters, self.explicit_edition)
        return self._query


def _state(request: HttpRequest) -> PageState:
    editions = selectors.published_editions()
    options = selectors.filter_options()
    form = MatrixFilterForm(request.GET, options=options, editions=editions)
    number = form.edition_number()
    edition = selectors.pick_edition(editions, number)
    explicit = edition if number is not None and edition and edition.number == number else None
    return PageState(editions, edition, explicit, form, form.filters(), options)


def _link(matrix: Matrix, state: PageState) -> Matrix:
    """Give every cell, row and column the URL of its activities, with the page's filters.

    A matrix has thousands of cells: the page's own parameters are read once, not per cell.
    """
    base = reverse("matrix:activities")
    page = state.filters.params()
    if state.explicit_edition is not None:
        page = {"edition": state.explicit_edition.number, **page}

    quoted: dict[tuple, str] = {}  # each parameter quoted once (a page has hundreds of links)

    def pair(name: str, value) -> str:
        found = quoted.get((name, value))
        if found is None:
            found = quoted[name, value] = urlencode({name: value})
        return found

    def url(params: dict) -> str:
        merged = {**page, **params}
        return f"{base}?{'&'.join(pair(k, merged[k]) for k in URL_ORDER if k in merged)}"

    for column in matrix.columns:
        column.url = url(column.params)
    for row in matrix.rows:
        row.url = url(row.params)
        for cell in row.cells:
            cell.url = url(cell.params)
    return matrix


def _matrix_page(request: HttpRequest, template: str, build) -> HttpResponse:
    state = _state(request)
    matrix = _link(build(state.edition, state.filters), state) if state.edition else None
    rows = _table_rows(matrix, state, shaded=True) if matrix else ""
    return render(request, template, {"state": state, "matrix": matrix, "table_rows": rows})


def _table_rows(matrix: Matrix, state: PageState, *, shaded: bool) -> SafeString:
    """The rows of a matrix's table (`matrix/_table.html`) as HTML, escaped here.

    A page of the classic matrix has sixty organisations' rows of five cells, each with
    up to a few titles: through the template engine they were three fifths of the time
    of a page asked for the first time (issue #20). Values are escaped as the template
    escaped them (`conditional_escape`, which leaves what is marked safe as it is).
    """
    if not matrix.rows:
        empty = escape(gettext("No activity matches these filters."))
        return mark_safe(f'<tr><td colspan="{len(matrix.columns) + 1}">{empty}</td></tr>')  # noqa: S308
    activities_word, none_word = escape(gettext("activities")), escape(gettext("none"))
    none = f'<span aria-label="{none_word}">—</span>'
    edition = f"?edition={state.explicit_edition.number}" if state.explicit_edition else ""
    activity_url = _activity_url()
    out = []
    for row in matrix.rows:
        kind = f' class="matrix-row-{escape(row.kind)}"' if row.kind else ""
        note = f' <span class="matrix-note">{escape(row.note)}</span>' if row.note else ""
        out.append(
            f'<tr{kind}>\n<th scope="row"><a href="{escape(row.url)}">{escape(row.label)}</a>'
            f"{note}</th>"
        )
        for cell in row.cells:
            shade = f"shade-{cell.shade}" if shaded else ""
            if not cell.count:
                out.append(f'<td class="{shade}">{none}</td>')
                continue
            titles = "".join(
                f'<li><a href="{escape(activity_url(a["key"]))}{edition}">{escape(a["title"])}</a></li>'
                for a in cell.activities
            )
            listed = f'<ul class="matrix-cell-activities">{titles}</ul>' if titles else ""
            out.append(
                f'<td class="{shade}"><a href="{escape(cell.url)}" class="matrix-cell-count">'
                f'{cell.count}<span class="visually-hidden"> {activities_word}</span></a>'
                f"{listed}</td>"
            )
        out.append("</tr>")
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped


# The parameters the matrix pages read (`_state`), and a list's page.
MATRIX_PARAMS = (*URL_ORDER, "page")


def published_page(view=None, *, params: tuple[str, ...] = MATRIX_PARAMS):
    """`jpoa.lib.pagecache.published_page`, reading the matrix pages' parameters."""
    return pagecache.published_page(view, params=params)


# Organisations shown on one page of the classic matrix: with hundreds of them the whole
# table weighed 550-600 KB of HTML (issue #20); a page of rows stays near 100 KB.
ROWS_PER_PAGE = 60


@published_page
def organisations(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    matrix = rows = None
    if state.edition:
        matrix = selectors.organisations_by_pillars(state.edition, state.filters)
        rows = Paginator(matrix.rows, ROWS_PER_PAGE).get_page(request.GET.get("page", 1))
        matrix = _link(replace(matrix, rows=list(rows.object_list)), state)
    context = {
        "state": state,
        "matrix": matrix,
        "rows_page": rows,
        "table_rows": _table_rows(matrix, state, shaded=False) if matrix else "",
    }
    return render(request, "matrix/organisations.html", context)


@published_page
def heatmap(request: HttpRequest) -> HttpResponse:
    return _matrix_page(request, "matrix/heatmap.html", selectors.countries_by_pillars)


@published_page
def plan_items(request: HttpRequest) -> HttpResponse:
    return _matrix_page(request, "matrix/plan_items.html", selectors.items_by_countries)


@published_page
def activities(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    page = None
    if state.edition:
        number = request.GET.get("page", 1)
        page = selectors.activity_list(state.edition, state.filters, number, options=state.options)
        _link_activities(page.object_list)
    rows = _activity_rows(page.object_list, state.explicit_edition) if page else ""
    return render(request, "matrix/activities.html", {"state": state, "page": page, "rows": rows})


SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def _link_activities(rows: list) -> None:
    """Each row's link to its activity page (`_activity_url`)."""
    url = _activity_url()
    for row in rows:
        row.url = url(row.key)


def _activity_url():
    """A function giving an activity's page from its key: one `reverse` a page, not one a
    link (a key is a slug, as the URL pattern wants: the link is the pattern's with the
    key in it)."""
    sample_key = "key-of-the-activity"  # any slug: the address is cut around it
    head, tail = reverse("matrix:activity", args=[sample_key]).split(sample_key)

    def url(key: str) -> str:
        return (
            f"{head}{key}{tail}" if SLUG.fullmatch(key) else reverse("matrix:activity", args=[key])
        )

    return url


def _activity_rows(rows: list, explicit_edition: Edition | None) -> SafeString:
    """The list's rows as HTML, escaped here rather than in the template.

    Fifty rows of six cells through the template engine were half the time of a list
    asked for the first time (issue #20); the table around them stays in the template.
    Each value is escaped as the template would (`html.escape`, which Django's `escape`
    calls).
    """
    edition = f"?edition={explicit_edition.number}" if explicit_edition else ""
    none, region = "—", html.escape(gettext("region-wide"))
    statuses: dict = {}
    out = []
    for a in rows:
        status = statuses.get(a.status)
        if status is None:
            status = statuses[a.status] = html.escape(status_label(a.status))
        where = ", ".join(html.escape(c) for c in a.countries)
        if a.region_wide:
            where = f"{where}; {region}" if where else region
        lead = html.escape(a.lead_name) if a.lead_organisation else none
        out.append(
            "<tr>"
            f'<th scope="row"><a href="{html.escape(a.url)}{edition}">{html.escape(a.title)}</a></th>'
            f"<td>{lead}</td>"
            f"<td>{', '.join(str(p) for p in a.pillars) or none}</td>"
            f"<td>{where}</td>"
            f"<td>{html.escape(a.years) if a.years else none}</td>"
            f"<td>{status}</td>"
            "</tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped


@published_page(params=("edition",))
def activity(request: HttpRequest, key: str) -> HttpResponse:
    state = _state(request)
    found = selectors.activity_page(key, state.explicit_edition or state.edition)
    if found is None:
        raise Http404("This activity is in no published edition.")
    return render(request, "matrix/activity.html", {"state": state, "activity": found})


@published_page(params=())
def editions(request: HttpRequest) -> HttpResponse:
    context = {
        "editions": selectors.published_editions(),
        "offline_editions": selectors.offline_editions(),
    }
    return render(request, "matrix/editions.html", context)


@published_page(params=("from", "to"))
def compare(request: HttpRequest) -> HttpResponse:
    all_editions = selectors.published_editions()
    by_number = {str(e.number): e for e in all_editions}
    old, new = by_number.get(request.GET.get("from", "")), by_number.get(request.GET.get("to", ""))
    if old is None and new is None and len(all_editions) >= 2:
        old, new = all_editions[1], all_editions[0]
    comparison = compare_editions(old, new) if old and new else None
    if comparison:
        readable_changes(comparison)
    context = {"editions": all_editions, "old": old, "new": new, "comparison": comparison}
    return render(request, "matrix/compare.html", context)


def readable_changes(comparison) -> None:
    """Show organisations, countries and pillars by name in a comparison, not by code."""
    names = selectors.code_names()
    for changed in comparison.changed:
        changed.changes = [
            _readable(change, names.get(change.field, {})) for change in changed.changes
        ]


def _readable(change, names: dict) -> SimpleNamespace:
    def name(value):
        return names.get(value, value)

    return SimpleNamespace(
        field=change.field,
        language=change.language,
        before=[name(v) for v in change.before]
        if isinstance(change.before, list)
        else name(change.before),
        after=[name(v) for v in change.after]
        if isinstance(change.after, list)
        else name(change.after),
        added=[name(v) for v in change.added],
        removed=[name(v) for v in change.removed],
    )
