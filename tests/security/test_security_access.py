"""Object-level access everywhere: the back office, the API, the public outputs.

The rounds pages' checks (a focal point reaches only its organisation's rows)
are in tests/test_access.py; these cover the other doors.
"""

import pytest
from django.contrib.auth.models import Permission
from public_outputs import WEB_SOURCES, public_outputs

from jpoa.api.models import ApiToken
from jpoa.matrix.editions import publish_edition
from jpoa.matrix.models import Activity
from tests.factories import PUBLISHER, focal_point, make_user, titled_activity


@pytest.fixture
def world(default_data):
    return {
        "osce_act": titled_activity("osce", "Police reform"),
        "unodc_act": titled_activity("unodc", "Legal assistance"),
    }


def test_the_back_office_is_for_coordinators_only(client, world):
    """Staff status and every model permission do not open it to a focal point."""
    fp = focal_point("osce")
    fp.is_staff = True
    fp.save()
    fp.user_permissions.set(Permission.objects.filter(content_type__app_label="matrix"))
    client.force_login(fp)
    other = world["unodc_act"]
    url = f"/en/admin/matrix/activity/{other.pk}/change/"
    for response in (
        client.get("/en/admin/"),
        client.get(url),
        client.post(url, {"title_en": "x"}),
    ):
        assert response.status_code == 302 and "/admin/login/" in response.url
    other.refresh_from_db()
    assert other.title_en == "Legal assistance" and other.version == 1


def test_a_coordinator_uses_the_back_office(client, world):
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    assert client.get("/en/admin/matrix/activity/").status_code == 200


def test_the_api_refuses_another_organisations_activity(client, world):
    _record, token = ApiToken.issue(user=focal_point("osce"), name="t")
    other = world["unodc_act"]
    response = client.patch(
        f"/api/v1/activities/{other.key}",
        {"title": {"en": "Hijacked"}, "version": other.version},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code in (403, 404)
    assert client.delete(
        f"/api/v1/activities/{other.key}", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).status_code in (403, 404)
    other.refresh_from_db()
    assert other.title_en == "Legal assistance"
    assert client.get(
        f"/api/v1/activities/{other.key}/draft", HTTP_AUTHORIZATION=f"Bearer {token}"
    ).status_code in (403, 404)


def test_drafts_are_in_no_public_output(client, world):
    """Activities not yet in a published edition are drafts: no page, API or download shows them."""
    publish_edition(by=PUBLISHER, title="First")
    titled_activity("osce", "Unpublished draft QWV-5512")
    Activity.objects.filter(pk=world["osce_act"].pk).update(title_en="Edited draft QWV-5512")
    looked_at = 0
    for label, text in public_outputs(client, WEB_SOURCES):
        assert "QWV-5512" not in text, label
        looked_at += 1
    assert looked_at > 40
