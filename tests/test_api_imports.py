"""Imports through the API: upload, check, confirm; coordinators only."""

import io

from jpoa.exchange.models import ImportRecord
from jpoa.matrix.models import Activity
from tests.factories import bearer, coordinator, focal_point

CSV = """Lead organisation,Title (English),Pillars,Countries,Status
OSCE,Police reform,II,KZ,ongoing
UNODC,Border control,IV,TJ,planned
"""


def upload(client, text: str, name: str = "rows.csv", **headers):
    file = io.BytesIO(text.encode())
    file.name = name
    return client.post("/api/v1/imports", {"file": file}, **headers)


def test_a_coordinator_uploads_checks_and_confirms(client, default_data):
    headers = bearer(coordinator())
    response = upload(client, CSV, **headers)
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending" and body["counts"]["add"] == 2
    assert not body["has_errors"] and Activity.objects.count() == 0
    confirmed = client.post(f"/api/v1/imports/{body['id']}/confirm", **headers)
    assert confirmed.status_code == 202
    status = client.get(f"/api/v1/imports/{body['id']}", **headers).json()
    assert status["status"] == "applied" and Activity.objects.count() == 2
    again = client.post(f"/api/v1/imports/{body['id']}/confirm", **headers)
    assert again.status_code == 409 and "applied" in again.json()["detail"]


def test_errors_come_back_with_row_and_column_and_nothing_is_written(client, default_data):
    headers = bearer(coordinator())
    body = upload(client, CSV.replace(",KZ,", ",Kazakstna,"), **headers).json()
    assert body["has_errors"]
    issue = body["issues"][0]
    assert (issue["row"], issue["field"], issue["suggestion"]) == (2, "Countries", "Kazakhstan")
    assert client.post(f"/api/v1/imports/{body['id']}/confirm", **headers).status_code == 202
    assert ImportRecord.objects.get().status == "failed" and Activity.objects.count() == 0


def test_others_may_not_import(client, default_data):
    assert upload(client, CSV).status_code == 401
    response = upload(client, CSV, **bearer(focal_point("osce")))
    assert response.status_code == 403 and ImportRecord.objects.count() == 0
