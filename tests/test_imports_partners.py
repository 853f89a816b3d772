"""Partners' real files: IATI organisations by identifier, new ones proposed, HXL as the
standard reads it, outside the region skipped with a reason, dates that could be read two ways.

The IATI files are real publishers' files (sources in tests/data/README.md): the
Netherlands MFA's 2.03 file from the IATI.cloud repository, and IATI's own annotated 2.03
example. The HXL file is laid out as HDX 3W files are; its rows are invented.
"""

import datetime
import io
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from jpoa.accounts.models import Role
from jpoa.core.models import Organisation, OrganisationIdentifier, OrganisationName
from jpoa.exchange.apply import apply_import, start_import_from_path
from jpoa.exchange.models import SectorMapping
from jpoa.exchange.preview import build_preview
from jpoa.matrix.models import Activity
from tests.factories import PASSWORD, PUBLISHER, coordinator, make_user

DATA = Path(__file__).parent / "data"
NL = DATA / "nl-mfa-dgis-2.03-activities-iaticloud-fixture.xml"
EXAMPLE = DATA / "iati-official-example-activity-2.03-annotated.xml"
THREE_W = DATA / "hxl-3w-central-asia.csv"


def run_import(path: Path, user, **options):
    record, preview = start_import_from_path(path, user=user, **options)
    apply_import(record=record, user=user, preview=preview)
    return record, preview


def variant(tmp_path: Path, name: str, source: Path, *replacements: tuple[str, str]) -> Path:
    """A copy of a real file with a few changes, made at run time (the original stays as is)."""
    text = source.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the two real IATI files ----------------------------------------------------------------


def test_the_netherlands_file_reads_thirteen_keeps_one_and_says_why_it_skips(default_data):
    preview = build_preview(NL)
    counts = preview.counts
    assert (counts["read"], counts["in_region"], counts["skipped"]) == (13, 1, 12)
    assert (counts["error"], counts["add"]) == (0, 1)
    reasons = dict(preview.skip_reasons)
    assert reasons == {
        "recipient countries BA, CO, EG, GH, JO, MM, SL, SO, UA, UY are outside the region": 10,
        "recipient regions 998 are not the plan's region": 2,
    }
    assert not any("outside" in i.message for i in preview.all_issues())  # counted apart
    by_line = {r.row: r for r in preview.rows}
    assert by_line[344].reason == "recipient countries BA are outside the region"
    new = {(o.name, o.ref, o.type) for o in preview.new_organisations}
    assert new == {
        ("Ministry of Foreign Affairs (DGIS)", "XM-DAC-7", "state"),
        ("Legal Policy Research Centre", "", "other"),
    }
    assert "2 new organisations: Ministry of Foreign Affairs (DGIS) (XM-DAC-7, government)" in (
        "\n".join(preview.summary())
    )
    assert Organisation.objects.filter(key__contains="ministry").count() == 0  # nothing written


def test_the_kazakhstan_activity_imports_with_its_organisations_dates_and_pillar(default_data):
    user = coordinator()
    record, _preview = run_import(NL, user)
    activity = Activity.objects.get(iati_identifier="NL-1-PPR-27790")
    assert activity.title_en == "AST BUSINESS AND HUMAN RIGHTS"
    assert list(activity.countries.values_list("iso2", flat=True)) == ["KZ"]
    assert (activity.start_date, activity.end_date) == (
        datetime.date(2015, 6, 22),
        datetime.date(2017, 12, 18),
    )
    assert activity.status == "completed"
    assert list(activity.pillars.values_list("number", flat=True)) == [4]  # 15160 human rights
    assert activity.is_inferred and "sectors 15160" in activity.provenance_note_en
    ministry = activity.lead_organisation
    assert ministry.name_en == "Ministry of Foreign Affairs (DGIS)" and ministry.type == "state"
    assert list(ministry.identifiers.values_list("value", flat=True)) == ["XM-DAC-7"]
    assert list(activity.donors.all()) == [ministry]
    assert list(activity.partners.values_list("name_en", flat=True)) == [
        "Legal Policy Research Centre"
    ]
    # Added by this import, not yet reviewed, its type marked as inferred from the file.
    assert ministry.needs_review and ministry.source.key == f"import-{record.pk}"
    assert ministry.is_inferred and "IATI organisation type 10" in ministry.provenance_note_en
    assert "NL-1-PPR-27790" in ministry.source_locator
    assert LogEntry.objects.get_for_object(ministry).get().actor == user


def test_a_reimport_reports_every_activity_unchanged_and_adds_nothing(default_data):
    user = coordinator()
    run_import(NL, user)
    organisations, activities = Organisation.objects.count(), Activity.objects.count()
    again = build_preview(NL)
    assert (again.counts["unchanged"], again.counts["add"], again.counts["update"]) == (1, 0, 0)
    assert again.new_organisations == [] and again.counts["skipped"] == 12
    run_import(NL, user)
    assert (Organisation.objects.count(), Activity.objects.count()) == (organisations, activities)


def test_the_official_example_is_read_and_skipped_with_its_countries(default_data):
    preview = build_preview(EXAMPLE)
    counts = preview.counts
    assert (counts["read"], counts["in_region"], counts["skipped"], counts["error"]) == (1, 0, 1, 0)
    assert preview.skip_reasons == [("recipient countries AF, AG are outside the region", 1)]


def test_two_spellings_of_one_identifier_are_one_organisation(default_data, tmp_path):
    # The Kazakhstan activity names its funder as "xm-dac-7 " and its lead as "XM-DAC-7".
    path = variant(
        tmp_path,
        "spellings.xml",
        NL,
        (
            '<participating-org ref="XM-DAC-7" type="10" role="1">\n'
            '      <narrative xml:lang="en">Ministry of Foreign Affairs (DGIS)</narrative>\n'
            "    </participating-org>\n"
            '    <participating-org ref="XM-DAC-7" type="10" role="2">\n'
            '      <narrative xml:lang="en">Ministry of Foreign Affairs (DGIS)</narrative>\n'
            "    </participating-org>\n"
            '    <participating-org ref="XM-DAC-7" type="10" role="3">\n'
            '      <narrative xml:lang="en">Ministry of Foreign Affairs (DGIS)</narrative>\n'
            "    </participating-org>\n"
            '    <participating-org type="80" role="4">',
            '<participating-org ref="xm-dac-7 " type="10" role="1">\n'
            '      <narrative xml:lang="nl">Ministerie van Buitenlandse Zaken</narrative>\n'
            "    </participating-org>\n"
            '    <participating-org ref="XM-DAC-7" type="10" role="2">\n'
            '      <narrative xml:lang="en">Ministry of Foreign Affairs (DGIS)</narrative>\n'
            "    </participating-org>\n"
            '    <participating-org type="80" role="4">',
        ),
    )
    preview = build_preview(path)
    assert [o.ref for o in preview.new_organisations if o.ref] == ["XM-DAC-7"]
    run_import(path, coordinator())
    activity = Activity.objects.get(iati_identifier="NL-1-PPR-27790")
    assert list(activity.donors.all()) == [activity.lead_organisation]
    # Its Dutch name, from the second spelling, is one of its names, matched from now on.
    dutch = activity.lead_organisation.other_names.get()
    assert (dutch.name, dutch.language) == ("Ministerie van Buitenlandse Zaken", "nl")
    assert OrganisationIdentifier.objects.filter(normalised="XM-DAC-7").count() == 1


def test_an_organisation_is_found_by_identifier_then_by_a_name_in_any_language(default_data):
    osce = Organisation.objects.get(key="osce")
    OrganisationIdentifier.objects.create(organisation=osce, value="xm-osce-1")
    unodc = Organisation.objects.get(key="unodc")
    OrganisationName.objects.create(
        organisation=unodc, name="Office des Nations Unies", language="fr"
    )
    from jpoa.exchange.matching import Matcher

    matcher = Matcher()
    assert matcher.organisation(("XM-OSCE-1", "Some other name", "", ())).obj == osce
    assert matcher.organisation(" xm-osce-1 ").obj == osce
    assert matcher.organisation(("", "OFFICE DES NATIONS UNIES", "", ())).obj == unodc
    assert matcher.organisation("organization for security and co-operation in europe").obj == osce


def test_an_identifier_has_one_spelling_in_the_back_office(default_data):
    from django.core.exceptions import ValidationError

    osce = Organisation.objects.get(key="osce")
    OrganisationIdentifier.objects.create(organisation=osce, value="XM-OSCE-1")
    duplicate = OrganisationIdentifier(
        organisation=Organisation.objects.get(key="eu"), value=" xm-osce-1"
    )
    with pytest.raises(ValidationError):
        duplicate.full_clean()


def test_xml_errors_give_the_line_and_the_activitys_identifier(default_data, tmp_path):
    path = variant(
        tmp_path,
        "broken.xml",
        NL,
        (
            '<value value-date="2018-01-01">93796</value>',
            '<value value-date="2018-01-01">9x</value>',
        ),
    )
    preview = build_preview(path)
    [issue] = [i for i in preview.errors if i.field == "budget"]
    assert (issue.row, issue.activity) == (778, "NL-1-PPR-27790")
    text = NL.read_text(encoding="utf-8").splitlines()
    assert text[issue.row - 1].lstrip().startswith("<iati-activity")
    assert str(issue).startswith("broken.xml:778:budget (NL-1-PPR-27790): error:")
    assert Activity.objects.count() == 0


def test_the_command_line_adds_the_new_organisations_with_yes(default_data):
    coordinator("ops")
    out = io.StringIO()
    call_command("import", str(NL), "--yes", "--user", "ops", stdout=out)
    text = out.getvalue()
    assert "13 read, 1 in the region, 12 skipped" in text
    assert "2 new organisations" in text
    assert Organisation.objects.filter(needs_review=True).count() == 2


# -- HXL ------------------------------------------------------------------------------------


def test_a_3w_file_with_its_hashtag_row_on_row_three(default_data):
    preview = build_preview(THREE_W)
    counts = preview.counts
    assert (counts["read"], counts["in_region"], counts["skipped"], counts["error"]) == (6, 5, 1, 0)
    assert preview.skip_reasons == [("recipient countries AF are outside the region", 1)]
    warnings = [i.message for i in preview.warnings]
    assert any(
        "ignored: #targeted+f (Women targeted), #meta+notes (Notes)" in w for w in warnings
    ), warnings
    assert any("#adm1+name (Province)" in w for w in warnings), warnings
    assert any("no pillar for the sector 11220" in w for w in warnings), warnings
    assert any("01/02/2024" in w and "2024-02-01" in w and "2024-01-02" in w for w in warnings)
    assert [o.name for o in preview.new_organisations] == [
        "United Nations Development Programme",
        "Aga Khan Foundation",
    ]
    assert [r.label for r in preview.needs_pillar] == ["Schools for returnees' children"]

    run_import(THREE_W, coordinator())
    border = Activity.objects.get(title_en="Border liaison offices on the Kyrgyz-Tajik border")
    assert border.lead_organisation.key == "unodc"  # #org+impl leads: the file has no #org
    assert list(border.donors.values_list("key", flat=True)) == ["eu"]  # #org+funder
    assert list(border.pillars.values_list("number", flat=True)) == [2]  # 15190 migration
    assert border.is_inferred and "15190" in border.provenance_note_en
    assert list(border.countries.values_list("iso2", flat=True)) == ["KG"]  # #country+code
    assert border.start_date == datetime.date(2023, 3, 1)  # #date+start
    policing = Activity.objects.get(title_en="Community policing in Khatlon")
    assert policing.lead_organisation.name_en == "United Nations Development Programme"
    assert list(policing.partners.values_list("key", flat=True)) == ["unodc"]
    assert Activity.objects.get(title_en__startswith="Regional workshop").region_wide
    assert not Activity.objects.filter(title_en="Child protection in the north").exists()
    assert build_preview(THREE_W).counts["unchanged"] == 5


def test_hxl_in_a_workbook_with_rows_above_the_hashtags(default_data, tmp_path):
    import csv

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in csv.reader(THREE_W.read_text(encoding="utf-8").splitlines()):
        sheet.append(row)
    sheet["G5"] = datetime.datetime(2024, 2, 1)  # a real Excel date: never ambiguous
    path = tmp_path / "3w.xlsx"
    workbook.save(path)
    preview = build_preview(path)
    assert (preview.counts["add"], preview.counts["error"]) == (5, 0)
    assert not any("01/02/2024" in i.message for i in preview.warnings)


# -- dates ----------------------------------------------------------------------------------

DATES = "Lead organisation,Title (English),Status,Start date\nOSCE,{title},ongoing,{date}\n"


def dates_file(tmp_path, date: str, title: str = "Dated") -> Path:
    path = tmp_path / "dates.csv"
    path.write_text(DATES.format(title=title, date=date), encoding="utf-8")
    return path


def test_an_ambiguous_date_is_a_warning_naming_both_readings(default_data, tmp_path):
    preview = build_preview(dates_file(tmp_path, "01/02/2024"))
    [warning] = preview.warnings
    assert (warning.row, warning.field) == (2, "Start date")
    assert "2024-02-01 (day/month/year)" in warning.message
    assert "2024-01-02 (month/day/year)" in warning.message
    assert preview.rows[0].data["start_date"] == datetime.date(2024, 2, 1)


@pytest.mark.parametrize(
    ("date", "convention", "expected"),
    [
        ("01/02/2024", "DMY", datetime.date(2024, 2, 1)),
        ("01/02/2024", "MDY", datetime.date(2024, 1, 2)),
        ("2024-01-02", "", datetime.date(2024, 1, 2)),
        ("13/02/2024", "", datetime.date(2024, 2, 13)),
        ("02/13/2024", "", datetime.date(2024, 2, 13)),
    ],
)
def test_a_stated_convention_or_a_date_that_reads_one_way_is_no_warning(
    default_data, tmp_path, date, convention, expected
):
    preview = build_preview(dates_file(tmp_path, date), date_format=convention)
    assert not preview.warnings and not preview.errors
    assert preview.rows[0].data["start_date"] == expected


def test_an_iso_file_refuses_a_date_of_another_form(default_data, tmp_path):
    preview = build_preview(dates_file(tmp_path, "01/02/2024"), date_format="ISO")
    [error] = preview.errors
    assert "expected a date as YYYY-MM-DD" in error.message


def test_the_command_line_and_the_web_take_the_files_date_convention(
    default_data, tmp_path, client
):
    coordinator("ops")
    path = dates_file(tmp_path, "01/02/2024", "By the command line")
    call_command(
        "import", str(path), "--yes", "--user", "ops", "--date-format", "MDY", stdout=io.StringIO()
    )
    assert Activity.objects.get(title_en="By the command line").start_date == datetime.date(
        2024, 1, 2
    )
    client.login(username="ops", password=PASSWORD)
    upload = io.BytesIO(DATES.format(title="By the web", date="03/04/2024").encode())
    upload.name = "web.csv"
    page = client.post(
        reverse("exchange:upload"), {"file": upload, "date_format": "MDY"}, follow=True
    )
    assert page.status_code == 200 and b"could be" not in page.content
    client.post(reverse("exchange:import_confirm", args=[page.context["record"].pk]))
    assert Activity.objects.get(title_en="By the web").start_date == datetime.date(2024, 3, 4)


# -- sectors to pillars ---------------------------------------------------------------------


def test_the_default_sector_mapping_covers_the_pillars_codes_each_inferred_with_a_reason(
    default_data,
):
    rows = {m.code: m for m in SectorMapping.objects.filter(vocabulary="1")}
    expected = {
        "15210": 3,
        "15220": 1,
        "15130": 4,
        "15160": 4,
        "15113": 3,
        "15190": 2,
        "15240": 2,
        "15250": 2,
        "15261": 1,
        "15150": 1,
        "15170": 4,
        "16010": 1,
    }
    assert {code: rows[code].pillar_number for code in expected} == expected
    assert all(m.classification_basis == "inferred" and m.reason for m in rows.values())


# -- the back office: review and merge ------------------------------------------------------


@pytest.fixture
def boss(client):
    user = make_user("boss", Role.COORDINATOR, is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def admin_changelist(client, data):
    with translation.override("en"):
        url = reverse("admin:core_organisation_changelist")
    return client.post(url, data, follow=True)


def test_a_coordinator_reviews_imported_organisations_audited(default_data, client, boss):
    run_import(NL, boss)
    imported = list(Organisation.objects.filter(needs_review=True))
    with translation.override("en"):
        page = client.get(reverse("admin:core_organisation_changelist") + "?needs_review__exact=1")
    assert b"Legal Policy Research Centre" in page.content
    response = admin_changelist(
        client, {"action": "mark_reviewed", "_selected_action": [o.pk for o in imported]}
    )
    assert b"2 organisations marked as reviewed" in response.content
    assert not Organisation.objects.filter(needs_review=True).exists()
    entry = LogEntry.objects.get_for_object(imported[0]).order_by("-timestamp").first()
    assert entry.actor == boss and entry.changes_dict["needs_review"] == ["True", "False"]


def test_a_coordinator_merges_two_organisations_and_the_trail_keeps_the_other(
    default_data, client, boss
):
    run_import(NL, boss)
    ministry = Organisation.objects.get(iati_id="XM-DAC-7")
    norway = Organisation.objects.get(key="norway")
    activity = Activity.objects.get(iati_identifier="NL-1-PPR-27790")
    version = activity.version
    selected = {"action": "merge", "_selected_action": [ministry.pk, norway.pk]}
    page = admin_changelist(client, selected)
    assert b"Merge two organisations" in page.content and b"XM-DAC-7" in page.content
    admin_changelist(client, {**selected, "keep": norway.pk})

    assert not Organisation.objects.filter(pk=ministry.pk).exists()
    activity.refresh_from_db()
    assert activity.lead_organisation == norway and list(activity.donors.all()) == [norway]
    assert activity.version > version
    assert list(norway.identifiers.values_list("value", flat=True)) == ["XM-DAC-7"]
    assert norway.other_names.filter(name="Ministry of Foreign Affairs (DGIS)").exists()
    # Found by its identifier from now on: a re-import changes nothing and adds nothing.
    again = build_preview(NL)
    assert again.counts["unchanged"] == 1 and [o.ref for o in again.new_organisations] == []
    merge = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Organisation), object_pk=str(norway.pk)
    ).latest("timestamp")
    assert merge.actor == boss
    assert merge.additional_data["merged_organisation"]["iati_id"] == "XM-DAC-7"
    assert LogEntry.objects.get_for_object(activity).filter(actor=boss).exists()


def test_only_a_coordinator_merges(default_data):
    from django.core.exceptions import PermissionDenied

    from jpoa.core.services import organisation_merge
    from tests.factories import focal_point

    with pytest.raises(PermissionDenied):
        organisation_merge(
            user=focal_point("osce"),
            keep=Organisation.objects.get(key="osce"),
            absorb=Organisation.objects.get(key="eu"),
        )
    assert Organisation.objects.filter(key="eu").exists()


SPANISH_3W = (
    "Matriz 3W — ¿Quién hace qué dónde?,,,,\n"
    "Organización,Sector,Departamento,Mujeres,Fecha de inicio\n"
    "#org+es,#sector+es,#adm1+name,#targeted+f,#date+start\n"
    "Consejo Noruego para Refugiados,Protección,Antioquia,120,2023-01-01\n"
    "Cruz Roja Colombiana,Salud,Nariño,80,2023-02-01\n"
)


def test_a_3w_file_of_another_region_is_skipped_by_its_provinces_without_errors(
    default_data, tmp_path
):
    # As the issue saw it: hashtag row on row three, Spanish attributes, no country column.
    path = tmp_path / "3w-es.csv"
    path.write_text(SPANISH_3W, encoding="utf-8")
    preview = build_preview(path)
    counts = preview.counts
    assert (counts["read"], counts["in_region"], counts["skipped"], counts["error"]) == (2, 0, 2, 0)
    assert preview.skip_reasons == [("recipient countries CO are outside the region", 2)]
    assert preview.new_organisations == []  # nothing proposed for rows that are skipped


def test_a_3w_row_with_a_province_of_the_region_gets_its_country(default_data, tmp_path):
    path = tmp_path / "3w-kg.csv"
    path.write_text(
        "#org+impl,#sector+code,#adm1+name,#date+start,#status\n"
        "UNODC,15190,Osh,2023-01-01,ongoing\n",
        encoding="utf-8",
    )
    preview = build_preview(path)
    assert (preview.counts["add"], preview.counts["error"]) == (1, 0)
    row = preview.rows[0]
    assert row.label == "15190 — Osh"  # no title column: made of the sector and the place
    assert any("KG, the country of the province Osh" in i.message for i in preview.warnings)


def test_activity_lines_skip_comments_and_cdata(tmp_path):
    from jpoa.exchange.readers import activity_lines

    path = tmp_path / "lines.xml"
    path.write_text(
        "<iati-activities>\n<!-- an <iati-activity> in a comment\n-->\n"
        "<iati-activity>\n<title><![CDATA[<iati-activity>]]></title>\n</iati-activity>\n"
        "<iati-activity\n  xml:lang='en'/>\n</iati-activities>\n",
        encoding="utf-8",
    )
    assert activity_lines(path) == [4, 7]


def test_one_name_under_two_identifiers_is_two_organisations_and_a_bare_name_joins_its_id(
    default_data, tmp_path
):
    def activity(n: int, orgs: str) -> str:
        return (
            f"<iati-activity><iati-identifier>XX-T-{n}</iati-identifier>"
            f"<title><narrative>Activity {n}</narrative></title>"
            f'<activity-status code="2"/><recipient-country code="KZ"/>{orgs}</iati-activity>'
        )

    ministry = '<participating-org role="2"{ref}><narrative>Ministry of Foreign Affairs</narrative></participating-org>'
    path = tmp_path / "ministries.xml"
    path.write_text(
        '<iati-activities version="2.03">'
        + activity(1, ministry.format(ref=""))
        + activity(2, ministry.format(ref=' ref="XM-DAC-7"'))
        + activity(3, ministry.format(ref=' ref="XM-DAC-2"'))
        + "</iati-activities>",
        encoding="utf-8",
    )
    preview = build_preview(path)
    assert sorted(o.ref for o in preview.new_organisations) == ["XM-DAC-2", "XM-DAC-7"]


def test_a_merge_that_would_change_a_published_edition_is_refused_and_changes_nothing(
    default_data,
):
    from jpoa.core.services import MergeRefused, organisation_merge
    from jpoa.matrix.editions import publish_edition

    user = make_user("boss", Role.COORDINATOR, is_superuser=True)
    run_import(NL, user)
    ministry = Organisation.objects.get(iati_id="XM-DAC-7")
    publish_edition(by=PUBLISHER, title="With the ministry")
    norway = Organisation.objects.get(key="norway")
    with pytest.raises(MergeRefused, match="merge the other way round"):
        organisation_merge(user=user, keep=norway, absorb=ministry)
    activity = Activity.objects.get(iati_identifier="NL-1-PPR-27790")
    assert activity.lead_organisation == ministry and not norway.identifiers.exists()
    organisation_merge(user=user, keep=ministry, absorb=norway)  # the other way round
    assert not Organisation.objects.filter(key="norway").exists()
    assert ministry.other_names.filter(name="Norway").exists()


def test_a_known_organisation_found_by_name_keeps_the_files_identifier(default_data, tmp_path):
    def file(name: str, ref: str, org: str) -> Path:
        path = tmp_path / name
        path.write_text(
            '<iati-activities version="2.03"><iati-activity>'
            "<iati-identifier>XX-T-1</iati-identifier><title><narrative>Courts</narrative></title>"
            '<activity-status code="2"/><recipient-country code="KZ"/>'
            f'<participating-org role="2" ref="{ref}"><narrative>{org}</narrative>'
            "</participating-org></iati-activity></iati-activities>",
            encoding="utf-8",
        )
        return path

    user = coordinator()
    _record, preview = run_import(file("a.xml", "XM-TEST-UNODC", "UNODC"), user)
    assert "identifiers to add to known organisations: XM-TEST-UNODC → UNODC" in preview.summary()
    unodc = Organisation.objects.get(key="unodc")
    assert list(unodc.identifiers.values_list("value", flat=True)) == ["XM-TEST-UNODC"]
    # Another file names it otherwise, with the same identifier: found, nothing new.
    again = build_preview(file("b.xml", "xm-test-unodc", "Office on Drugs and Crime"))
    assert again.new_organisations == [] and again.counts["unchanged"] == 1


def test_a_un_entity_is_proposed_with_its_multilateral_type(default_data, tmp_path):
    path = tmp_path / "undp.xml"
    path.write_text(
        '<iati-activities version="2.03"><iati-activity>'
        "<iati-identifier>XM-DAC-41114-KG-1</iati-identifier>"
        "<title><narrative>Youth and peace in the Ferghana valley</narrative></title>"
        '<activity-status code="2"/><recipient-country code="KG"/><sector code="15220"/>'
        '<participating-org role="4" ref="XM-DAC-41114" type="40">'
        "<narrative>UNITED NATIONS DEVELOPMENT PROGRAMME</narrative></participating-org>"
        '<participating-org role="1" ref="CH-4" type="10">'
        '<narrative xml:lang="fr">Direction du développement et de la coopération</narrative>'
        "</participating-org></iati-activity></iati-activities>",
        encoding="utf-8",
    )
    preview = build_preview(path)
    [undp, sdc] = preview.new_organisations
    assert (undp.type, undp.describe()) == (
        "un_entity",
        "UNITED NATIONS DEVELOPMENT PROGRAMME (XM-DAC-41114, multilateral)",
    )
    assert (sdc.type, sdc.ref) == ("state", "CH-4")
    assert preview.rows[0].data["pillars"] and not preview.errors


def test_the_import_page_lists_new_organisations_and_why_rows_are_skipped(default_data, client):
    coordinator("coord")
    client.login(username="coord", password=PASSWORD)
    upload = io.BytesIO(NL.read_bytes())
    upload.name = NL.name
    page = client.post(reverse("exchange:upload"), {"file": upload}, follow=True)
    text = page.content.decode()
    assert "13 read, 1 in the region, 12 skipped" in text
    assert "New organisations" in text and "XM-DAC-7" in text and "(IATI: government)" in text
    assert "recipient countries BA are outside the region" in text
    assert "Confirm: write these changes" in text
