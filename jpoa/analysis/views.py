"""The analysis pages: gaps and trends for everyone, overlaps for coordinators."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jpoa.accounts.access import can_edit_activity, is_coordinator
from jpoa.lib.params import whole_number
from jpoa.matrix.editing import EditConflict
from jpoa.matrix.models import Activity
from jpoa.matrix.selectors import pick_edition, published_editions
from jpoa.matrix.writes import update_activity
from jpoa.plan.models import Framework, Pillar

from . import pages
from .gaps import REGION_RULE
from .overlaps import dismiss_overlap, find_overlaps
from .trends import event_trends


def _edition(request: HttpRequest):
    editions = published_editions()
    try:
        number = int(request.GET["edition"])
    except (KeyError, ValueError):
        number = None
    return editions, pick_edition(editions, number)


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, template, {**context, "coordinator": is_coordinator(request.user)})


def _year(request: HttpRequest, name: str) -> int | None:
    return whole_number(request.GET.get(name, ""), minimum=1900, maximum=2100)


def index(request: HttpRequest) -> HttpResponse:
    return redirect("analysis:gaps")


def _framework(request: HttpRequest) -> str | None:
    """The key of a recorded framework the request names (`?framework=`), else None."""
    key = request.GET.get("framework", "")
    return key if key and Framework.objects.filter(key=key).exists() else None


def gaps(request: HttpRequest) -> HttpResponse:
    editions, edition = _edition(request)
    context = {
        "editions": editions,
        "edition": edition,
        "section": "gaps",
        "frameworks": Framework.objects.all(),
    }
    if edition is not None:
        year_from, year_to = _year(request, "from"), _year(request, "to")
        analysis = pages.edition_gaps(edition, year_from, year_to, _framework(request))
        context.update(
            analysis=analysis, heatmap=pages.gaps_heatmap(analysis), region_rule=REGION_RULE
        )
    return _render(request, "analysis/gaps.html", context)


def gaps_json(request: HttpRequest) -> JsonResponse:
    """The gaps page's data: every pillar and plan item cell of the edition, ranked."""
    _editions, edition = _edition(request)
    if edition is None:
        return JsonResponse({"edition": None, "cells": []})
    framework = _framework(request)
    analysis = pages.edition_gaps(edition, _year(request, "from"), _year(request, "to"), framework)
    cells = sorted([*analysis.pillar_cells, *analysis.item_cells], key=lambda c: c.rank())
    areas = sorted(analysis.area_cells, key=lambda c: c.rank())
    return JsonResponse(
        {
            "edition": edition.number,
            "previous_edition": analysis.previous.number if analysis.previous else None,
            "region_rule": str(REGION_RULE),
            "cells": [
                {
                    "subject": c.subject_key,
                    "country": c.country.iso2,
                    "state": c.state,
                    "current_activities": c.current,
                    "organisations": c.organisations,
                    "region_wide_activities": c.region_wide,
                    "activities_ever": c.ever,
                    "last_year": c.last_year,
                    "trend": c.trend,
                    "explanation": c.explanation,
                }
                for c in cells
            ],
            **(
                {
                    "framework": framework,
                    "area_cells": [
                        {
                            "subject": f"{framework}/{c.subject_key}",
                            "country": c.country.iso2,
                            "state": c.state,
                            "current_activities": c.current,
                            "organisations": c.organisations,
                            "region_wide_activities": c.region_wide,
                            "activities_ever": c.ever,
                            "last_year": c.last_year,
                            "trend": c.trend,
                            "explanation": c.explanation,
                        }
                        for c in areas
                    ],
                }
                if framework
                else {}
            ),
        },
        json_dumps_params={"ensure_ascii": False},
    )


def trends(request: HttpRequest) -> HttpResponse:
    editions, edition = _edition(request)
    events = event_trends()
    context = {
        "editions": editions,
        "edition": edition,
        "section": "trends",
        "events": events,
        "event_charts": pages.event_charts(events),
    }
    if edition is not None:
        activity = pages.edition_trends(edition)
        context.update(
            activity=activity,
            activity_charts=pages.activity_charts(activity),
            activity_rows=pages.activity_rows(activity),
        )
    return _render(request, "analysis/trends.html", context)


def overlaps(request: HttpRequest) -> HttpResponse:
    if not is_coordinator(request.user):
        raise PermissionDenied
    editions, edition = _edition(request)
    found = find_overlaps(edition) if edition else []
    return _render(
        request,
        "analysis/overlaps.html",
        {"editions": editions, "edition": edition, "overlaps": found, "section": "overlaps"},
    )


@require_POST
def dismiss(request: HttpRequest) -> HttpResponse:
    if not is_coordinator(request.user):
        raise PermissionDenied
    first, second = request.POST.get("first", ""), request.POST.get("second", "")
    if not first or not second or first == second:
        messages.error(request, _("Choose the two activities of a suggested overlap."))
    else:
        dismiss_overlap(
            first_key=first,
            second_key=second,
            user=request.user,
            reason=request.POST.get("reason", "")[:2000],
        )
        messages.success(request, _("The suggestion is dismissed and will not be shown again."))
    edition = request.POST.get("edition", "")
    url = reverse("analysis:overlaps")
    return redirect(f"{url}?edition={edition}" if whole_number(edition) else url)


@require_POST
def accept_suggestions(request: HttpRequest, pk: int) -> HttpResponse:
    """Give an activity the pillars the editor ticked among the suggestions."""
    activity = get_object_or_404(Activity, pk=pk)
    if not can_edit_activity(request.user, activity):
        raise PermissionDenied
    ids = [n for n in map(whole_number, request.POST.getlist("pillar")) if n is not None]
    chosen = list(Pillar.objects.filter(pk__in=ids))
    version = whole_number(request.POST.get("version", "")) or 0
    try:
        update_activity(
            activity_id=pk, data={"pillars": chosen}, expected_version=version, user=request.user
        )
    except EditConflict as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, _("The pillars are saved."))
    return redirect("admin:matrix_activity_change", pk)
