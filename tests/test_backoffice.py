"""The back office (Django admin) and the audit trail, through the HTTP client."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation

from jpoa.core.models import Country, Organisation, Source
from jpoa.events.models import (
    Event,
    EventDocument,
    EventParticipants,
    Finding,
    FindingStatusChange,
)
from jpoa.lib.provenance import Provenance
from jpoa.library.models import Resource, ResourceVersion
from jpoa.matrix.models import Activity, Edition, EditionEntry
from jpoa.plan.models import ActionItem, Participation, Phase, Pillar, Plan, PlanVersion, Strategy

pytestmark = pytest.mark.django_db

User = get_user_model()

ADMIN_MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


def admin_url(name: str, *args, lang: str = "en") -> str:
    with translation.override(lang):
        return reverse(f"admin:{name}", args=args)


def url_for(model, view: str, *args) -> str:
    return admin_url(f"{model._meta.app_label}_{model._meta.model_name}_{view}", *args)


@pytest.fixture
def coordinator(db):
    return get_user_model().objects.create_superuser(
        "coordinator", "coordinator@example.org", "a long passphrase for tests"
    )


@pytest.fixture
def staff_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def world(db):
    """One record of every model, linked as the default data set links them."""
    source = Source.objects.create(key="summary", kind="document", title="Programme summary")
    kz = Country.objects.create(iso2="KZ", iso3="KAZ", name_en="Kazakhstan", in_region=True)
    unodc = Organisation.objects.create(
        key="unodc",
        acronym_en="UNODC",
        name_en="United Nations Office on Drugs and Crime",
        name_ru="Управление ООН по наркотикам и преступности",
        type="un_entity",
        source=source,
    )
    strategy = Strategy.objects.create(key="gcts", title_en="UN Global CT Strategy")
    pillar = Pillar.objects.create(
        strategy=strategy, number=2, short_title_en="Preventing", title_en="Preventing terrorism"
    )
    plan = Plan.objects.create(key="jpoa", strategy=strategy, title_en="JPoA", region_en="CA")
    version = PlanVersion.objects.create(plan=plan, label="2011")
    item = ActionItem.objects.create(version=version, pillar=pillar, code="II.1", title_en="Item")
    Participation.objects.create(version=version, country=kz, status="adopted")
    Phase.objects.create(key="phase-1", plan=plan, number=1, title_en="Prep", start_year=2010)
    event = Event.objects.create(
        key="em-1", kind="expert_meeting", number=1, title_en="First", start_date="2010-11-01"
    )
    EventParticipants.objects.create(event=event, country=kz, total=10)
    resource = Resource.objects.create(key="strategy", kind="strategy", title_en="The Strategy")
    ResourceVersion.objects.create(resource=resource, language="en", url="https://un.org/")
    EventDocument.objects.create(event=event, kind="report", title_en="Report")
    activity = Activity.objects.create(
        key="unodc-border",
        lead_organisation=unodc,
        title_en="Border officers' training",
        title_ru="Подготовка пограничников",
        status="ongoing",
    )
    activity.pillars.add(pillar)
    activity.action_items.add(item)
    finding = Finding.objects.create(key="f-1", kind="need", text_en="More training", event=event)
    FindingStatusChange.objects.create(
        finding=finding, date="2012-01-01", status="open", explanation_en="Raised"
    )
    edition = Edition.objects.create(number=1, title_en="Matrix 2012", as_of="2012-06-01")
    EditionEntry.objects.create(
        edition=edition,
        activity=activity,
        activity_key=activity.key,
        lead_organisation_id_at=unodc.pk,
        status="ongoing",
        data={"title": activity.title_en},
    )
    return {"source": source, "country": kz, "organisation": unodc, "pillar": pillar}


def organisation_form(**values) -> dict:
    form = {
        "key": "osce",
        "acronym_en": "OSCE",
        "acronym_ru": "ОБСЕ",
        "name_en": "Organization for Security and Co-operation in Europe",
        "name_ru": "Организация по безопасности и сотрудничеству в Европе",
        "type": "regional",
        "parent": "",
        "country": "",
        "website": "",
        "iati_id": "",
        "description_en": "",
        "description_ru": "",
        "source": "",
        "source_locator": "",
        "classification_basis": "stated",
        "provenance_note": "",
    }
    # The identifiers and other names inlines, empty.
    for prefix in ("identifiers", "other_names"):
        form.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return {**form, **values}


def activity_form(lead: Organisation, pillar: Pillar, **values) -> dict:
    form = {
        "key": "osce-workshop",
        "iati_identifier": "",
        "lead_organisation": lead.pk,
        "title_en": "Regional workshop",
        "title_ru": "Региональный семинар",
        "description_en": "",
        "description_ru": "",
        "status": "planned",
        "start_date": "2013-05-01",
        "end_date": "",
        "pillars": [pillar.pk],
        "region_wide": "on",
        "budget": "",
        "currency": "",
        "source_url": "",
        "last_verified": "",
        "internal_notes": "",
        "source": "",
        "source_locator": "",
        "classification_basis": "stated",
        "provenance_note": "",
    }
    return {**form, **values}


def log_entries(obj, action) -> list[LogEntry]:
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(obj),
            object_pk=str(obj.pk),
            action=action,
        ).order_by("pk")
    )


def test_it_redirects_anonymous_users_to_login(client):
    response = client.get(admin_url("index"))
    assert response.status_code == 302
    assert response["Location"].startswith(admin_url("login"))


def test_it_logs_a_staff_user_in_and_lists_the_apps(client, coordinator):
    response = client.post(
        admin_url("login"),
        {
            "username": "coordinator",
            "password": "a long passphrase for tests",
            "next": "/en/admin/",
        },
    )
    assert response.status_code == 302

    page = client.get(admin_url("index")).content.decode()
    assert "jpoa back office" in page
    for app in ("Matrix of activities", "Events and findings", "Library", "Audit log"):
        assert app in page


def test_it_serves_the_back_office_in_russian(staff_client):
    assert staff_client.get(admin_url("index", lang="ru")).status_code == 200


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda model: model._meta.label)
def test_it_opens_every_changelist_and_add_page(staff_client, world, model):
    model_admin = admin.site._registry[model]
    assert staff_client.get(url_for(model, "changelist")).status_code == 200

    request = type("Request", (), {"user": get_user_model().objects.get()})()
    expected = 200 if model_admin.has_add_permission(request) else 403
    add_page = staff_client.get(url_for(model, "add"))
    assert add_page.status_code == expected
    if expected == 200 and issubclass(model, Provenance):
        page = add_page.content.decode()
        assert 'class="module aligned collapse"' in page
        assert 'name="classification_basis"' in page

    obj = model.objects.first()
    if obj is not None:
        assert staff_client.get(url_for(model, "change", obj.pk)).status_code == 200


def test_it_finds_activities_by_russian_title(staff_client, world):
    response = staff_client.get(url_for(Activity, "changelist"), {"q": "пограничников"})
    assert "Border officers" in response.content.decode()

    response = staff_client.get(url_for(Activity, "changelist"), {"q": "семинар"})
    assert "Border officers" not in response.content.decode()


def test_it_finds_organisations_by_russian_name(staff_client, world):
    response = staff_client.get(url_for(Organisation, "changelist"), {"q": "наркотикам"})
    assert "UNODC" in response.content.decode()


def test_it_audits_an_organisation_created_and_edited_in_the_admin(staff_client, coordinator):
    response = staff_client.post(url_for(Organisation, "add"), organisation_form())
    assert response.status_code == 302
    osce = Organisation.objects.get(key="osce")
    [created] = log_entries(osce, LogEntry.Action.CREATE)
    assert created.actor == coordinator
    assert created.changes_dict["name_ru"][1] == osce.name_ru

    form = organisation_form(name_ru="ОБСЕ (Организация)", website="https://www.osce.org/")
    response = staff_client.post(url_for(Organisation, "change", osce.pk), form)
    assert response.status_code == 302
    [updated] = log_entries(osce, LogEntry.Action.UPDATE)
    assert updated.actor == coordinator
    assert updated.changes_dict["name_ru"] == [
        "Организация по безопасности и сотрудничеству в Европе",
        "ОБСЕ (Организация)",
    ]
    assert updated.changes_dict["website"] == ["", "https://www.osce.org/"]
    assert "name_en" not in updated.changes_dict


def test_it_audits_an_activity_and_its_pillars(staff_client, coordinator, world):
    lead, pillar = world["organisation"], world["pillar"]
    response = staff_client.post(url_for(Activity, "add"), activity_form(lead, pillar))
    assert response.status_code == 302
    activity = Activity.objects.get(key="osce-workshop")
    entries = log_entries(activity, LogEntry.Action.CREATE)
    assert entries and all(entry.actor == coordinator for entry in entries)
    assert entries[0].changes_dict["title_ru"][1] == "Региональный семинар"
    # Its links are part of its creation, in auditlog's form for a change of links.
    pillars = {"type": "m2m", "operation": "add", "objects": [str(pillar)]}
    assert entries[0].changes_dict["pillars"] == pillars

    form = activity_form(
        lead, pillar, status="ongoing", pillars=[], loaded_version=activity.version
    )
    response = staff_client.post(url_for(Activity, "change", activity.pk), form)
    assert response.status_code == 302
    changes = [e.changes_dict for e in log_entries(activity, LogEntry.Action.UPDATE)]
    assert any(c.get("status") == ["planned", "ongoing"] for c in changes)
    assert any(c.get("pillars", {}).get("operation") == "delete" for c in changes)
    assert all(e.actor == coordinator for e in log_entries(activity, LogEntry.Action.UPDATE))


def test_it_shows_the_audit_log_of_an_object(staff_client):
    staff_client.post(url_for(Organisation, "add"), organisation_form())
    osce = Organisation.objects.get(key="osce")
    staff_client.post(url_for(Organisation, "change", osce.pk), organisation_form(iati_id="XM-1"))

    change_form = staff_client.get(url_for(Organisation, "change", osce.pk)).content.decode()
    history_url = url_for(Organisation, "auditlog", osce.pk)
    assert history_url in change_form

    history = staff_client.get(history_url)
    assert history.status_code == 200
    assert "XM-1" in history.content.decode()
    assert "coordinator" in history.content.decode()


def test_it_keeps_edition_entries_immutable(staff_client, world):
    entry = EditionEntry.objects.get()
    response = staff_client.post(url_for(EditionEntry, "change", entry.pk), {"status": "ended"})
    assert response.status_code == 403
    assert staff_client.post(url_for(EditionEntry, "delete", entry.pk)).status_code == 403
    entry.refresh_from_db()
    assert entry.status == "ongoing"

    page = staff_client.get(url_for(EditionEntry, "change", entry.pk)).content.decode()
    assert 'name="_save"' not in page


def test_it_keeps_published_editions_immutable(staff_client, world):
    edition = Edition.objects.get()
    form = {"number": 1, "title_en": "Rewritten", "as_of": "2012-06-01"}
    assert staff_client.post(url_for(Edition, "change", edition.pk), form).status_code == 403
    assert staff_client.post(url_for(Edition, "delete", edition.pk)).status_code == 403
    edition.refresh_from_db()
    assert edition.title_en == "Matrix 2012"


def test_it_lists_activities_in_a_bounded_number_of_queries(
    staff_client, world, django_assert_max_num_queries
):
    pillar = world["pillar"]
    for n in range(30):
        lead = Organisation.objects.create(key=f"org-{n}", name_en=f"Org {n}", type="ngo")
        activity = Activity.objects.create(
            key=f"a-{n}",
            lead_organisation=lead,
            title_en=f"Activity {n}",
            status="ongoing",
            start_date=datetime.date(2015, 1, 1),
        )
        activity.pillars.add(pillar)

    with django_assert_max_num_queries(10):
        response = staff_client.get(url_for(Activity, "changelist"))
    assert response.status_code == 200
    assert "Org 29" in response.content.decode()


def test_it_offers_lead_organisations_by_autocomplete_in_russian(staff_client, world):
    params = {
        "app_label": "matrix",
        "model_name": "activity",
        "field_name": "lead_organisation",
        "term": "преступности",
    }
    response = staff_client.get(admin_url("autocomplete"), params)
    assert [r["text"] for r in response.json()["results"]] == ["UNODC"]


def test_it_filters_activities_by_pillar_and_status(staff_client, world):
    params = {"pillars__id__exact": world["pillar"].pk, "status__exact": "ongoing"}
    response = staff_client.get(url_for(Activity, "changelist"), params)
    assert "Border officers" in response.content.decode()

    params["status__exact"] = "completed"
    response = staff_client.get(url_for(Activity, "changelist"), params)
    assert "Border officers" not in response.content.decode()


# -- publishing and conflicts through the back office ---------------------------------


def test_it_publishes_an_edition_from_the_back_office(client, default_data):
    from jpoa.core.models import Organisation
    from jpoa.matrix.models import Activity, Edition

    coordinator = User.objects.create_superuser("coord", "c@example.org", "pw-long-enough-1")
    client.force_login(coordinator)
    Activity.objects.create(
        key="osce-border",
        lead_organisation=Organisation.objects.get(key="osce"),
        title_en="Border management course",
        status="ongoing",
    )
    changelist = client.get("/en/admin/matrix/edition/")
    assert "/en/admin/matrix/edition/publish/" in changelist.content.decode()
    assert client.get("/en/admin/matrix/edition/add/").status_code == 403

    response = client.post(
        "/en/admin/matrix/edition/publish/", {"title": "Matrix as of May 2026", "as_of": ""}
    )

    assert response.status_code == 302
    edition = Edition.objects.get()
    assert (edition.number, edition.title_en, edition.activity_count) == (
        1,
        "Matrix as of May 2026",
        1,
    )
    assert edition.published_by == coordinator
    assert "Published edition 1 with 1 activity." in client.get(response.url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_publication_from_the_back_office_waits_for_the_worker(client, settings):
    from django.core.management import call_command

    from jpoa.dataset import DEFAULT_DATASET
    from jpoa.dataset.load import load_dataset
    from jpoa.matrix.models import Edition
    from tests.factories import make_activity

    load_dataset(DEFAULT_DATASET)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    make_activity("osce-border", "osce")
    coordinator = User.objects.create_superuser("coord", "c@example.org", "pw-long-enough-1")
    client.force_login(coordinator)

    response = client.post("/en/admin/matrix/edition/publish/", {"title": "Queued edition"})
    page = client.get(response.url).content.decode()
    assert "The publication is queued" in page and "waits for the task runner" in page
    assert not Edition.objects.exists()

    call_command("worker", batch=True, verbosity=0)
    page = client.get("/en/admin/matrix/edition/").content.decode()
    assert "waits for the task runner" not in page and "Queued edition" in page
    edition = Edition.objects.get()
    assert (edition.activity_count, edition.published_by) == (1, coordinator)


def test_staff_without_the_permission_cannot_publish(client, default_data):
    from jpoa.matrix.models import Edition

    clerk = User.objects.create_user("clerk", password="pw-long-enough-1", is_staff=True)
    client.force_login(clerk)
    response = client.post("/en/admin/matrix/edition/publish/", {"title": "Sneaky"})
    # The back office is for coordinators only: other staff are sent to its sign-in.
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert not Edition.objects.exists()


def test_a_stale_save_of_an_activity_is_refused_and_the_first_save_kept(client, world):
    coordinator = User.objects.create_superuser("coord", "c@example.org", "pw-long-enough-1")
    client.force_login(coordinator)
    lead, pillar = world["organisation"], world["pillar"]
    client.post(url_for(Activity, "add"), activity_form(lead, pillar))
    activity = Activity.objects.get(key="osce-workshop")
    loaded = activity.version
    url = url_for(Activity, "change", activity.pk)

    first = client.post(
        url, activity_form(lead, pillar, title_en="First editor", loaded_version=loaded)
    )
    assert first.status_code == 302

    second = client.post(
        url, activity_form(lead, pillar, title_en="Second editor", loaded_version=loaded)
    )

    assert second.status_code == 200
    assert "reload" in second.content.decode().lower()
    activity.refresh_from_db()
    assert activity.title_en == "First editor"
    assert activity.version == loaded + 1
