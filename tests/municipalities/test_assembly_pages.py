"""The assemblies' staff pages, report and spreadsheets: the national count from the one selector, scoping,
the import's row errors, and an export imported back changing nothing."""

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from campaigns.models import Campaign
from demo import assemblies as demo
from municipalities.assemblies import importing
from municipalities.models import AssemblyPetition, OpinionStatement, Sitting
from reports import services as report_services
from shaho.core import intake
from shaho.core.imports import ImportRefused
from tests.councils.factories import national_council, prefectural_council
from tests.module_data import kept_for_the_module

ASSEMBLIES = importing.ASSEMBLIES


def _preview(campaign, data, filename, user):
    return ASSEMBLIES.preview(data=data, filename=filename, user=user, target=campaign)


def _commit(campaign, data, filename, user):
    preview, _message = ASSEMBLIES.commit(data=data, filename=filename, user=user, target=campaign)
    counts = preview.counts()
    return counts["new"], counts["changed"], counts["unchanged"]


pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(scope="module")
def built_campaigns(django_db_setup, django_db_blocker):
    """The demo's campaigns with Kanagawa's and Shibuya's petitions, built once for this module
    (tests/module_data.py); each test's changes are rolled back after it."""
    with kept_for_the_module(django_db_blocker):
        national = national_council()
        prefectural_council("14"), prefectural_council("13")
        campaigns = demo._campaigns(national)
        demo._kanagawa(campaigns[demo.HOKENSHO])
        demo._shibuya(campaigns[demo.HOKENSHO])
        yield {slug: campaign.pk for slug, campaign in campaigns.items()}


@pytest.fixture
def campaigns(built_campaigns, national, kanagawa, tokyo):
    return {slug: Campaign.objects.get(pk=pk) for slug, pk in built_campaigns.items()}


@pytest.fixture(scope="class")
def built_kokuho(built_campaigns, django_db_blocker):
    """The 国保 adoptions in 18 prefectures (112 municipalities), on top of the module's campaigns, for the tests
    of TestTheKokuhoCampaign only: the other tests of this module never see them."""
    with kept_for_the_module(django_db_blocker):
        demo._kokuho(Campaign.objects.get(pk=built_campaigns[demo.KOKUHO]))
        yield built_campaigns[demo.KOKUHO]


@pytest.fixture
def kokuho(built_kokuho, campaigns):
    return campaigns[demo.KOKUHO]


def _snapshot():
    petitions = list(AssemblyPetition.objects.order_by("pk").values())
    statements = list(OpinionStatement.objects.order_by("pk").values())
    history = AssemblyPetition.history.count() + OpinionStatement.history.count()
    return petitions, statements, Sitting.objects.count(), history


def test_prefectural_staff_cannot_open_another_prefectures_petition(client, kanagawa_staff, campaigns):
    shibuya = AssemblyPetition.objects.get(assembly__municipality__code="131130")
    client.force_login(kanagawa_staff)
    url = reverse("admin:municipalities_assemblypetition_change", args=[shibuya.pk])
    assert client.get(url).status_code == 404
    listed = client.get(reverse("admin:municipalities_assemblypetition_changelist")).context["cl"].result_list
    assert {p.assembly.prefecture.code for p in listed} == {"14"}


def test_assembly_summary_of_another_prefectures_campaign_reads_as_none(kanagawa_staff, campaigns):
    with pytest.raises(Exception, match="運動「nope」はありません"):
        report_services.validate_request(kind="assembly_summary", params={"campaign": "nope"}, user=kanagawa_staff)


def _resave(content):
    """The export as a spreadsheet application saves it back (openpyxl's load + save)."""
    import openpyxl

    out = io.BytesIO()
    openpyxl.load_workbook(io.BytesIO(content)).save(out)
    return out.getvalue()


def test_a_number_of_another_prefectures_petition_reads_like_one_that_does_not_exist(kanagawa_staff, campaigns):
    shibuya = AssemblyPetition.objects.get(assembly__municipality__code="131130")
    csv = f"番号,市区町村,件名,会期\n{shibuya.pk},大磯町,陳情,2025年3月議会\n".encode()
    preview = _preview(shibuya.campaign, csv, "k.csv", kanagawa_staff)
    assert [e.message for e in preview.errors] == [
        f"番号「{shibuya.pk}」の陳情・請願は見つかりません（削除されたか、権限の範囲の外です）。"
    ]


def _admin_post(oiso, sitting, groups, *, ayes):
    return {
        "assembly": oiso.pk, "sitting": sitting.pk, "kind": "chinjo", "title": "国保の陳情", "theme": "",
        "campaign": "", "text": "", "submitted_by": "", "introducing_members": "", "submitted_on": "2025-11-20",
        "committee": "総務福祉常任委員会", "committee_on": "２０２５年１２月５日", "committee_outcome": "noted",
        "committee_for": "３", "committee_against": "3", "committee_chair_decided": "on",
        "plenary_on": "", "plenary_outcome": "pending", "plenary_for": "", "plenary_against": "", "note": "",
        "votes-TOTAL_FORMS": "2", "votes-INITIAL_FORMS": "0",
        "votes-0-stage": "committee", "votes-0-group": groups[0].pk, "votes-0-position": "for",
        "votes-0-members_for": str(ayes), "votes-0-members_against": "",
        "votes-1-stage": "committee", "votes-1-group": groups[1].pk, "votes-1-position": "against",
        "votes-1-members_for": "", "votes-1-members_against": "3",
        "opinion_statements-TOTAL_FORMS": "0", "opinion_statements-INITIAL_FORMS": "0",
    }  # fmt: skip


def test_admin_refuses_votes_that_do_not_add_up_and_saves_them_when_they_do(client, kanagawa_staff, campaigns):
    from municipalities.assemblies import services
    from municipalities.assemblies.models import Season
    from municipalities.models import Municipality

    oiso = services.assembly_of(municipality=Municipality.objects.get(code="143413"))
    sitting = services.sitting_for(
        assembly=oiso, season=Season.DECEMBER, year=2025, starts_on=D(2025, 11, 28), ends_on=D(2025, 12, 16)
    )
    groups = [services.party_group_of(assembly=oiso, name=n) for n in ("A会派", "B会派")]
    client.force_login(kanagawa_staff)
    url = reverse("admin:municipalities_assemblypetition_add")
    before = AssemblyPetition.objects.count()
    refused = client.post(url, _admin_post(oiso, sitting, groups, ayes=2))
    assert refused.status_code == 200
    assert "賛成数（3）と合いません" in refused.content.decode()
    assert AssemblyPetition.objects.count() == before
    saved = client.post(url, _admin_post(oiso, sitting, groups, ayes=3))
    assert saved.status_code == 302
    petition = AssemblyPetition.objects.get(sitting=sitting)
    assert petition.committee_on == D(2025, 12, 5) and petition.entered_by == kanagawa_staff
    assert petition.votes.count() == 2 and petition.outcome == "noted"


def test_an_add_form_carrying_a_row_of_the_read_only_statements_inline_is_refused_in_japanese(
    client, kanagawa_staff, campaigns
):
    # The 意見書 inline shows its rows read-only; a row posted with the form (as a change page carries it) used to
    # reach OpinionStatement.clean(), whose error on 可決日 — a field the inline does not show — was a 500.
    from municipalities.assemblies import services
    from municipalities.assemblies.models import Season
    from municipalities.models import Municipality

    oiso = services.assembly_of(municipality=Municipality.objects.get(code="143413"))
    sitting = services.sitting_for(
        assembly=oiso, season=Season.DECEMBER, year=2025, starts_on=D(2025, 11, 28), ends_on=D(2025, 12, 16)
    )
    groups = [services.party_group_of(assembly=oiso, name=n) for n in ("A会派", "B会派")]
    shown = OpinionStatement.objects.filter(assembly__prefecture__code="14").first()
    data = _admin_post(oiso, sitting, groups, ayes=3)
    data.update({
        "opinion_statements-TOTAL_FORMS": "1", "opinion_statements-INITIAL_FORMS": "1",
        "opinion_statements-0-id": str(shown.pk),
    })  # fmt: skip
    client.force_login(kanagawa_staff)
    client.raise_request_exception = False
    before = AssemblyPetition.objects.count(), OpinionStatement.objects.count()
    response = client.post(reverse("admin:municipalities_assemblypetition_add"), data)
    assert response.status_code == 200
    assert "可決日: 可決した意見書には可決日を入力してください。" in response.content.decode()
    assert (AssemblyPetition.objects.count(), OpinionStatement.objects.count()) == before


def test_a_party_groups_page_lists_how_it_voted(client, kanagawa_staff, campaigns):
    from municipalities.models import PartyGroup

    kyosan = PartyGroup.objects.get(assembly__municipality__code="141305", name="共産")
    client.force_login(kanagawa_staff)
    page = client.get(reverse("admin:municipalities_partygroup_change", args=[kyosan.pk])).content.decode()
    assert "川崎市議会「現行の健康保険証を残すことを求める陳情」: 賛成（委員会）" in page


class TestTheKokuhoCampaign:
    """The tests that read the 国保 adoptions (`kokuho`): built once for the class (`built_kokuho`)."""

    def test_admin_national_count_prints_18_112_111(self, client, national_staff, kokuho):
        client.force_login(national_staff)
        url = reverse("admin:municipalities_assemblypetition_count")
        response = client.get(url, {"campaign": kokuho.slug})
        assert response.status_code == 200
        assert "18都道府県の112市区町村で採択、意見書111本" in response.content.decode()

    def test_admin_count_for_prefectural_staff_covers_their_prefecture_only(self, client, kanagawa_staff, kokuho):
        client.force_login(kanagawa_staff)
        response = client.get(reverse("admin:municipalities_assemblypetition_count"), {"campaign": kokuho.slug})
        assert response.context["count"].sentence() == "1都道府県の7市区町村で採択、意見書7本"

    def test_assembly_summary_pdf_prints_the_national_count(self, national_staff, kokuho, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        job = report_services.run_now(kind="assembly_summary", params={"campaign": kokuho.slug}, user=national_staff)
        text = "".join(page.extract_text() for page in PdfReader(job.file.open("rb")).pages).replace("\n", "")
        assert "18都道府県の112市区町村で採択、意見書111本" in text
        assert "北海道" in text and "2024年9月議会" in text

    @pytest.mark.parametrize("file_format", ["xlsx", "xlsx-resaved", "csv"])
    def test_export_then_import_changes_nothing(self, kanagawa_staff, kokuho, file_format):
        content, _type, ext = importing.assembly_export(
            campaign=kokuho, user=kanagawa_staff, file_format="csv" if file_format == "csv" else "xlsx"
        )
        content = _resave(content) if file_format == "xlsx-resaved" else content
        before = _snapshot()
        preview = _preview(kokuho, content, f"k.{ext}", kanagawa_staff)
        assert preview.ok and preview.summary() == "7行（新規 0・変更 0・変更なし 7・エラー 0）"
        assert {row.status_label for row in preview.rows} == {"変更なし"}
        assert _commit(kokuho, content, f"k.{ext}", kanagawa_staff) == (0, 0, 7)
        assert _snapshot() == before

    def test_submitting_council_in_both_spellings_and_an_ambiguous_name(self, kanagawa_staff, kanagawa, kokuho):
        from tests.councils.factories import local_council

        a = local_council("14", name="湘南社保協")
        b = local_council("14", name="湘南社会保障推進協議会")
        local_council("13", name="湘南社保協")  # Tokyo's: never a candidate for Kanagawa
        csv = (
            "市区町村,件名,会期,委員会の審査日,提出した社保協\n"
            "大磯町,陳情A,2025年3月議会,2025-03-10,神奈川県社保協\n"
            "平塚市,陳情B,2025年3月議会,2025-03-10,神奈川社会保障推進協議会\n"
            "藤沢市,陳情C,2025年3月議会,2025-03-10,湘南社保協\n"
        ).encode()
        preview = _preview(kokuho, csv, "k.csv", kanagawa_staff)
        assert preview.rows[0].petition.submitted_by_id == kanagawa.pk
        assert preview.rows[1].petition.submitted_by_id == kanagawa.pk
        assert [e.message for e in preview.rows[2].errors] == [
            f"「湘南社保協」に当てはまる社保協が複数あります: 湘南社保協（番号 {a.pk}）、"
            f"湘南社会保障推進協議会（番号 {b.pk}）。番号で指定してください。"
        ]

    def test_import_creates_assembly_sitting_petition_and_statement(self, kanagawa_staff, kokuho):
        csv = (
            "市区町村,件名,会期,委員会の審査日,委員会の結果,本会議の議決日,本会議の結果,意見書,意見書の可決日\n"
            "大磯町,国保の国庫負担増額を求める陳情,2025年3月議会,２０２５年３月１０日,採択,2025/3/20,採択,可決,令和7年3月20日\n"
        ).encode("cp932")
        created = _commit(kokuho, csv, "k.csv", kanagawa_staff)
        assert created == (1, 0, 0)
        petition = AssemblyPetition.objects.get(campaign=kokuho, assembly__municipality__code="143413")
        assert (str(petition.sitting), petition.outcome, petition.entered_by) == (
            "2025年3月議会",
            "adopted",
            kanagawa_staff,
        )
        assert petition.opinion_statements.get().adopted_on == D(2025, 3, 20)

    def test_import_row_errors_name_row_and_column_and_save_nothing(self, kanagawa_staff, kokuho):
        csv = (
            "市区町村,件名,会期,提出日,委員会の審査日,委員会の結果\n"
            "大磯町,陳情A,2025年3月議会,2025-03-12,2025-03-10,採択\n"
            "渋谷区,陳情B,2025年3月議会,,2025-03-10,採択\n"
            "平塚市,陳情C,2025年3月議会,,2025-03-10,よくわからない\n"
        ).encode()
        before = _snapshot()
        preview = _preview(kokuho, csv, "k.csv", kanagawa_staff)
        lines = [str(e) for e in preview.errors]
        assert any(line.startswith("2行目「委員会の審査日」") and "提出日" in line for line in lines)
        # 渋谷区 is Tokyo's: it reads as not found, never as "not yours"
        assert any(line.startswith("3行目「市区町村」") and "見つかりません" in line for line in lines)
        assert any(line.startswith("4行目「委員会の結果」") for line in lines)
        with pytest.raises(ImportRefused):
            _commit(kokuho, csv, "k.csv", kanagawa_staff)
        assert _snapshot() == before

    @pytest.mark.usefixtures("tasks_in_process")  # the import job in-process, even in CI's pass with a broker
    def test_admin_import_preview_then_commit(self, client, kanagawa_staff, kokuho):
        client.force_login(kanagawa_staff)
        url = reverse("admin:municipalities_assemblypetition_import")
        upload = io.BytesIO("市区町村,件名,会期,委員会の審査日\n大磯町,国保の陳情,2025年6月議会,2025-06-12\n".encode())
        upload.name = "k.csv"
        preview = client.post(url, {"campaign": kokuho.slug, "file": upload, "encoding": ""})
        assert preview.status_code == 200 and preview.context["preview"].ok
        assert not AssemblyPetition.objects.filter(assembly__municipality__code="143413", campaign=kokuho).exists()
        done = client.post(url, {"_commit": "1", "token": preview.context["token"]})
        assert done.status_code == 302
        assert AssemblyPetition.objects.filter(assembly__municipality__code="143413", campaign=kokuho).exists()

    def test_export_neutralises_formulas(self, kanagawa_staff, kokuho):
        AssemblyPetition.objects.filter(campaign=kokuho).update(title="=HYPERLINK(1)")
        content, _type, _ext = importing.assembly_export(campaign=kokuho, user=kanagawa_staff, file_format="csv")
        assert b"'=HYPERLINK(1)" in content
        parsed = intake.read_file(data=content, filename="k.csv", layout=importing.LAYOUT)
        assert parsed.rows[0].cells["title"] == "=HYPERLINK(1)"
