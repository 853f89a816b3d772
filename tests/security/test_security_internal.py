"""Internal fields are never published: a marker put in each is found in no public output."""

import pytest
from django.apps import apps
from public_outputs import public_outputs

from jpoa.accounts.internal import INTERNAL_FIELDS
from jpoa.matrix.editions import publish_edition
from tests.factories import PUBLISHER, make_user, titled_activity

MARKER = "ZQX-INTERNAL-7731"


@pytest.fixture
def marked(default_data):
    """Every internal field of every record holds the marker; then an edition is published."""
    for organisation in ("osce", "unodc", "unrcca"):
        titled_activity(organisation, f"{organisation} border management")
    filled = 0
    for label, names in INTERNAL_FIELDS.items():
        filled += apps.get_model(label).objects.update(
            **{name: f"{MARKER} {name}" for name in names}
        )
    assert filled > 0
    publish_edition(by=PUBLISHER, title="Edition with internal notes")
    return filled


def test_no_public_output_contains_an_internal_field(client, marked):
    looked_at = []
    for label, text in public_outputs(client):
        assert MARKER not in text, f"an internal field is published in {label}"
        looked_at.append(label)
    # The crawl must really have reached each kind of output.
    print(f"{len(looked_at)} public outputs looked at")
    assert len(looked_at) > 40
    assert any("border-management" in label for label in looked_at)
    for expected in ("/api/v1/activities", "matrix.xlsx", "datapackage.zip", "jpoa export json"):
        assert any(label.startswith(expected) for label in looked_at), expected
    assert any("/events/" in label for label in looked_at)
    assert any("/findings/" in label for label in looked_at)


def test_internal_fields_are_kept_for_the_team(client, marked):
    """The marker is really in the database, and coordinators see it in the back office."""
    from jpoa.matrix.models import Activity

    activity = Activity.objects.first()
    assert MARKER in activity.internal_notes
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    page = client.get(f"/en/admin/matrix/activity/{activity.pk}/change/")
    assert MARKER in page.content.decode()


def test_a_field_that_looks_internal_must_be_declared():
    from jpoa.accounts.internal import check_internal_fields

    assert check_internal_fields() == []
