"""The write API: tokens, permissions as on the web, the editors' rules, conflicts, audit."""

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command

from jpoa.api.models import ApiToken, hash_token
from jpoa.matrix.models import Activity
from tests.factories import bearer, coordinator, focal_point, titled_activity

pytestmark = pytest.mark.django_db
API = "/api/v1"


NEW = {
    "lead_organisation": "osce",
    "title": {"en": "Border management training", "ru": "Обучение"},
    "status": "planned",
    "pillars": [2],
    "countries": ["KZ"],
    "start_date": "2016-01-01",
    "end_date": "2016-12-31",
}


def post(client, path, body, **headers):
    return client.post(API + path, body, content_type="application/json", **headers)


def patch(client, path, body, **headers):
    return client.patch(API + path, body, content_type="application/json", **headers)


def test_anonymous_writes_are_401_problems(client, default_data):
    response = post(client, "/activities", NEW)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert Activity.objects.count() == 0


def test_a_revoked_token_is_401(client, default_data):
    user = coordinator()
    record, token = ApiToken.issue(user=user, name="script")
    record.revoke()
    response = post(client, "/activities", NEW, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401


def test_only_the_hash_of_a_token_is_stored(default_data):
    record, token = ApiToken.issue(user=coordinator(), name="script")
    stored = ApiToken.objects.get(pk=record.pk)
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    assert token.startswith(stored.prefix)


def test_a_focal_point_adds_an_activity_of_their_organisation(client, default_data):
    response = post(client, "/activities", NEW, **bearer(focal_point("osce")))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["lead_organisation"] == "osce" and body["version"] == 1
    assert body["pillars"] == [2] and body["countries"] == ["KZ"]
    assert Activity.objects.get(key=body["key"]).title_ru == "Обучение"


def test_a_focal_point_of_another_organisation_is_403_and_nothing_changes(client, default_data):
    activity = titled_activity("osce", "Border posts")
    headers = bearer(focal_point("unodc"))
    assert post(client, "/activities", NEW, **headers).status_code == 403
    change = {"version": activity.version, "title": {"en": "Taken over"}}
    response = patch(client, f"/activities/{activity.key}", change, **headers)
    assert response.status_code == 403
    assert response.json()["status"] == 403
    assert client.delete(f"{API}/activities/{activity.key}", **headers).status_code == 403
    activity.refresh_from_db()
    assert activity.title_en == "Border posts" and activity.version == 1
    assert Activity.objects.count() == 1


def test_a_coordinator_changes_and_deletes_any_activity(client, default_data):
    activity = titled_activity("osce", "Border posts")
    headers = bearer(coordinator())
    change = {"version": 1, "title": {"en": "Border posts, phase 2"}, "status": "completed"}
    response = patch(client, f"/activities/{activity.key}", change, **headers)
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2 and response.json()["status"] == "completed"
    assert client.delete(f"{API}/activities/{activity.key}", **headers).status_code == 204
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_a_stale_version_is_a_409_problem_and_the_first_save_stays(client, default_data):
    activity = titled_activity("osce", "Border posts")
    headers = bearer(focal_point("osce"))
    first = {"version": 1, "title": {"en": "First"}}
    assert patch(client, f"/activities/{activity.key}", first, **headers).status_code == 200
    second = {"version": 1, "title": {"en": "Second"}}
    response = patch(client, f"/activities/{activity.key}", second, **headers)
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "body.version"
    activity.refresh_from_db()
    assert activity.title_en == "First"


def test_the_editors_rules_apply_and_name_the_field(client, default_data):
    headers = bearer(focal_point("osce"))
    bad = {**NEW, "end_date": "2015-01-01"}
    response = post(client, "/activities", bad, **headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.end_date"
    unknown = {**NEW, "countries": ["ZZ"]}
    assert post(client, "/activities", unknown, **headers).json()["errors"][0]["field"] == (
        "body.countries"
    )
    no_currency = {**NEW, "budget": "1000.00"}
    assert post(client, "/activities", no_currency, **headers).status_code == 422
    assert Activity.objects.count() == 0


def test_the_audit_trail_names_the_tokens_user(client, default_data):
    user = focal_point("osce")
    response = post(client, "/activities", NEW, **bearer(user))
    activity = Activity.objects.get(key=response.json()["key"])
    entry = LogEntry.objects.get_for_object(activity).first()
    assert entry.actor == user


def test_only_coordinators_write_events_findings_and_resources(client, default_data):
    event = {
        "key": "api-workshop",
        "kind": "training",
        "title": {"en": "Training"},
        "start_date": "2016-05-01",
        "country": "KZ",
        "pillars": [2],
    }
    assert post(client, "/events", event, **bearer(focal_point("osce"))).status_code == 403
    headers = bearer(coordinator())
    response = post(client, "/events", event, **headers)
    assert response.status_code == 201, response.content
    assert response.json()["country"] == "KZ"
    changed = patch(client, "/events/api-workshop", {"participants_total": 30}, **headers)
    assert changed.status_code == 200 and changed.json()["participants_total"] == 30
    finding = {"key": "api-gap", "kind": "gap", "text": {"en": "A gap"}, "event": "api-workshop"}
    assert post(client, "/findings", finding, **headers).status_code == 201
    status = {"status": "addressed", "date": "2017-01-01", "explanation": "Done."}
    response = post(client, "/findings/api-gap/status", status, **headers)
    assert response.status_code == 201 and response.json()["status"] == "addressed"
    resource = {"key": "api-guide", "kind": "guide", "title": {"en": "Guide"}, "year": 2016}
    assert post(client, "/resources", resource, **headers).status_code == 201
    assert (
        patch(client, "/resources/api-guide", {"symbol": "S/1"}, **headers).json()["symbol"]
        == "S/1"
    )


def test_the_token_command_creates_and_revokes(default_data, capsys):
    coordinator("coord")
    call_command("token", "create", "--user", "coord", "--name", "sync")
    token = capsys.readouterr().out.strip()
    assert ApiToken.user_for(token).username == "coord"
    call_command("token", "revoke", "--user", "coord", "--name", "sync")
    assert ApiToken.user_for(token) is None


def test_the_back_office_shows_a_new_token_once(client, default_data):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("boss", password="pw-long-enough-1")
    client.force_login(admin)
    response = client.post(
        "/en/admin/api/apitoken/add/", {"user": admin.pk, "name": "laptop"}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    token = next(w for m in messages for w in m.split() if w.startswith("jpoa_"))
    assert ApiToken.user_for(token) == admin
    assert token not in ApiToken.objects.get(name="laptop").token_hash
