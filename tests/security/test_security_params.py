"""Parameters that name a number: anything but plain digits in range is refused or ignored, never a 500."""

import pytest

from tests.factories import PASSWORD, coordinator

HOSTILE_NUMBERS = ["9223372036854775808", "99999999999999999999999", "²", "٣", "-1", "1e9", "0x10"]


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
@pytest.mark.parametrize(
    "path",
    [
        "/en/search/?q=border&pillar={}",
        "/en/search/?q=border&year={}",
        "/en/search/?q=border&page={}",
        "/en/matrix/?pillar={}",
        "/en/matrix/activities/?page={}",
        "/en/matrix/activities/?year_from={}",
        "/en/matrix/?edition={}",
        "/en/matrix/editions/compare/?from={}&to=1",
        "/en/data/matrix.csv?edition={}",
        "/en/analysis/trends/?from={}",
        "/api/v1/matrix/organisations-pillars?item={}",
        "/api/v1/activities?page={}",
        "/api/v1/events?page={}",
    ],
)
def test_a_hostile_number_is_never_a_server_error(client, default_data, path, value):
    response = client.get(path.format(value))
    assert response.status_code < 500, response.content[:300]


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
@pytest.mark.parametrize(
    "path",
    [
        "/en/admin/matrix/activity/?lead_organisation__id__exact={}",
        "/en/admin/matrix/activity/?pillars__id__exact={}",
        "/en/admin/matrix/activity/{}/change/",
        "/en/admin/events/event/?p={}",
    ],
)
def test_a_hostile_number_in_the_back_office_is_never_a_server_error(
    client, default_data, path, value
):
    coordinator("coord")
    client.login(username="coord", password=PASSWORD)
    response = client.get(path.format(value))
    assert response.status_code < 500, response.content[:300]


@pytest.mark.parametrize("value", HOSTILE_NUMBERS)
def test_accepting_pillar_suggestions_with_hostile_numbers_is_refused_cleanly(
    client, default_data, value
):
    from tests.factories import make_activity

    activity = make_activity("a1", "osce", pillars=(1,), countries=("KZ",))
    coordinator("coord")
    client.login(username="coord", password=PASSWORD)
    response = client.post(
        f"/en/analysis/activities/{activity.pk}/suggestions/accept/",
        {"pillar": [value], "version": value},
    )
    assert response.status_code < 500
