"""Findings: a coordinator records a workshop and its findings, follows one up, the public sees it."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from test_public_pages import main_text, page

from jpoa.core.models import Country, Organisation
from jpoa.events.models import Event, Finding, FindingStatusChange
from jpoa.events.services import change_finding_status
from jpoa.matrix.editions import publish_edition
from jpoa.plan.models import Pillar
from tests.factories import PUBLISHER, make_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(db):
    return get_user_model().objects.create_superuser(
        "coordinator", "coordinator@example.org", "a long passphrase for tests"
    )


def admin_url(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(f"admin:{name}", args=args)


def inline(prefix: str, rows: list[dict]) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        data.update({f"{prefix}-{n}-{k}": v for k, v in row.items()})
    return data


def workshop_form(**values) -> dict:
    kz, kg = Country.objects.get(iso2="KZ"), Country.objects.get(iso2="KG")
    form = {
        "key": "regional-workshop-6",
        "kind": "regional_workshop",
        "number": "6",
        "title_en": "Protecting Critical Infrastructure",
        "title_ru": "Защита критической инфраструктуры",
        "phase": "",
        "start_date": "2017-05-10",
        "end_date": "2017-05-12",
        "city_en": "Bishkek",
        "city_ru": "Бишкек",
        "country": str(kg.pk),
        "pillars": [str(Pillar.objects.get(number=2).pk)],
        "summary_en": "",
        "summary_ru": "",
        "outcome_en": "",
        "outcome_ru": "",
        "participants_total": "30",
        "source": "",
        "source_locator": "",
        "classification_basis": "stated",
        "provenance_note": "",
        **inline(
            "participant_groups",
            [
                {"country": kz.pk, "organisation": "", "women": "4", "men": "6", "total": "10"},
                {"country": kg.pk, "organisation": "", "women": "5", "men": "10", "total": "15"},
            ],
        ),
        **inline("documents", []),
    }
    return {**form, **values}


def finding_form(event: Event, **values) -> dict:
    form = {
        "key": "rw6-protection-plans",
        "kind": "recommendation",
        "text_en": "States should adopt national plans to protect critical infrastructure.",
        "text_ru": "",
        "event": str(event.pk),
        "plan_version": "",
        "addressed_to_countries": [str(Country.objects.get(iso2="KG").pk)],
        "pillars": [str(Pillar.objects.get(number=2).pk)],
        "status": "open",
        "status_date": "",
        "status_explanation": "",
        "source": "",
        "source_locator": "",
        "classification_basis": "stated",
        "provenance_note": "",
        **inline("status_changes", []),
    }
    return {**form, **values}


def test_a_coordinator_records_a_workshop_a_finding_and_its_follow_up(
    client, default_data, coordinator
):
    client.force_login(coordinator)
    # 1. The workshop with its participants.
    response = client.post(admin_url("events_event_add"), workshop_form())
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = Event.objects.get(key="regional-workshop-6")
    assert sorted(event.participant_groups.values_list("total", flat=True)) == [10, 15]
    # 2. Its finding.
    response = client.post(admin_url("events_finding_add"), finding_form(event))
    assert response.status_code == 302
    finding = Finding.objects.get(key="rw6-protection-plans")
    assert finding.status == "open" and not finding.status_changes.exists()
    # 3. An activity answers it; the matrix edition that publishes the activity is out.
    activity = make_activity("osce-cip-2017", "osce", pillars=(2,), countries=("KG",))
    publish_edition(by=PUBLISHER, title="Matrix, June 2017", as_of=datetime.date(2017, 6, 30))
    # 4. The coordinator links it and changes the status, explaining why.
    change = admin_url("events_finding_change", finding.pk)
    form = finding_form(
        event,
        follow_up_activities=[str(activity.pk)],
        status="in_progress",
        status_date="2017-07-01",
        status_explanation="OSCE started a project with Kyrgyzstan.",
    )
    assert client.post(change, form).status_code == 302
    finding.refresh_from_db()
    assert finding.status == "in_progress"
    history = list(finding.status_changes.values_list("date", "status", "explanation_en"))
    assert history == [
        (datetime.date(2017, 7, 1), "in_progress", "OSCE started a project with Kyrgyzstan.")
    ]
    # Audited, with the coordinator as the actor.
    entry = LogEntry.objects.get_for_object(FindingStatusChange.objects.get()).get()
    assert entry.actor == coordinator

    # The public pages show the story.
    client.logout()
    html = main_text(page(client, "public:finding", key=finding.key))
    assert "Recommendation" in html
    assert (
        "Raised at Regional Workshop VI: Protecting Critical Infrastructure, 10–12 May 2017" in html
    )
    assert "Addressed to Kyrgyzstan" in html
    assert "1 July 2017: In progress. OSCE started a project with Kyrgyzstan." in html
    assert "Activity osce-cip-2017" in html and "(Kyrgyzstan)" in html
    assert "As published in the matrix edition “Matrix, June 2017”." in html
    html = main_text(page(client, "public:event", key=event.key))
    assert "Participants 30" in html
    assert "Share of women 36.0 % of the 25 participants whose sex is recorded" in html
    assert "Unknown 5 Total 30" in html
    assert "Recommendation Status: in progress" in html
    html = main_text(page(client, "public:findings", query="?status=in_progress&country=kg"))
    assert "1 finding" in html and "States should adopt national plans" in html


def test_a_status_change_without_an_explanation_is_refused(client, default_data, coordinator):
    client.force_login(coordinator)
    event = Event.objects.get(key="regional-workshop-3")
    client.post(admin_url("events_finding_add"), finding_form(event))
    finding = Finding.objects.get()
    response = client.post(
        admin_url("events_finding_change", finding.pk), finding_form(event, status="addressed")
    )
    assert response.status_code == 200
    assert "Explain why the status changes" in response.content.decode()
    finding.refresh_from_db()
    assert finding.status == "open" and not finding.status_changes.exists()


def test_the_public_does_not_see_an_unpublished_follow_up_activity(client, default_data):
    finding = Finding.objects.create(key="f1", kind="gap", text_en="A gap.")
    finding.follow_up_activities.add(make_activity("draft", "osce"))
    html = main_text(page(client, "public:finding", key="f1"))
    assert "Activity draft" not in html
    assert "No published activity follows it up yet." in html


# -- the service -------------------------------------------------------------------------


def test_the_service_keeps_a_dated_history_and_the_latest_status(default_data, coordinator):
    finding = Finding.objects.create(key="f1", kind="need", text_en="A need.")
    change_finding_status(
        finding=finding,
        status="addressed",
        date=datetime.date(2016, 5, 1),
        explanation="Done.",
        user=coordinator,
    )
    change_finding_status(  # recorded later, but dated earlier
        finding=finding,
        status="in_progress",
        date=datetime.date(2015, 1, 1),
        explanation="Started.",
        user=coordinator,
    )
    finding.refresh_from_db()
    assert finding.status == "addressed"
    assert list(finding.status_changes.values_list("status", flat=True)) == [
        "in_progress",
        "addressed",
    ]


@pytest.mark.parametrize(
    ("status", "explanation", "message"),
    [("addressed", " ", "Explain why"), ("bogus", "x", "Unknown status"), ("open", "x", "already")],
)
def test_the_service_refuses_a_bad_change(default_data, coordinator, status, explanation, message):
    finding = Finding.objects.create(key="f1", kind="need", text_en="A need.")
    with pytest.raises(ValidationError, match=message):
        change_finding_status(
            finding=finding,
            status=status,
            date=datetime.date(2016, 1, 1),
            explanation=explanation,
            user=coordinator,
        )
    assert not FindingStatusChange.objects.exists()


def test_only_a_coordinator_changes_a_status(default_data):
    user = get_user_model().objects.create_user("someone", password="a long passphrase")
    finding = Finding.objects.create(key="f1", kind="need", text_en="A need.")
    with pytest.raises(PermissionDenied):
        change_finding_status(
            finding=finding,
            status="dropped",
            date=datetime.date(2016, 1, 1),
            explanation="No longer relevant.",
            user=user,
        )
    assert Finding.objects.get().status == "open"


# -- the list, its filters, languages and queries ----------------------------------------


@pytest.fixture
def findings(default_data):
    wanted = {
        "gap-border": ("gap", "regional-workshop-3", 2, "TM", "open"),
        "need-media": ("need", "regional-workshop-2", 1, "KG", "addressed"),
        "rec-finance": ("recommendation", "regional-workshop-5", 2, "TM", "in_progress"),
    }
    made = {}
    for key, (kind, event, pillar, country, status) in wanted.items():
        finding = Finding.objects.create(
            key=key,
            kind=kind,
            text_en=f"Text of {key}.",
            text_ru=f"Текст {key}.",
            event=Event.objects.get(key=event),
            status=status,
        )
        finding.pillars.add(Pillar.objects.get(number=pillar))
        finding.addressed_to_countries.add(Country.objects.get(iso2=country))
        finding.addressed_to_organisations.add(Organisation.objects.get(key="osce"))
        made[key] = finding
    return made


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["need-media", "gap-border", "rec-finance"]),
        ("?kind=gap", ["gap-border"]),
        ("?status=addressed", ["need-media"]),
        ("?pillar=2", ["gap-border", "rec-finance"]),
        ("?country=tm", ["gap-border", "rec-finance"]),
        ("?event=regional-workshop-5", ["rec-finance"]),
        ("?kind=gap&country=kg", []),
    ],
)
def test_it_filters_findings(client, findings, query, expected):
    html = page(client, "public:findings", query=query)
    shown = [key for key in findings if f'href="/en/findings/{key}/"' in html]
    assert sorted(shown) == sorted(expected)
    if expected:
        order = [html.index(f'href="/en/findings/{key}/"') for key in expected]
        assert order == sorted(order)  # by the date of the event that raised them


def test_the_event_page_lists_its_findings(client, findings):
    html = main_text(page(client, "public:event", key="regional-workshop-3"))
    assert "Findings and recommendations Gap Status: open Text of gap-border." in html


@pytest.mark.parametrize("name", ["public:findings", "public:finding"])
def test_the_finding_pages_serve_russian(client, findings, name):
    kwargs = {"key": "gap-border"} if name == "public:finding" else {}
    html = page(client, name, "ru", **kwargs)
    assert '<html lang="ru">' in html and "Текст gap-border." in html


def test_an_unknown_finding_is_404(client, default_data):
    assert client.get("/en/findings/nothing/").status_code == 404


@pytest.mark.parametrize(
    ("name", "queries", "with_follow_up"),
    [("public:findings", 8, 8), ("public:finding", 10, 12)],  # + organisations, countries
)
def test_the_finding_pages_take_a_fixed_number_of_queries(
    client, findings, django_assert_num_queries, name, queries, with_follow_up
):
    kwargs = {"key": "rec-finance"} if name == "public:finding" else {}
    publish_edition(by=PUBLISHER, title="Matrix")
    with django_assert_num_queries(queries):
        page(client, name, **kwargs)
    finding = findings["rec-finance"]
    finding.follow_up_activities.add(make_activity("a1", "osce"), make_activity("a2", "unodc"))
    finding.follow_up_events.add(Event.objects.get(key="regional-workshop-4"))
    FindingStatusChange.objects.create(
        finding=finding, date="2017-01-01", status="in_progress", explanation="x"
    )
    publish_edition(by=PUBLISHER, title="Matrix 2")
    with django_assert_num_queries(with_follow_up):
        page(client, name, **kwargs)
