"""Done when (issue 19, newsletters): on the demo, Kanagawa's newsletter (seed 003) is written from its records
with a photo and published to its members as a PDF and a phone page; Tokyo's digest (seed 002) gathers its
local councils' articles with their authors; correcting a record corrects the next generation; a Kanagawa
member never sees Tokyo's. The demo is loaded once for the module (tests/demo_snapshot.py); each test's changes
are rolled back."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from campaigns.models import Participation
from councils.models import User
from reports.models import Audience, ReportJob
from reports.newsletters.models import Newsletter, PhotoAudience
from reports.newsletters.report_kinds import prepare_articles
from reports.services import run_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(demo):
    """The demo's files: its newsletters' photos and PDFs (MEDIA_ROOT for the module)."""
    return demo.media


def job_of(title):
    return ReportJob.objects.filter(kind="newsletter", title__startswith=title).latest("created_at")


def text_of(job):
    with job.file.open("rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    return reader, "".join(p.extract_text() for p in reader.pages).replace(" ", "").replace("\n", "")


def test_kanagawas_newsletter_prints_seed_003s_facts_from_the_records(media):
    job = job_of("神奈川社保協ニュース")
    assert job.audience == Audience.COUNCIL and job.published_at is not None and not job.warnings
    reader, text = text_of(job)
    for printed in (
        "神奈川社保協ニュース", "第1号", "2023年12月10日", "発行：神奈川県社会保障推進協議会",
        "11団体26人", "保険医協会7人", "署名42筆", "シール投票75（反対72、賛成3）", "1,000枚",
        "全33市町村の国保担当課と懇談",
        "保健・医療・介護分野の県交渉", "12団体23人",
        "相談は33件（昨年15件）",
        "茅ヶ崎市", "茅ヶ崎社保協5人",
        "桜木町駅前での宣伝（11月25日）",
    ):  # fmt: skip
        assert printed in text, printed
    # WeasyPrint lists an image among every page's resources: count the distinct ones.
    assert len({image.name for page in reader.pages for image in page.images}) == 1
    assert "{{" not in text and "ここに本文" not in text


def test_tokyos_digest_gathers_the_local_councils_articles_with_their_authors(media):
    digest = Newsletter.objects.get(is_digest=True)
    rows = [(a.title, a.author_council.short_name or a.author_council.name) for a in digest.articles.order_by("order")]
    assert [t for t, _ in rows] == [
        "医療・介護・福祉に国の予算を増やせ！ 9.26いのちまもる総行動",
        "渋谷社保協 第33回定期総会開催",
        "健康保険証緊急学習会",
        "区長へ、緊急申し入れ",
        "「あわててマイナ保険証つくらなくても大丈夫」学習会",
    ]
    assert all(a.source_id for a in digest.articles.all()[1:])
    _reader, text = text_of(job_of("東京社保協ニュース 地域版"))
    for printed in (
        "2,400人", "200か所", "第33回定期総会", "参加：93人", "参加：40人", "区長", "渋谷社会保障推進協議会",
    ):  # fmt: skip
        assert printed in text, printed


def test_correcting_the_street_actions_row_corrects_the_next_newsletter(media):
    kanagawa = User.objects.get(username="kanagawa")
    row = Participation.objects.get(action__title="なくすな保険証！桜木町駅前宣伝", organisation_name="", count=7)
    row.count = 9  # the 保険医協会 were nine, not seven
    row.save()
    job = job_of("神奈川社保協ニュース")
    ReportJob.objects.filter(kind="newsletter").delete()
    again = run_now(kind="newsletter", params=job.params, user=kanagawa)
    _reader, text = text_of(again)
    assert "11団体28人" in text and "11団体26人" not in text


def test_a_kanagawa_member_reads_kanagawas_issue_and_never_tokyos(client, media):
    member = User.objects.get(username="member")
    client.force_login(member)
    listing = client.get(reverse("reports:downloads")).content.decode()
    kanagawa_job, tokyo_job = job_of("神奈川社保協ニュース"), job_of("東京社保協ニュース")
    assert reverse("reports:newsletter_read", args=[kanagawa_job.token]) in listing
    assert "東京社保協ニュース" not in listing
    page = client.get(reverse("reports:newsletter_read", args=[kanagawa_job.token])).content.decode()
    assert "11団体26人" in page and "桜木町駅前での宣伝" in page
    [photo_url] = re.findall(r'src="(/[^"]*/photos/\d+/)"', page)
    assert client.get(photo_url).status_code == 200
    assert client.get(reverse("reports:newsletter_read", args=[tokyo_job.token])).status_code == 404
    tokyo_photo = tokyo_job.web_html and re.search(r"shaho-photo:(\d+)", tokyo_job.web_html)[1]
    assert client.get(reverse("reports:newsletter_photo", args=[tokyo_job.token, tokyo_photo])).status_code == 404


def test_the_demo_photos_are_one_members_only_and_one_public(media):
    from reports.newsletters.models import Photo

    assert sorted(Photo.objects.values_list("audience", flat=True)) == [PhotoAudience.MEMBERS, PhotoAudience.PUBLIC]


def test_preparing_an_issue_takes_the_same_queries_whatever_its_rows(media):
    """The queries of a newsletter grow with its articles' records, never with the rows of a record."""
    kanagawa = User.objects.get(username="kanagawa")
    issue = Newsletter.objects.get(title="神奈川社保協ニュース", number=1)
    prepare_articles(issue, user=kanagawa)  # warm the caches (kinds, categories)
    with CaptureQueriesContext(connection) as before:
        prepare_articles(issue, user=kanagawa)
    street = Participation.objects.filter(action__title="なくすな保険証！桜木町駅前宣伝").first()
    for i in range(30):
        Participation.objects.create(action=street.action, organisation_name=f"団体{i}", count=1, order=100 + i)
    with CaptureQueriesContext(connection) as after:
        prepare_articles(issue, user=kanagawa)
    assert len(after) == len(before), [q["sql"][:120] for q in after.captured_queries]
