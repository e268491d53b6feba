"""Blocks of the local assemblies: one prefecture's petitions with each party group's vote (seed 001 §1(2)),
a campaign's outcomes per prefecture and its adoption map, each from the demo's rows and within the reader's scope."""

import datetime
import re
from io import StringIO

import pytest
from django.core.exceptions import ValidationError

from councils.models import Role
from demo import assemblies as demo
from municipalities.models import AssemblyPetition, AssemblyVote, Municipality
from shaho.core import blocks
from shaho.core.figures import PlaceholderContext
from tests.councils.factories import local_council, national_council, prefectural_council, staff_of
from tests.module_data import kept_for_the_module

pytestmark = pytest.mark.django_db
D = datetime.date
DECEMBER = "{{ assembly.petitions prefecture=14 start=2023-11-01 end=2023-12-31 }}"


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The assemblies' demo, with 川崎社保協 covering 川崎市 (so a local council's reader sees its city only)."""
    with kept_for_the_module(django_db_blocker):
        national_council(), prefectural_council("14"), prefectural_council("13")
        kawasaki = Municipality.objects.get(code="141305")
        local_council("14", name="川崎市社会保障推進協議会", short_name="川崎社保協", municipalities=[kawasaki])
        local_council("14", name="平塚地域社会保障推進協議会", short_name="平塚地域社保協")
        demo.seed(stdout=StringIO())
        yield


def ctx(user=None):
    return PlaceholderContext(date=D(2024, 3, 31), user=user)


def html(source, user=None):
    return str(blocks.resolve_one(source, ctx(user)).render())


def text(source, user=None):
    """The block's text as a reader reads it (inline tags dropped, each cell and line apart)."""
    inline = re.sub(r"</?(span|strong)[^>]*>", "", html(source, user))
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline))


@pytest.fixture
def kanagawa_reader(built):
    return staff_of(prefectural_council("14"), role=Role.COUNCIL_STAFF)


@pytest.fixture
def kawasaki_reader(built):
    from councils.models import Council

    return staff_of(Council.objects.get(short_name="川崎社保協"), role=Role.COUNCIL_STAFF)


# --- assembly.petitions --------------------------------------------------------------------------------------


def test_the_december_petitions_print_with_each_groups_vote(built):
    out = text(DECEMBER)
    # 川崎市: rejected, みらい・共産 for, 自民・公明・維新 against (seed 001 §1(2)).
    assert "川崎市 陳情「現行の健康保険証を残すことを求める陳情」" in out
    assert "川崎社保協（2023年11月20日）" in out
    kawasaki_row = out.split("平塚市")[0]
    assert "賛成：みらい・共産 反対：自民・公明・維新" in kawasaki_row
    assert "不採択" in kawasaki_row and "本会議（2023年12月20日）：不採択" in kawasaki_row
    # 大磯町: 3 to 3 in committee, the chair decided 趣旨了承; submitted by the two organisations.
    oiso_row = out.split("大磯町")[1]
    assert "趣旨了承" in oiso_row and "賛成3・反対3、委員長決裁" in oiso_row
    assert "湘央建設" in oiso_row and "神奈川土建" in oiso_row
    # 平塚市: a 請願 before the 環境厚生委員会 on 12月18日, not decided.
    hiratsuka_row = out.split("平塚市")[1].split("大磯町")[0]
    assert "請願「現行の健康保険証の存続を求める請願」" in hiratsuka_row
    assert "審査中 環境厚生常任委員会（2023年12月18日）：審査中" in hiratsuka_row
    assert "平塚地域社保協、紹介議員（会派の議員2名）（2023年11月27日）" in hiratsuka_row
    # In municipality code order (川崎 141305, 平塚 142034, 大磯 143413): one row each, nothing of Tokyo.
    assert out.index("川崎市") < out.index("平塚市") < out.index("大磯町")
    assert "渋谷区" not in out


def test_japanese_punctuation_and_no_western_spaces_around_names(built):
    out = html(DECEMBER)
    assert ": " not in out and "：" in out
    assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff] [\u3040-\u30ff\u4e00-\u9fff]", re.sub(r"<[^>]+>", "", out))


def test_a_campaign_narrows_and_an_unknown_one_is_refused(built):
    assert "川崎市" in text(DECEMBER.replace(" }}", f" campaign={demo.HOKENSHO} }}}}"))
    block = blocks.resolve_one(DECEMBER.replace(" }}", f" campaign={demo.KOKUHO} }}}}"), ctx())
    assert block.empty
    with pytest.raises(ValidationError) as caught:
        blocks.resolve_one(DECEMBER.replace(" }}", " campaign=nothing }}"), ctx())
    assert "運動「nothing」はありません" in caught.value.messages[0]


def test_the_period_counts_submission_committee_or_decision(built):
    # 平塚's 請願 was submitted on 11月27日 and is before the committee on 12月18日: 12月1日〜 still shows it.
    out = text("{{ assembly.petitions prefecture=14 start=2023-12-10 end=2023-12-31 }}")
    assert "平塚市" in out and "川崎市" in out  # 川崎 decided on 12月20日
    assert "大磯町" not in out  # submitted 11月24日, decided 12月5日


def test_nothing_in_the_period_is_empty_and_says_so(built):
    block = blocks.resolve_one("{{ assembly.petitions prefecture=14 start=2022-01-01 end=2022-12-31 }}", ctx())
    assert block.empty
    assert "神奈川県の議会への陳情・請願は、2022年1月1日〜2022年12月31日には記録がありません。" in block.render()


def test_a_missing_or_reversed_period_is_refused_in_japanese_naming_the_block(built):
    with pytest.raises(ValidationError) as caught:
        blocks.extract("{{ assembly.petitions prefecture=14 }}", ctx())
    message = caught.value.messages[0]
    assert "{{ assembly.petitions prefecture=14 }}" in message and "start=開始日 と end=終了日" in message
    with pytest.raises(ValidationError) as caught:
        blocks.resolve_one("{{ assembly.petitions prefecture=14 start=2023-12-31 end=2023-11-01 }}", ctx())
    assert "より前です" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        blocks.resolve_one("{{ assembly.petitions start=2023-11-01 end=2023-12-31 }}", ctx())
    assert "prefecture=都道府県" in caught.value.messages[0]


def test_a_kanagawa_reader_cannot_name_tokyo(kanagawa_reader):
    assert "川崎市" in text(DECEMBER, kanagawa_reader)
    with pytest.raises(ValidationError) as caught:
        blocks.resolve_one(DECEMBER.replace("prefecture=14", "prefecture=13"), ctx(kanagawa_reader))
    assert "都道府県「13」は指定できません" in caught.value.messages[0]


def test_a_local_councils_reader_sees_only_its_citys_petitions(kawasaki_reader):
    # 川崎社保協 covers 川崎市: 大磯町 and 平塚市 are Kanagawa's, not its (the rows go through restrict()).
    out = text(DECEMBER, kawasaki_reader)
    assert "川崎市" in out and "大磯町" not in out and "平塚市" not in out


def test_a_deleted_vote_and_a_deleted_petition_leave_the_block(built):
    kawasaki = AssemblyPetition.objects.get(assembly__municipality__code="141305", campaign__slug=demo.HOKENSHO)
    AssemblyVote.objects.filter(petition=kawasaki, group__name="維新").delete()
    assert "維新" not in text(DECEMBER)
    AssemblyPetition.objects.filter(assembly__municipality__code="142034").delete()
    assert "平塚市" not in text(DECEMBER) and "川崎市" in text(DECEMBER)


def test_the_query_count_does_not_grow_with_petitions(built, django_assert_max_num_queries):
    # The prefecture (two), the petitions, their votes, their organisations.
    with django_assert_max_num_queries(5) as few:
        html(DECEMBER)
    # Ten more petitions with votes, in ten more Kanagawa municipalities: the same number of queries.
    source = AssemblyPetition.objects.get(assembly__municipality__code="141305", campaign__slug=demo.HOKENSHO)
    from municipalities.assemblies import services

    for municipality in Municipality.objects.filter(prefecture__code="14", kind="town").order_by("code")[:10]:
        assembly = services.assembly_of(municipality=municipality)
        sitting = services.sitting_for(
            assembly=assembly, season="12", year=2023, starts_on=D(2023, 11, 28), ends_on=D(2023, 12, 20)
        )
        group = services.party_group_of(assembly=assembly, name="共産")
        petition = AssemblyPetition.objects.create(
            assembly=assembly, sitting=sitting, title=source.title, submitted_on=D(2023, 11, 20)
        )
        AssemblyVote.objects.create(petition=petition, group=group, position="for")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert text(DECEMBER).count("陳情「") >= 12


# --- assembly.outcomes ---------------------------------------------------------------------------------------


def cells_of(out, name):
    """The cells of the row that starts with `name`, as printed."""
    row = re.search(rf"<tr[^>]*><td[^>]*>{re.escape(name)}</td>.*?</tr>", out)[0]
    return re.findall(r"<td[^>]*>([^<]*)</td>", row)[1:]


def test_the_card_campaigns_outcomes_per_prefecture(built):
    out = html(f"{{{{ assembly.outcomes campaign={demo.HOKENSHO} }}}}")
    # Kanagawa: 川崎 不採択, 大磯 趣旨了承 (not adopted), 平塚 pending; Tokyo: 渋谷区 adopted with its 意見書.
    assert cells_of(out, "神奈川県") == ["3", "0", "1", "2", "0"]
    assert cells_of(out, "東京都") == ["1", "1", "0", "0", "1"]
    assert out.count('class="total"') == 1 and out.index("神奈川県") < out.index('class="total"')
    assert cells_of(out, "計（2都道府県）") == ["4", "1", "1", "2", "1"]


def test_the_kokuho_outcomes_agree_with_the_national_count(built):
    from campaigns.models import Campaign
    from municipalities.assemblies.selectors import assembly_count

    count = assembly_count(campaign=Campaign.objects.get(slug=demo.KOKUHO))
    out = html(f"{{{{ assembly.outcomes campaign={demo.KOKUHO} }}}}")
    total = cells_of(out, f"計（{count.prefecture_count}都道府県）")
    assert total[1] == f"{count.municipalities + count.prefectural_assemblies:,}" == "112"
    assert total[4] == f"{count.statements:,}" == "111"


def test_a_kanagawa_reader_sees_no_tokyo_outcome(kanagawa_reader):
    out = html(f"{{{{ assembly.outcomes campaign={demo.HOKENSHO} }}}}", kanagawa_reader)
    assert "神奈川県" in out and "東京都" not in out and 'class="total"' not in out


def test_outcomes_empty_refused_and_changed(built, django_assert_max_num_queries):
    from campaigns import services as campaign_services

    campaign_services.campaign_create(
        lead_council=national_council(), slug="nothing-yet", name="まだ何もない運動", starts_on=D(2025, 1, 1)
    )
    block = blocks.resolve_one("{{ assembly.outcomes campaign=nothing-yet }}", ctx())
    assert block.empty and "まだ何もない運動の議会への陳情・請願の記録はありません。" in block.render()
    with pytest.raises(ValidationError) as caught:
        blocks.extract("{{ assembly.outcomes }}", ctx())
    assert "{{ assembly.outcomes }}" in caught.value.messages[0] and "campaign=識別名" in caught.value.messages[0]
    # A deleted 意見書 leaves the count.
    from municipalities.models import OpinionStatement

    OpinionStatement.objects.filter(assembly__municipality__code="131130").delete()
    assert cells_of(html(f"{{{{ assembly.outcomes campaign={demo.HOKENSHO} }}}}"), "東京都")[-1] == "0"
    # The same number of queries for 4 petitions and for 112.
    with django_assert_max_num_queries(4) as few:
        html(f"{{{{ assembly.outcomes campaign={demo.HOKENSHO} }}}}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html(f"{{{{ assembly.outcomes campaign={demo.KOKUHO} }}}}")


# --- assembly.adoption_map -----------------------------------------------------------------------------------


def test_the_adoption_map_is_the_summarys_picture(built):
    block = blocks.resolve_one(f"{{{{ assembly.adoption_map campaign={demo.KOKUHO} }}}}", ctx())
    out = str(block.render())
    assert not block.empty and "<svg" in out
    assert "採択 112市区町村（18都道府県）・意見書 111本" in out
    # Each map its own anchor: a chapter may show two campaigns' or prefectures' maps.
    assert f'id="picture-assemblies.adoptions.{demo.KOKUHO}"' in out
    kanagawa = html(f"{{{{ assembly.adoption_map campaign={demo.KOKUHO} prefecture=14 }}}}")
    assert f'id="picture-assemblies.adoptions.{demo.KOKUHO}.14"' in kanagawa


def test_a_kanagawa_readers_map_is_kanagawas_without_tokyo(kanagawa_reader):
    out = html(f"{{{{ assembly.adoption_map campaign={demo.HOKENSHO} }}}}", kanagawa_reader)
    assert "神奈川県" in out and "川崎市" in out and "渋谷区" not in out
    with pytest.raises(ValidationError):
        source = f"{{{{ assembly.adoption_map campaign={demo.HOKENSHO} prefecture=13 }}}}"
        blocks.resolve_one(source, ctx(kanagawa_reader))


def test_the_adoption_map_empty_and_constant_queries(built, django_assert_max_num_queries):
    from campaigns import services as campaign_services

    campaign_services.campaign_create(
        lead_council=national_council(), slug="nothing-yet", name="まだ何もない運動", starts_on=D(2025, 1, 1)
    )
    assert blocks.resolve_one("{{ assembly.adoption_map campaign=nothing-yet }}", ctx()).empty
    source = "{{ assembly.adoption_map campaign=%s prefecture=14 }}"
    with django_assert_max_num_queries(8) as few:
        html(source % demo.HOKENSHO)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html(source % demo.KOKUHO)


# --- in a PDF ------------------------------------------------------------------------------------------------


def test_in_a_pdf_each_groups_vote_and_each_date_stay_on_one_line(built):
    import io

    from pypdf import PdfReader

    from reports.documents import render_pdf

    body = html(DECEMBER) + html(f"{{{{ assembly.outcomes campaign={demo.HOKENSHO} }}}}")
    page = f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>t</title></head><body>{body}</body>'
    lines = [
        line.strip()
        for p in PdfReader(io.BytesIO(render_pdf(page).content)).pages
        for line in p.extract_text().splitlines()
    ]
    assert "賛成：みらい・共産" in lines and "反対：自民・公明・維新" in lines
    text = "".join(lines)
    for piece in ("（2023年12月18日）：審査中", "（賛成3・反対3、委員長決裁）", "本会議（2023年12月20日）：不採択"):
        assert piece in text
    assert any(line.startswith("計（2都道府県）") for line in lines)
