"""The audit trail: read-only in the back office; it names who acted, on the web, API and CLI."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.urls import reverse

from jpoa.api.models import ApiToken
from jpoa.matrix.models import Activity, Edition
from jpoa.rounds import services
from jpoa.rounds.models import Proposal
from tests.factories import coordinator, focal_point, make_user, proposal_post, titled_activity


@pytest.fixture
def root(default_data):
    return make_user("root", is_superuser=True, is_staff=True)


@pytest.fixture
def entry(root):
    activity = titled_activity("osce", "Police reform")
    return LogEntry.objects.get_for_object(activity).first()


def actors_since(mark: int, obj) -> set:
    """Who the audit entries about OBJ written after entry MARK name."""
    entries = LogEntry.objects.get_for_object(obj).filter(pk__gt=mark)
    assert entries.exists()
    return {entry.actor for entry in entries}


def last_entry() -> int:
    return LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_the_back_office_cannot_add_change_or_delete_audit_entries(client, root, entry):
    client.force_login(root)
    base = "/en/admin/auditlog/logentry/"
    before = LogEntry.objects.values().get(pk=entry.pk)
    count = LogEntry.objects.count()

    assert client.get(base).status_code == 200  # it can be read...
    assert client.get(f"{base}{entry.pk}/change/").status_code == 200
    assert client.get(f"{base}add/").status_code == 403  # ...and nothing else
    assert client.post(f"{base}{entry.pk}/change/", {"changes": "{}"}).status_code == 403
    assert client.get(f"{base}{entry.pk}/delete/").status_code == 403
    assert client.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(base, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"})

    assert LogEntry.objects.values().get(pk=entry.pk) == before
    assert LogEntry.objects.count() == count


def test_a_web_change_names_the_user(client, default_data):
    coord, fp = coordinator(), focal_point("osce")
    services.open_round(title="R", deadline=datetime.date(2030, 1, 1), user=coord)
    activity = titled_activity("osce", "Police reform")
    client.force_login(fp)
    mark = last_entry()
    url = reverse("rounds:edit", args=[activity.pk])
    assert client.post(url, proposal_post(activity, title_en="Better title")).status_code == 302
    proposal = Proposal.objects.get()
    assert actors_since(mark, proposal) == {fp}


def test_an_api_change_names_the_tokens_user(client, default_data):
    user = focal_point("osce")
    activity = titled_activity("osce", "Police reform")
    _record, token = ApiToken.issue(user=user, name="sync")
    mark = last_entry()
    response = client.patch(
        f"/api/v1/activities/{activity.key}",
        {"title": {"en": "Police reform II"}, "version": activity.version},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200, response.content
    assert actors_since(mark, activity) == {user}


def test_command_line_changes_name_the_user(default_data, tmp_path):
    coord = coordinator()
    mark = last_entry()
    csv = tmp_path / "a.csv"
    csv.write_text("organisation,title,country,status,start\nOSCE,CLI row,KZ,ongoing,2015-01-01\n")
    call_command("import", str(csv), "--yes", "--user", "coord")
    activity = Activity.objects.get(title_en="CLI row")
    assert actors_since(mark, activity) == {coord}

    call_command("publish", "--title", "From the command line", "--user", "coord")
    edition = Edition.objects.get(title_en="From the command line")
    assert edition.published_by == coord
    assert actors_since(mark, edition) == {coord}
