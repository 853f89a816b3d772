"""The demonstration data set: a realistic, invented matrix to try jpoa with, and its removal.

`load_demo` adds, to a database that holds the default data set and no real activity:
about 30 invented organisations, a few hundred activities (drawn by the benchmark's
generator, `jpoa.bench.synthetic`, over the real states, pillars and plan items), three
editions a year apart with changes between them (the last one published by an update
round, through the rounds' own services), invented events with participants by sex,
findings with a history, and library resources with files. Everything cites the
Source `jpoa.core.demo.DEMO_SOURCE` and says it is invented; `remove_demo` deletes
all of it and nothing else.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Max, Q

from jpoa.accounts.models import Profile, Role
from jpoa.bench import synthetic
from jpoa.core.demo import DEMO_SOURCE, forget_demo_state
from jpoa.core.models import Country, Organisation, Source
from jpoa.events.models import Event, EventParticipants, Finding, FindingStatusChange
from jpoa.library.models import Resource, ResourceVersion
from jpoa.library.services import version_attach_file
from jpoa.matrix.editions import publish_edition
from jpoa.matrix.models import Activity, Edition, EditionEntry, EditionFact, EditionItemFact
from jpoa.matrix.writes import ActivityChange, write_activities
from jpoa.plan.models import Pillar
from jpoa.rounds import services
from jpoa.rounds.models import Proposal, Submission, UpdateRound
from jpoa.rounds.proposals import activity_data
from jpoa.search import index as search_index

SEED = 2026
USER_PREFIX = "demo-"
ORG_PREFIX = "demo-org-"
KEY_PREFIX = "demo-"
EDITION_NOTE = "Demonstration data, invented (jpoa demo): not real activities."
EDITION_NOTE_RU = "Демонстрационные данные, вымышленные (jpoa demo): не настоящие проекты."
DESCRIPTION = (
    "Invented for the jpoa demonstration; not a real activity.",
    "Придумано для демонстрации jpoa; не настоящий проект.",
)
AS_OF = [datetime.date(2023, 10, 1), datetime.date(2024, 10, 1), datetime.date(2025, 10, 1)]
EDITION_TITLES = [
    (
        "The matrix as of October 2023 (demonstration)",
        "Матрица по состоянию на октябрь 2023 г. (демонстрация)",
    ),
    (
        "The matrix as of October 2024 (demonstration)",
        "Матрица по состоянию на октябрь 2024 г. (демонстрация)",
    ),
    (
        "The matrix as of October 2025 (demonstration)",
        "Матрица по состоянию на октябрь 2025 г. (демонстрация)",
    ),
]
ROUND_TITLE = "Autumn 2025 update round (demonstration)"

# (acronym, English name, Russian name, type): invented, and named so that no one takes
# them for real bodies.
ORGANISATIONS = [
    (
        "DRCB",
        "Demo Regional Centre for Border Cooperation",
        "Демо-региональный центр пограничного сотрудничества",
        "regional",
    ),
    (
        "DUNO",
        "Demo UN Office for Preventive Action",
        "Демо-офис ООН по превентивным действиям",
        "un_entity",
    ),
    (
        "DUNJ",
        "Demo UN Justice Support Unit",
        "Демо-группа ООН по поддержке правосудия",
        "un_entity",
    ),
    ("DUNY", "Demo UN Youth Programme", "Демо-программа ООН для молодёжи", "un_entity"),
    ("DUNH", "Demo UN Human Rights Desk", "Демо-отдел ООН по правам человека", "un_entity"),
    (
        "DSCO",
        "Demo Security Cooperation Organisation",
        "Демо-организация по сотрудничеству в области безопасности",
        "regional",
    ),
    ("DCAF", "Demo Central Asian Forum", "Демо-центральноазиатский форум", "regional"),
    (
        "DFIN",
        "Demo Financial Intelligence Network",
        "Демо-сеть финансовой разведки",
        "international",
    ),
    (
        "DIPA",
        "Demo International Police Academy",
        "Демо-международная полицейская академия",
        "international",
    ),
    (
        "DLAW",
        "Demo Institute for the Rule of Law",
        "Демо-институт верховенства права",
        "international",
    ),
    ("DCYB", "Demo Cyber Resilience Alliance", "Демо-альянс киберустойчивости", "international"),
    (
        "DPRI",
        "Demo Prison Reform Initiative",
        "Демо-инициатива по реформе пенитенциарной системы",
        "ngo",
    ),
    ("DWOM", "Demo Women for Peace Network", "Демо-сеть «Женщины за мир»", "ngo"),
    ("DMED", "Demo Media Literacy Foundation", "Демо-фонд медиаграмотности", "ngo"),
    ("DREL", "Demo Interfaith Dialogue Council", "Демо-совет межконфессионального диалога", "ngo"),
    (
        "DEDU",
        "Demo Education for Tolerance Trust",
        "Демо-фонд «Образование для толерантности»",
        "ngo",
    ),
    (
        "DCOM",
        "Demo Community Safety Association",
        "Демо-ассоциация общественной безопасности",
        "ngo",
    ),
    (
        "DMKZ",
        "Demo Ministry of Interior, Kazakhstan",
        "Демо-министерство внутренних дел, Казахстан",
        "state",
    ),
    (
        "DMKG",
        "Demo State Committee for National Security, Kyrgyzstan",
        "Демо-государственный комитет национальной безопасности, Кыргызстан",
        "state",
    ),
    (
        "DMTJ",
        "Demo Ministry of Justice, Tajikistan",
        "Демо-министерство юстиции, Таджикистан",
        "state",
    ),
    (
        "DMTM",
        "Demo State Border Service, Turkmenistan",
        "Демо-государственная пограничная служба, Туркменистан",
        "state",
    ),
    (
        "DMUZ",
        "Demo Prosecutor General's Office, Uzbekistan",
        "Демо-генеральная прокуратура, Узбекистан",
        "state",
    ),
    ("DDN1", "Demo Northern Donor Agency", "Демо-северное донорское агентство", "donor"),
    ("DDN2", "Demo Development Fund", "Демо-фонд развития", "donor"),
    ("DDN3", "Demo Security Assistance Fund", "Демо-фонд содействия безопасности", "donor"),
    ("DDN4", "Demo Foundation for Peace", "Демо-фонд мира", "donor"),
    (
        "DACA",
        "Demo Academy of Customs Administration",
        "Демо-академия таможенного администрирования",
        "international",
    ),
    (
        "DAIR",
        "Demo Aviation Security Partnership",
        "Демо-партнёрство по авиационной безопасности",
        "international",
    ),
    (
        "DRES",
        "Demo Research Centre on Radicalisation",
        "Демо-исследовательский центр по проблемам радикализации",
        "ngo",
    ),
    ("DOTH", "Demo Office for Transport Hubs", "Демо-офис по транспортным узлам", "other"),
]
FOCAL_POINTS = ["DRCB", "DUNJ", "DFIN", "DPRI", "DMKG"]


class DemoError(Exception):
    """The demonstration cannot be loaded or removed here; the message says why."""


class AlreadyLoaded(Exception):
    """The demonstration is loaded already: loading it again changes nothing."""


@dataclass
class DemoSummary:
    organisations: int = 0
    activities: int = 0
    editions: list[int] | None = None
    events: int = 0
    findings: int = 0
    resources: int = 0


# -- checks ------------------------------------------------------------------------------


def real_activities() -> int:
    """Activities that are not the demonstration's: the demonstration never mixes with them."""
    return (
        Activity.objects.exclude(source__key=DEMO_SOURCE)
        .exclude(lead_organisation__key__startswith=ORG_PREFIX)
        .count()
    )


def check_target() -> None:
    if Source.objects.filter(key=DEMO_SOURCE).exists():
        raise AlreadyLoaded
    real = real_activities()
    if real:
        raise DemoError(
            f"this database holds {real:,} real activities; the demonstration is never mixed "
            "with real data: load it into a database of its own (make demo, or "
            "JPOA_DATA_DIR=var/demo jpoa init && JPOA_DATA_DIR=var/demo jpoa demo)"
        )
    if Edition.objects.exists():
        raise DemoError("this database already has published editions; use a fresh database")
    if not Country.objects.filter(in_region=True).exists() or not Pillar.objects.exists():
        raise DemoError("load the default data set first (jpoa init)")


# -- loading -----------------------------------------------------------------------------


def load_demo(*, activities: int = 400, progress=lambda message: None) -> DemoSummary:
    """Load the demonstration data set; all or nothing."""
    check_target()
    rnd = random.Random(SEED)
    with transaction.atomic():
        source = _source()
        organisations = _organisations()
        users = _users(organisations)
        world = synthetic._World.load(rnd, organisations, source)
        waves = [activities - activities // 5, activities // 10]
        _add_activities(world, waves[0], start_years=(2018, 2023))
        progress(f"{waves[0]} activities")
        first = _publish(0, users["coordinator"])
        progress(f"edition {first.number} published")
        _change_between_editions(world, users["coordinator"], AS_OF[1])
        _add_activities(world, waves[1], start_years=(2024, 2024))
        second = _publish(1, users["coordinator"])
        progress(f"edition {second.number} published")
        third = _update_round(rnd, users, source)
        progress(f"update round published as edition {third.number}")
        events = _events(rnd, organisations, source)
        findings = _findings(rnd, events, source)
        resources = _resources(source, organisations)
    forget_demo_state()
    return DemoSummary(
        organisations=len(organisations),
        activities=Activity.objects.filter(source=source).count(),
        editions=[first.number, second.number, third.number],
        events=len(events),
        findings=len(findings),
        resources=len(resources),
    )


def _source() -> Source:
    return Source.objects.create(
        key=DEMO_SOURCE,
        kind=Source.Kind.EDITOR,
        title_en="Demonstration data, invented (jpoa demo): not real",
        title_ru="Демонстрационные данные, вымышленные (jpoa demo): не настоящие",
        citation_en="Made up by the `jpoa demo` command to show how jpoa works.",
        citation_ru="Придумано командой `jpoa demo`, чтобы показать, как работает jpoa.",
    )


def _organisations() -> list[Organisation]:
    Organisation.objects.bulk_create(
        [
            Organisation(
                key=f"{ORG_PREFIX}{acronym.lower()}",
                acronym=acronym,
                name_en=f"{name_en} (demo)",
                name_ru=f"{name_ru} (демо)",
                type=kind,
                provenance_note_en="Invented for the jpoa demonstration; not a real organisation.",
                provenance_note_ru="Придумана для демонстрации jpoa; не настоящая организация.",
            )
            for acronym, name_en, name_ru, kind in ORGANISATIONS
        ]
    )
    # Ordered by size in the generator's Zipf weights: the first leads most activities.
    return list(Organisation.objects.filter(key__startswith=ORG_PREFIX).order_by("pk"))


def _users(organisations: list[Organisation]) -> dict:
    """A coordinator and a few organisations' focal points, who cannot sign in."""
    User = get_user_model()  # noqa: N806
    coordinator = User.objects.create_user(username=f"{USER_PREFIX}coordinator", password=None)
    Profile.objects.create(user=coordinator, role=Role.COORDINATOR)
    by_acronym = {o.acronym: o for o in organisations}
    focal = {}
    for acronym in FOCAL_POINTS:
        user = User.objects.create_user(username=f"{USER_PREFIX}{acronym.lower()}", password=None)
        Profile.objects.create(
            user=user, role=Role.ORGANISATION_FOCAL_POINT, organisation=by_acronym[acronym]
        )
        focal[acronym] = user
    return {"coordinator": coordinator, "focal": focal}


def _add_activities(world, count: int, *, start_years: tuple[int, int]) -> None:
    """`count` activities drawn by the benchmark's generator, made to read as the demo's."""
    columns = synthetic._activity_columns()
    first = (Activity._base_manager.aggregate(m=Max("pk"))["m"] or 0) + 1
    now = datetime.datetime.now(datetime.UTC)
    places = dict(Country.objects.values_list("pk", "name_en"))
    places_ru = dict(Country.objects.values_list("pk", "name_ru"))
    shape = _Shape.load(world)
    rows, links = [], {name: [] for name in synthetic.LINK_TABLES}
    for pk in range(first, first + count):
        row, row_links = synthetic._activity(world, pk, now)
        shape.apply(row, row_links)
        _make_demo_row(world.rnd, row, row_links, start_years, places, places_ru)
        rows.append(tuple(row[c] for c in columns))
        for name, targets in row_links.items():
            links[name].extend((pk, target) for target in targets)
    synthetic._write(Activity._meta.db_table, columns, rows)
    for name, (table, column) in synthetic.LINK_TABLES.items():
        synthetic._write(table, ["activity_id", column], links[name])
    synthetic._reset_sequences()


@dataclass
class _Shape:
    """Gaps a real matrix has, so that the analysis has something to show.

    No activity names Turkmenistan under Pillar IV and none is region-wide under it (a
    gap); none names Turkmenistan under Pillar III, where region-wide ones run (covered
    by region-wide activities only); only the largest organisation works under Pillar II
    in Tajikistan (resting on one organisation).
    """

    pillar: dict[int, int]  # number -> pk
    country: dict[str, int]  # iso2 -> pk
    largest: int  # the organisation that leads most activities

    @classmethod
    def load(cls, world) -> "_Shape":
        iso2 = dict(Country.objects.filter(in_region=True).values_list("iso2", "pk"))
        return cls(world.pillars, iso2, world.organisations[0].pk)

    def apply(self, row: dict, links: dict) -> None:
        pillars, countries = links["pillars"], links["countries"]
        if row["region_wide"] and self.pillar[4] in pillars:
            pillars[pillars.index(self.pillar[4])] = self.pillar[1]
            links["pillars"] = sorted(set(pillars))
        for number, iso2, allowed in ((4, "TM", False), (3, "TM", False), (2, "TJ", True)):
            if self.pillar[number] not in links["pillars"] or self.country[iso2] not in countries:
                continue
            if allowed and row["lead_organisation_id"] == self.largest:
                continue
            countries.remove(self.country[iso2])
            if not countries and not row["region_wide"]:
                countries.append(self.country["KZ"])
        links["countries"] = sorted(set(countries))


def _make_demo_row(rnd, row, links, start_years, places, places_ru) -> None:
    start = datetime.date(rnd.randint(*start_years), rnd.randint(1, 12), 1)
    end = None
    if rnd.random() < 0.85:
        end = datetime.date(start.year + rnd.randint(0, 3), rnd.randint(1, 12), 28)
        end = max(end, start)
    status = rnd.choices(["planned", "ongoing", "completed", "suspended"], [10, 55, 30, 5])[0]
    if start.year >= 2023 and status == "completed":
        status = "ongoing"
    where = links["countries"][0] if len(links["countries"]) == 1 else None
    title_en, title_ru = row["title_en"], row["title_ru"] or row["title"]
    if where:
        title_en = f"{title_en} in {places[where]}"
        title_ru = f"{title_ru} ({places_ru[where] or places[where]})"
    if not links["pillars"]:
        links["pillars"] = [rnd.choice(list(Pillar.objects.values_list("pk", flat=True)))]
    row.update(
        key=f"{KEY_PREFIX}{row['id']:04d}",
        title=title_en,
        title_en=title_en,
        title_ru=title_ru,
        description=DESCRIPTION[0],
        description_en=DESCRIPTION[0],
        description_ru=DESCRIPTION[1],
        start_date=start,
        end_date=end,
        start_year=start.year,
        end_year=end.year if end else None,
        status=status,
        source_locator="",
        last_verified=None,
    )


def _publish(n: int, user) -> Edition:
    edition = publish_edition(
        title=EDITION_TITLES[n][0],
        title_ru=EDITION_TITLES[n][1],
        as_of=AS_OF[n],
        notes=EDITION_NOTE,
        notes_ru=EDITION_NOTE_RU,
        by=user,
    )
    # The demo's few activities are searchable at once, whether a worker runs or not.
    search_index.reindex_activities()
    return edition


def _change_between_editions(world, user, as_of: datetime.date) -> None:
    """A year's changes, through the editors' own service: some end, some move, some start."""

    rnd = world.rnd
    current = list(Activity.objects.filter(status__in=["planned", "ongoing"]).order_by("pk"))
    picked = rnd.sample(current, min(len(current), 70))
    # Adding a state never fills the gaps the demonstration keeps (`_Shape`).
    regions = list(
        Country.objects.filter(in_region=True)
        .exclude(iso2__in=("TM", "TJ"))
        .values_list("pk", flat=True)
    )
    changes = []
    for n, activity in enumerate(picked):
        if n % 3 == 0:
            data = {
                "status": "completed",
                "end_date": as_of - datetime.timedelta(days=rnd.randint(30, 300)),
            }
            if activity.start_date and data["end_date"] < activity.start_date:
                data["end_date"] = activity.start_date
        elif n % 3 == 1:
            data = {"status": "ongoing" if activity.status == "planned" else "suspended"}
        else:
            data = {
                "countries": sorted(
                    {*activity.countries.values_list("pk", flat=True), rnd.choice(regions)}
                )
            }
        changes.append(ActivityChange(activity.pk, activity.version, data))
    write_activities(user=user, changes=changes, validate=True)


def _update_round(rnd, users, source) -> Edition:
    """One update round: focal points answer, the coordinator accepts, the round is published."""

    coordinator = users["coordinator"]
    round = services.open_round(
        title=ROUND_TITLE,
        deadline=AS_OF[2] - datetime.timedelta(days=15),
        user=coordinator,
        send_email=False,  # invented people, a round recorded after the fact
        allow_past_deadline=True,
    )
    # Recorded after the fact: the round was open before its deadline, not on the day of loading.
    opened = datetime.datetime.combine(
        round.deadline - datetime.timedelta(days=45), datetime.time(9)
    )
    UpdateRound.objects.filter(pk=round.pk).update(opened_at=opened.replace(tzinfo=datetime.UTC))
    answering = list(users["focal"].items())
    for index, (acronym, user) in enumerate(answering):
        submission = services.submission_of(user=user, round=round)
        own = list(Activity.objects.filter(lead_organisation__acronym=acronym).order_by("pk")[:6])
        for n, activity in enumerate(own):
            if n == 0 and activity.status in ("planned", "ongoing"):
                kind, data = Proposal.Kind.END, None
            elif n == 1:
                kind, data = Proposal.Kind.CHANGE, activity_data(activity)
                data["status"] = "ongoing"
                data["title_en"] = f"{activity.title_en} (second phase)"
            else:
                kind, data = Proposal.Kind.CONFIRM, None
            services.save_proposal(
                submission=submission,
                user=user,
                kind=kind,
                activity=activity,
                data=data,
                activity_version=activity.version,
            )
        if own:
            new = activity_data(own[0])
            new.update(
                title_en=f"New regional course on {synthetic.TOPICS[index][0]}",
                title_ru=f"Новый региональный курс по {synthetic.TOPICS[index][1]}",
                description_en=DESCRIPTION[0],
                description_ru=DESCRIPTION[1],
                status="planned",
                pillars=[Pillar.objects.get(number=1).pk],
                countries=[],
                start_date="2026-02-01",
                end_date="2026-12-31",
                region_wide=True,
            )
            services.save_proposal(
                submission=submission, user=user, kind=Proposal.Kind.NEW, data=new
            )
        if index < len(answering) - 1:  # the last one has not answered by the deadline
            services.submit(submission=submission, user=user)
            services.accept(submission=submission, user=coordinator)
    round = services.publish_round(
        round=round,
        title=EDITION_TITLES[2][0],
        title_ru=EDITION_TITLES[2][1],
        as_of=AS_OF[2],
        notes=EDITION_NOTE,
        user=coordinator,
    )
    # The activities the round added cite the demonstration too.
    Activity.objects.filter(lead_organisation__key__startswith=ORG_PREFIX, source=None).update(
        source=source, description_ru=DESCRIPTION[1]
    )
    return round.edition


EVENTS = [
    (
        "demo-workshop-border-2024",
        "training",
        "Demonstration workshop on border management (invented)",
        "Демонстрационный семинар по управлению границами (вымышленный)",
        datetime.date(2024, 4, 16),
        "Almaty",
        "KZ",
        (2, 3),
    ),
    (
        "demo-workshop-youth-2024",
        "training",
        "Demonstration workshop on youth and prevention (invented)",
        "Демонстрационный семинар по работе с молодёжью и профилактике (вымышленный)",
        datetime.date(2024, 9, 24),
        "Bishkek",
        "KG",
        (1,),
    ),
    (
        "demo-meeting-finance-2025",
        "other",
        "Demonstration expert meeting on terrorist financing (invented)",
        "Демонстрационное совещание экспертов по финансированию терроризма (вымышленное)",
        datetime.date(2025, 3, 11),
        "Dushanbe",
        "TJ",
        (2,),
    ),
    (
        "demo-meeting-rights-2025",
        "other",
        "Demonstration meeting on human rights in counter-terrorism (invented)",
        "Демонстрационное совещание по правам человека в противодействии терроризму (вымышленное)",
        datetime.date(2025, 6, 3),
        "Tashkent",
        "UZ",
        (4,),
    ),
]


def _events(rnd, organisations, source) -> list[Event]:
    countries = {c.iso2: c for c in Country.objects.filter(in_region=True)}
    events = []
    for key, kind, title_en, title_ru, start, city, iso2, pillars in EVENTS:
        event = Event.objects.create(
            key=key,
            kind=kind,
            title_en=title_en,
            title_ru=title_ru,
            summary_en=DESCRIPTION[0].replace("activity", "event"),
            summary_ru="Придумано для демонстрации jpoa; не настоящее мероприятие.",
            start_date=start,
            end_date=start + datetime.timedelta(days=2),
            city_en=city,
            country=countries[iso2],
            source=source,
        )
        event.pillars.set(Pillar.objects.filter(number__in=pillars))
        event.organisers.set(rnd.sample(organisations[:8], 1))
        event.co_organisers.set(rnd.sample(organisations[8:], 2))
        total = 0
        for country in countries.values():
            women, men = rnd.randint(2, 9), rnd.randint(4, 14)
            # One delegation in each event did not record its participants' sex.
            sexed = country.iso2 != iso2
            EventParticipants.objects.create(
                event=event,
                country=country,
                women=women if sexed else None,
                men=men if sexed else None,
                total=women + men,
            )
            total += women + men
        event.participants_total = total + rnd.randint(3, 8)  # organisers' staff: no breakdown
        event.save(update_fields=["participants_total"])
        events.append(event)
    return events


FINDINGS = [
    (
        "gap",
        "Border posts between two states share no watch lists (invented).",
        "Пограничные посты двух государств не обмениваются списками (вымышлено).",
        (2,),
    ),
    (
        "need",
        "Prison staff ask for training on disengagement programmes (invented).",
        "Сотрудники пенитенциарных учреждений просят обучения по программам дерадикализации (вымышлено).",
        (1, 4),
    ),
    (
        "recommendation",
        "Hold a yearly meeting of financial intelligence units (invented).",
        "Проводить ежегодное совещание подразделений финансовой разведки (вымышлено).",
        (2,),
    ),
    (
        "opportunity",
        "Two organisations plan similar youth courses in one state (invented).",
        "Две организации планируют похожие молодёжные курсы в одном государстве (вымышлено).",
        (1,),
    ),
    (
        "recommendation",
        "Translate the guidance on human rights in investigations (invented).",
        "Перевести руководство по правам человека при расследованиях (вымышлено).",
        (4,),
    ),
    (
        "gap",
        "No state has a plan for protecting transport hubs (invented).",
        "Ни в одном государстве нет плана защиты транспортных узлов (вымышлено).",
        (2, 3),
    ),
    (
        "need",
        "Judges ask for a regional network on terrorism cases (invented).",
        "Судьи просят создать региональную сеть по делам о терроризме (вымышлено).",
        (3, 4),
    ),
    (
        "recommendation",
        "Publish the matrix twice a year (invented).",
        "Публиковать матрицу дважды в год (вымышлено).",
        (3,),
    ),
]


def _findings(rnd, events, source) -> list[Finding]:
    findings = []
    statuses = [
        "open",
        "open",
        "in_progress",
        "addressed",
        "open",
        "in_progress",
        "open",
        "addressed",
    ]
    activities = list(Activity.objects.filter(source=source).order_by("pk")[:40])
    countries = list(Country.objects.filter(in_region=True))
    for n, (kind, text_en, text_ru, pillars) in enumerate(FINDINGS):
        event = events[n % len(events)]
        finding = Finding.objects.create(
            key=f"demo-finding-{n + 1}",
            kind=kind,
            text_en=text_en,
            text_ru=text_ru,
            event=event,
            status=statuses[n],
            source=source,
        )
        finding.pillars.set(Pillar.objects.filter(number__in=pillars))
        finding.addressed_to_countries.set(rnd.sample(countries, 2))
        if statuses[n] != "open":
            finding.follow_up_activities.set(rnd.sample(activities, 2))
            FindingStatusChange.objects.create(
                finding=finding,
                date=event.start_date + datetime.timedelta(days=120),
                status=statuses[n],
                explanation_en="Invented for the demonstration.",
                explanation_ru="Придумано для демонстрации.",
            )
        findings.append(finding)
    return findings


LIBRARY = [
    (
        "demo-guide-border",
        "guide",
        "Demonstration guide to joint border patrols (invented)",
        "Демонстрационное руководство по совместному патрулированию границ (вымышленное)",
    ),
    (
        "demo-report-2025",
        "report",
        "Demonstration annual report 2025 (invented)",
        "Демонстрационный ежегодный доклад за 2025 год (вымышленный)",
    ),
]


def _resources(source, organisations) -> list[Resource]:
    from io import BytesIO

    resources = []
    for key, kind, title_en, title_ru in LIBRARY:
        resource = Resource.objects.create(
            key=key,
            kind=kind,
            title_en=title_en,
            title_ru=title_ru,
            description_en="An invented document for the jpoa demonstration.",
            description_ru="Вымышленный документ для демонстрации jpoa.",
            date=datetime.date(2025, 5, 20),
            year=2025,
            source_organisation=organisations[0],
            source=source,
        )
        resource.pillars.set(Pillar.objects.filter(number__in=(2, 3)))
        for language, title, body in (
            (
                "en",
                title_en,
                "This document was invented to show the library of jpoa. It is not real.",
            ),
            (
                "ru",
                title_ru,
                "Этот документ придуман, чтобы показать библиотеку jpoa. Он не настоящий.",
            ),
        ):
            html = (
                f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
                f"<title>{title}</title></head><body><h1>{title}</h1><p>{body}</p></body></html>"
            ).encode()
            version_attach_file(
                resource=resource,
                language=language,
                name=f"{key}-{language}.html",
                stream=BytesIO(html),
                size=len(html),
            )
        resources.append(resource)
    return resources


# -- removal -----------------------------------------------------------------------------


def remove_demo() -> dict[str, int]:
    """Delete the demonstration data set entirely; real records are untouched."""
    from auditlog.context import disable_auditlog

    if not Source.objects.filter(key=DEMO_SOURCE).exists():
        raise DemoError("there is no demonstration data in this database")
    demo_orgs = Organisation.objects.filter(key__startswith=ORG_PREFIX)
    activities = Activity.objects.filter(
        Q(source__key=DEMO_SOURCE) | Q(lead_organisation__in=demo_orgs)
    )
    users = get_user_model().objects.filter(
        username__startswith=USER_PREFIX, password__startswith="!"
    )
    counts = {}
    with transaction.atomic(), disable_auditlog():
        _forget_audit(activities, demo_orgs, users)
        counts["update rounds"] = UpdateRound.objects.filter(title=ROUND_TITLE).count()
        UpdateRound.objects.filter(title=ROUND_TITLE).delete()
        editions = Edition.objects.filter(notes_en=EDITION_NOTE)
        counts["editions"] = editions.count()
        _delete_editions(list(editions.values_list("pk", flat=True)))
        counts["findings"] = Finding.objects.filter(source__key=DEMO_SOURCE).count()
        Finding.objects.filter(source__key=DEMO_SOURCE).delete()
        counts["events"] = Event.objects.filter(source__key=DEMO_SOURCE).count()
        Event.objects.filter(source__key=DEMO_SOURCE).delete()
        files = list(
            ResourceVersion.objects.filter(resource__source__key=DEMO_SOURCE)
            .exclude(file="")
            .values_list("file", flat=True)
        )
        counts["library resources"] = Resource.objects.filter(source__key=DEMO_SOURCE).count()
        Resource.objects.filter(source__key=DEMO_SOURCE).delete()
        counts["activities"] = activities.count()
        activities.delete()
        counts["users"] = users.count()
        users.delete()
        counts["organisations"] = demo_orgs.count()
        demo_orgs.delete()
        Source.objects.filter(key=DEMO_SOURCE).delete()
        storage = ResourceVersion._meta.get_field("file").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in files])
    # Analyses are cached per edition id, and a later edition may get a removed one's id.
    cache.clear()
    forget_demo_state()
    return counts


def _forget_audit(activities, organisations, users) -> None:
    """The audit trail of the demonstration goes with it: it records invented changes."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    demo = Q(source__key=DEMO_SOURCE)
    records = [
        (Activity, activities),
        (Organisation, organisations),
        (Event, Event.objects.filter(demo)),
        (EventParticipants, EventParticipants.objects.filter(event__source__key=DEMO_SOURCE)),
        (Finding, Finding.objects.filter(demo)),
        (FindingStatusChange, FindingStatusChange.objects.filter(finding__source__key=DEMO_SOURCE)),
        (Resource, Resource.objects.filter(demo)),
        (ResourceVersion, ResourceVersion.objects.filter(resource__source__key=DEMO_SOURCE)),
        (UpdateRound, UpdateRound.objects.filter(title=ROUND_TITLE)),
        (Edition, Edition.objects.filter(notes_en=EDITION_NOTE)),
        (Source, Source.objects.filter(key=DEMO_SOURCE)),
        (Submission, Submission.objects.filter(round__title=ROUND_TITLE)),
        (Proposal, Proposal.objects.filter(submission__round__title=ROUND_TITLE)),
        (Profile, Profile.objects.filter(user__in=users)),
        (get_user_model(), users),
    ]
    for model, queryset in records:
        pks = [str(pk) for pk in queryset.values_list("pk", flat=True)]
        content_type = ContentType.objects.get_for_model(model)
        for start in range(0, len(pks), 500):
            LogEntry.objects.filter(
                content_type=content_type, object_pk__in=pks[start : start + 500]
            ).delete()
    LogEntry.objects.filter(actor__in=users).delete()


def _delete_editions(pks: list[int]) -> None:
    """Editions never change, by design; removing the demonstration's is the one exception.

    Their frozen rows refuse the ORM's delete, so they go by SQL, children first.
    """
    if not pks:
        return

    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(pks))
    with connection.cursor() as cursor:
        for model in (EditionItemFact, EditionFact, EditionEntry):
            cursor.execute(
                f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote('edition_id')} IN ({marks})",
                pks,
            )
    Edition.objects.filter(pk__in=pks).delete()
