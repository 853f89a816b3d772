"""An event's participants and documents through the API: whole lists, rules, audit."""

import json

from auditlog.models import LogEntry

from jpoa.events.models import Event, EventParticipants
from tests.factories import bearer, coordinator, focal_point


def put(client, path, body, **headers):
    return client.put(
        f"/api/v1{path}", json.dumps(body), content_type="application/json", **headers
    )


GROUPS = [
    {"country": "kz", "women": 3, "men": 5, "total": 9},
    {"organisation": "osce", "total": 2},
]


def test_a_coordinator_replaces_the_breakdown_audited(client, default_data):
    event = Event.objects.first()
    user = coordinator()
    response = put(client, f"/events/{event.key}/participants", GROUPS, **bearer(user))
    assert response.status_code == 200
    groups = response.json()["participants"]
    assert [(g["country"], g["women"], g["total"]) for g in groups] == [
        ("KZ", 3, 9),
        (None, None, 2),
    ]
    assert EventParticipants.objects.filter(event=event).count() == 2
    created = LogEntry.objects.get_for_model(EventParticipants).filter(actor=user)
    assert created.count() == 2


def test_invalid_rows_change_nothing_and_are_named(client, default_data):
    event = Event.objects.first()
    before = list(EventParticipants.objects.filter(event=event).values_list("pk", flat=True))
    bad = [{"country": "KZ", "women": 8, "men": 5, "total": 9}, {"country": "XX", "total": 1}]
    response = put(client, f"/events/{event.key}/participants", bad, **bearer(coordinator()))
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert "body.1.country" in fields
    again = put(client, f"/events/{event.key}/participants", bad[:1], **bearer(coordinator("c2")))
    assert again.status_code == 422 and "more than the total" in again.json()["detail"]
    after = list(EventParticipants.objects.filter(event=event).values_list("pk", flat=True))
    assert after == before


def test_documents_are_replaced_and_others_may_not(client, default_data):
    event = Event.objects.first()
    documents = [{"kind": "report", "title": {"en": "Report", "ru": "Отчёт"}, "url": ""}]
    denied = put(client, f"/events/{event.key}/documents", documents, **bearer(focal_point("osce")))
    assert denied.status_code == 403
    response = put(client, f"/events/{event.key}/documents", documents, **bearer(coordinator()))
    assert response.status_code == 200
    assert [d["title"]["ru"] for d in response.json()["documents"]] == ["Отчёт"]
