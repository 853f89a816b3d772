"""The public site, through the HTTP client, against the Central Asia default data set."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from jpoa.events.models import Event, EventParticipants
from jpoa.plan.models import ActionItem, Pillar, PlanVersion

pytestmark = pytest.mark.django_db

PAGES = [
    ("public:home", {}),
    ("public:plan", {}),
    ("public:pillars", {}),
    ("public:pillar", {"number": 1}),
    ("public:pillar", {"number": 4}),
    ("public:states", {}),
    ("public:state", {"iso2": "uz"}),
    ("public:state", {"iso2": "kz"}),
    ("public:phase", {"key": "phase-1"}),
    ("public:phase", {"key": "phase-2"}),
    ("public:events", {}),
    ("public:event", {"key": "expert-meeting-1"}),
    ("public:event", {"key": "high-level-meeting-2011"}),
    ("public:event", {"key": "regional-workshop-5"}),
    ("public:library", {}),
    ("public:sources", {}),
]

EXPERT_MEETINGS = [
    ("expert-meeting-1", "Bratislava, Slovakia", "15–16 December 2010", ["I", "IV"]),
    ("expert-meeting-2", "Dushanbe, Tajikistan", "29–30 March 2011", ["II"]),
    ("expert-meeting-3", "Almaty, Kazakhstan", "21–22 July 2011", ["III"]),
]

WORKSHOPS = [
    (
        "regional-workshop-1",
        "Regional Workshop I",
        "Dialogue with Religious Institutions and Leaders",
        "20–22 November 2013",
        "Almaty",
        None,
    ),
    (
        "regional-workshop-2",
        "Regional Workshop II",
        "Engaging the Media for Countering Terrorism",
        "9–11 July 2014",
        "Bishkek",
        None,
    ),
    (
        "regional-workshop-3",
        "Regional Workshop III",
        "Border Security and Management for Countering Terrorism",
        "4–6 March 2015",
        "Ashgabat",
        "OSCE",
    ),
    (
        "regional-workshop-4",
        "Regional Workshop IV",
        "Countering Radicalization",
        "29–31 March 2016",
        "Almaty",
        None,
    ),
    (
        "regional-workshop-5",
        "Regional Training Workshop V",
        "Countering the Financing of Terrorism",
        "14–16 December 2016",
        "Ashgabat",
        "UNODC",
    ),
]


def url(name: str, lang: str = "en", **kwargs) -> str:
    with translation.override(lang):
        return reverse(name, kwargs=kwargs)


def page(client, name: str, lang: str = "en", query: str = "", **kwargs) -> str:
    response = client.get(url(name, lang, **kwargs) + query)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def text(html: str) -> str:
    """The page's visible text with tags dropped and white space collapsed."""
    html = re.sub(r"<(head|script|style)\b.*?</\1>", " ", html, flags=re.S)
    words = " ".join(re.sub(r"<[^>]+>", " ", html).replace("&#x27;", "'").split())
    return re.sub(r"\(\s+", "(", re.sub(r"\s+([),.:;])", r"\1", words))


def main_text(html: str) -> str:
    return text(html.split('<main id="main"', 1)[1].split(">", 1)[1].split("</main>", 1)[0])


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_it_serves_every_page_in_both_languages(client, default_data, name, kwargs, lang):
    html = page(client, name, lang, **kwargs)
    assert f'<html lang="{lang}">' in html
    assert html.count("<h1") == 1
    assert '<main id="main"' in html and "<nav " in html and "<footer " in html
    # A content security policy will forbid inline scripts and styles.
    assert "<script" not in html and "style=" not in html
    assert url("admin:index", lang) in html  # "Back office" in the footer
    assert url("public:sources", lang) in html


def test_it_shows_the_programme_in_brief_on_the_home_page(client, default_data):
    html = main_text(page(client, "public:home"))
    assert "Joint Plan of Action for the Implementation of the United Nations Global" in html
    assert "Central Asia" in html
    assert "United Nations Global Counter-Terrorism Strategy (A/RES/60/288)" in html
    assert "Adopted on 30 November 2011, Ashgabat, Turkmenistan" in html


def test_it_shows_the_four_pillars_on_the_home_page(client, default_data):
    html = page(client, "public:home")
    for number in range(1, 5):
        assert f'href="{url("public:pillar", number=number)}"' in html
    for title in [
        "Conditions conducive to the spread of terrorism",
        "Preventing and combating terrorism",
        "Building states&#x27; capacity and strengthening the UN&#x27;s role",
        "Human rights and the rule of law",
    ]:
        assert title in html


def test_it_shows_the_five_states_with_uzbekistan_as_observer(client, default_data):
    html = main_text(page(client, "public:home"))
    for state in ["Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan"]:
        assert f"{state} Adopted 30 November 2011, Ashgabat" in html
    assert "Uzbekistan Observer 30 November 2011, Ashgabat" in html


def test_it_shows_the_phases_with_offices_and_donors(client, default_data):
    html = main_text(page(client, "public:home"))
    assert "Phase I 2010–2011" in html and "Phase II 2013–2017" in html
    assert "Phase III from 2018" in html  # its end is not recorded
    assert html.count("Implemented by CTITF Office, UNRCCA") == 2
    assert html.count("Donors Norway, EU") == 2
    assert "Completed in June 2017;" in html and "To be completed" not in html


def test_it_shows_the_timeline_on_the_home_page(client, default_data):
    html = page(client, "public:home")
    for event in Event.objects.all():
        assert f'href="{url("public:event", key=event.key)}"' in html
    body = main_text(html)
    assert "Regional Workshop III: Border Security and Management for Countering Terrorism" in body
    assert "Dates 4–6 March 2015 Place Ashgabat, Turkmenistan" in body
    assert "Pillars Pillar II (inferred) With OSCE" in body
    assert body.index("Phase I (2010–2011)") < body.index("Phase II (2013–2017)")


@pytest.mark.parametrize(("key", "place", "dates", "pillars"), EXPERT_MEETINGS)
def test_it_shows_each_expert_meeting(client, default_data, key, place, dates, pillars):
    html = main_text(page(client, "public:event", key=key))
    assert f"Dates {dates}" in html
    assert f"Place {place}" in html
    for numeral in pillars:
        assert f"Pillar {numeral} " in html
    assert "(inferred)" not in html  # the summary states these meetings' pillars
    assert "Phase I: " in html  # the source's locator


def test_it_shows_the_high_level_meeting_and_the_adoption(client, default_data):
    html = main_text(page(client, "public:event", key="high-level-meeting-2011"))
    assert "Dates 30 November 2011" in html
    assert "Place Ashgabat, Turkmenistan" in html
    assert "Participants 54" in html
    assert (
        "adopted by Kazakhstan, Kyrgyzstan, Tajikistan and Turkmenistan, "
        "with Uzbekistan opting for observer status" in html
    )
    assert "Final Declaration" in html
    assert "Plan adopted JPoA 2011" in html
    assert "Pillar I (inferred)" in html
    assert "an editor gave it the four pillars of the plan it adopted" in html


@pytest.mark.parametrize(("key", "label", "title", "dates", "city", "partner"), WORKSHOPS)
def test_it_shows_each_workshop(client, default_data, key, label, title, dates, city, partner):
    html = main_text(page(client, "public:event", key=key))
    assert label in html and title in html
    assert f"Dates {dates}" in html
    assert f"Place {city}," in html
    assert "(inferred)" in html
    assert "an editor inferred it from the workshop's title" in html
    if partner:
        assert "Co-organisers (partners)" in html and partner in html
    else:
        assert "Co-organisers" not in html


def test_it_lists_every_event_on_the_events_page(client, default_data):
    html = main_text(page(client, "public:events"))
    assert "14 events" in html
    for _, place, dates, _ in EXPERT_MEETINGS:
        assert f"Dates {dates} Place {place}" in html
    for _, label, title, dates, city, _ in WORKSHOPS:
        assert f"{label}: {title} Dates {dates} Place {city}" in html
    assert "Dates 30 November 2011 Place Ashgabat, Turkmenistan" in html
    for year in ["2010", "2011", "2012", "2013", "2014", "2015", "2016", "2017", "2018", "2022"]:
        assert f" {year} " in html


def test_it_filters_events_by_kind_and_pillar(client, default_data):
    html = main_text(page(client, "public:events", query="?kind=expert_meeting"))
    assert "3 events" in html and "Regional Workshop" not in html
    html = main_text(page(client, "public:events", query="?pillar=2"))
    assert "4 events" in html
    assert "Second Expert Meeting" in html and "Countering the Financing" in html
    html = main_text(page(client, "public:events", query="?kind=regional_workshop&pillar=1"))
    assert "3 events" in html  # workshops I, II and IV


def test_it_ignores_a_filter_it_does_not_understand(client, default_data):
    html = main_text(page(client, "public:events", query="?kind=picnic&pillar=x"))
    assert "14 events" in html
    assert "A filter was not understood and was ignored." in html


def test_it_shows_russian_content_on_russian_pages(client, default_data):
    html = main_text(page(client, "public:event", "ru", key="high-level-meeting-2011"))
    assert "Ашхабад, Туркменистан" in html
    assert "30 ноября 2011" in html
    assert "Совещание высокого уровня по Совместному плану действий" in html
    home = main_text(page(client, "public:home", "ru"))
    assert "Узбекистан" in home and "Братислава" in home
    assert "Офис ЦГОКМ" in home and "РЦПДЦА" in home


def test_it_switches_language_on_the_same_page(client, default_data):
    html = page(client, "public:event", key="regional-workshop-3")
    assert 'href="/ru/events/regional-workshop-3/" hreflang="ru"' in html
    html = page(client, "public:events", "ru", query="?pillar=2")
    assert 'href="/en/events/?pillar=2" hreflang="en"' in html


def test_it_marks_the_current_section_in_the_navigation(client, default_data):
    html = page(client, "public:event", key="expert-meeting-1")
    assert f'<a href="{url("public:events")}" aria-current="true">' in html
    html = page(client, "public:events")
    assert f'<a href="{url("public:events")}" aria-current="page">' in html


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("public:event", {"key": "no-such-event"}),
        ("public:phase", {"key": "phase-9"}),
        ("public:pillar", {"number": 7}),
        ("public:state", {"iso2": "sk"}),  # a host country, not a state of the region
        ("public:state", {"iso2": "UZ"}),
        ("public:state", {"iso2": "xx"}),
    ],
)
def test_it_answers_404_for_what_does_not_exist(client, default_data, name, kwargs):
    assert client.get(url(name, **kwargs)).status_code == 404


def test_it_says_honestly_that_the_plan_has_no_action_items_yet(client, default_data):
    html = main_text(page(client, "public:plan"))
    assert "No action items recorded for this version yet." in html
    assert "Kazakhstan Adopted 30 November 2011 Ashgabat" in html
    assert "Uzbekistan Observer 30 November 2011 Ashgabat" in html
    assert "The programme summary does not list the plan's action items" in html
    assert "Adopted at the event High-level meeting: High Level Meeting" in html


def test_it_groups_action_items_by_pillar(client, default_data):
    version = PlanVersion.objects.get(label="2011")
    for number, code in [(2, "II.1"), (1, "I.1")]:
        ActionItem.objects.create(
            version=version,
            pillar=Pillar.objects.get(number=number),
            code=code,
            title_en=f"Item {code}",
        )
    html = main_text(page(client, "public:plan"))
    assert html.count("No action items recorded") == 1  # only version 2022's, not recorded
    assert html.index("Pillar I: Conditions") < html.index("I.1 Item I.1")
    assert html.index("I.1 Item I.1") < html.index("Pillar II: Preventing")
    assert html.index("Pillar II: Preventing") < html.index("II.1 Item II.1")


def test_it_shows_a_pillar_with_its_classified_records(client, default_data):
    html = main_text(page(client, "public:pillar", number=2))
    assert "Measures to prevent and combat terrorism" in html
    assert "Second Expert Meeting on Pillar II" in html
    assert "Border Security and Management" in html
    assert "Pillars inferred by an editor: The summary does not state this workshop's" in html
    assert "Dialogue with Religious Institutions" not in html  # pillar I
    assert "United Nations Global Counter-Terrorism Strategy (A/RES/60/288)" in html
    assert "0 activities of regional and international organisations" in html


def test_it_counts_records_per_pillar(client, default_data):
    html = main_text(page(client, "public:pillars"))
    # Pillar II: Second Expert Meeting, the high-level meeting, workshops III and V.
    assert (
        "Preventing and combating terrorism Measures to prevent and combat terrorism 4 events"
        in html
    )


def test_it_shows_a_state_with_its_participation_and_events(client, default_data):
    html = main_text(page(client, "public:state", iso2="uz"))
    assert "Uzbekistan" in html and "JPoA 2011 Observer 30 November 2011 Ashgabat" in html
    assert "JPoA 2022 Adopted 3 March 2022 Tashkent" in html
    assert "High-Level International Conference" in html  # Tashkent, 2022
    html = main_text(page(client, "public:state", iso2="tm"))
    assert "JPoA 2011 Adopted" in html
    assert "High Level Meeting" in html and "Border Security" in html
    assert "Countering the Financing of Terrorism" in html


def test_it_lists_states_with_their_event_counts(client, default_data):
    html = main_text(page(client, "public:states"))
    assert "Kazakhstan Adopted 30 November 2011, Ashgabat Adopted 3 March 2022, Tashkent 4" in html
    assert "Uzbekistan Observer 30 November 2011, Ashgabat Adopted 3 March 2022, Tashkent 1" in html
    assert "Slovakia" not in html


def test_it_shows_a_phase(client, default_data):
    html = main_text(page(client, "public:phase", key="phase-2"))
    assert "Phase II · 2013–2017" in html
    assert "Implementation of the Joint Plan of Action in Central Asia" in html
    assert "Completed in June 2017;" in html
    assert "Counter-Terrorism Implementation Task Force Office (CTITF Office)" in html
    assert "European Union (EU)" in html and "Norway" in html
    assert html.count("Regional Workshop") + html.count("Regional Training Workshop") == 5
    assert "Expert Meeting" not in html


def test_it_shows_participant_breakdowns_when_recorded(client, default_data):
    event = Event.objects.get(key="high-level-meeting-2011")
    kz = event.country.__class__.objects.get(iso2="KZ")
    EventParticipants.objects.create(event=event, country=kz, women=3, men=5, total=8)
    html = main_text(page(client, "public:event", key=event.key))
    assert "Participants by country" in html
    assert "Kazakhstan 3 5 8" in html


def test_it_lists_the_library(client, default_data):
    html = page(client, "public:library")
    body = main_text(html)
    assert "Final Declaration of the High Level Meeting in Ashgabat" in body
    assert "Symbol A/RES/60/288" in body
    assert 'href="http://unrcca.unmissions.org/Default.aspx?tabid=11511&amp;language=en-US"' in html
    assert body.index("Final Declaration") < body.index("UNRCCA web page")
    event_html = page(client, "public:event", key="high-level-meeting-2011")
    assert f"{url('public:library')}#resource-final-declaration-2011" in event_html
    assert 'id="resource-final-declaration-2011"' in html


def test_it_lists_the_sources_that_records_cite(client, default_data):
    html = page(client, "public:sources")
    assert 'id="source-programme-summary"' in html
    assert "CTITF Office and UNRCCA, programme summary covering 2010-2017" in html
    event_html = page(client, "public:event", key="expert-meeting-2")
    assert f"{url('public:sources')}#source-programme-summary" in event_html
    assert "Phase I: second expert meeting" in main_text(event_html)


def test_it_works_on_an_empty_database(client, db):
    assert "No plan has been recorded yet." in main_text(page(client, "public:home"))
    assert "No plan has been recorded yet." in main_text(page(client, "public:plan"))
    assert "No events match these filters." in main_text(page(client, "public:events"))
    assert "No resources recorded yet." in main_text(page(client, "public:library"))


def test_the_home_page_takes_a_fixed_number_of_queries(
    client, default_data, django_assert_num_queries
):
    with django_assert_num_queries(12):  # + the latest editions ("what is happening")
        page(client, "public:home")


def test_an_event_page_takes_a_fixed_number_of_queries(
    client, default_data, django_assert_num_queries
):
    with django_assert_num_queries(10):  # + the event's findings
        page(client, "public:event", key="high-level-meeting-2011")


@pytest.mark.parametrize(
    ("name", "kwargs", "queries"),
    [
        ("public:plan", {}, 5),  # + the latest matrix edition (coverage)
        ("public:pillars", {}, 5),
        ("public:pillar", {"number": 2}, 8),
        ("public:states", {}, 5),
        ("public:state", {"iso2": "kz"}, 7),
        ("public:phase", {"key": "phase-1"}, 7),
        ("public:events", {}, 7),  # + the country and year filters' choices
        ("public:library", {}, 5),  # + the countries of each resource
        # + per kind of record with provenance, one count and (if any cite) one list query:
        # as many queries for a thousand citing records as for ten
        ("public:sources", {}, 29),  # +4: the frameworks and their areas cite sources too
    ],
)
def test_other_pages_take_a_fixed_number_of_queries(
    client, default_data, django_assert_num_queries, name, kwargs, queries
):
    with django_assert_num_queries(queries):
        page(client, name, **kwargs)
