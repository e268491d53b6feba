"""A newsletter written from the records: an article started from an action, its figures tied to the record,
the A4 PDF with its photos read by internal reference, the digest of the local councils' articles."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from campaigns import services as campaign_services
from reports import documents
from reports import services as report_services
from reports.models import JobStatus
from reports.newsletters import services
from reports.newsletters.report_kinds import prepare_articles
from tests.campaigns.factories import action, kind, rows
from tests.councils.factories import local_council

from .photos import jpeg_with_gps, png

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def media(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Each run below is a new generation, not the same request made twice within the dedupe window.
    monkeypatch.setattr(report_services, "DEDUPE_SECONDS", -1)


def pdf_of(job):
    with job.file.open("rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, text.replace(" ", "").replace("\n", "")


def images_in(reader):
    # WeasyPrint lists an image among every page's resources: count the distinct ones.
    return len({image.name for page in reader.pages for image in page.images})


@pytest.fixture
def rally(tokyo_staff, tokyo):
    return action(
        tokyo_staff,
        tokyo,
        code="rally",
        title="9.26いのちまもる総行動",
        starts_on=D(2025, 9, 26),
        place="日比谷野外音楽堂",
        onsite_count=2300,
        online_points=200,
    )


@pytest.fixture
def issue(tokyo_staff, tokyo):
    return services.newsletter_create(
        user=tokyo_staff, council=tokyo, title="東京社保協ニュース", number=512, date=D(2025, 10, 10)
    )


def test_an_article_started_from_an_action_begins_with_its_facts(tokyo_staff, rally, issue):
    photo = services.photo_add(
        user=tokyo_staff, data=jpeg_with_gps(), name="a.jpg", caption="日比谷の会場", action=rally
    )
    article = services.article_from_record(user=tokyo_staff, newsletter=issue, kind="action", record=rally)
    assert article.title == "9.26いのちまもる総行動"
    assert f"{{{{ record.action action={rally.pk} }}}}" in article.body
    assert f"{{{{ record.participants action={rally.pk} }}}}人が参加しました。" in article.body
    assert f"{{{{ record.photo photo={photo.pk} }}}}" in article.body
    [prepared] = prepare_articles(issue, user=tokyo_staff)
    assert "参加：2,300人＋オンライン200か所" in prepared["html"]
    assert "2025年9月26日" in prepared["html"] and "日比谷野外音楽堂" in prepared["html"]
    assert f'src="shaho-photo:{photo.pk}"' in prepared["html"] and "日比谷の会場" in prepared["html"]


def test_correcting_the_record_corrects_the_next_generation(tokyo_staff, rally, issue):
    services.article_from_record(user=tokyo_staff, newsletter=issue, kind="action", record=rally)
    first = report_services.run_now(kind="newsletter", params={"newsletter": str(issue.pk)}, user=tokyo_staff)
    assert first.status == JobStatus.DONE, first.error
    _reader, text = pdf_of(first)
    assert "2,300人が参加しました" in text and "2,400" not in text

    campaign_services.action_update(
        user=tokyo_staff, action=rally, kind=kind("rally"), organiser=rally.organiser, fields={"onsite_count": 2400}
    )
    second = report_services.run_now(kind="newsletter", params={"newsletter": str(issue.pk)}, user=tokyo_staff)
    assert second.pk != first.pk and second.status == JobStatus.DONE, second.error
    _reader, text = pdf_of(second)
    assert "2,400人が参加しました" in text and "2,300" not in text


def test_participant_rows_print_as_n_organisations_m_people(tokyo_staff, tokyo, issue):
    street = action(tokyo_staff, tokyo, title="桜木町宣伝", place="桜木町駅前", participants=rows())
    services.article_from_record(user=tokyo_staff, newsletter=issue, kind="action", record=street)
    [prepared] = prepare_articles(issue, user=tokyo_staff)
    assert "参加：11団体26人（" in prepared["html"] and "保険医協会7人" in prepared["html"]


def test_the_pdf_has_masthead_two_columns_photos_and_page_numbers(tokyo_staff, tokyo, rally, issue):
    services.photo_add(user=tokyo_staff, data=jpeg_with_gps(), name="a.jpg", caption="日比谷の会場", action=rally)
    article = services.article_from_record(user=tokyo_staff, newsletter=issue, kind="action", record=rally)
    services.photo_add(user=tokyo_staff, data=png(), name="b.png", caption="デモ行進", article=article)
    services.article_add(
        user=tokyo_staff, newsletter=issue, title="渋谷社保協が総会", body="第33回定期総会を開きました。"
    )
    job = report_services.run_now(kind="newsletter", params={"newsletter": str(issue.pk)}, user=tokyo_staff)
    assert job.status == JobStatus.DONE, job.error
    assert not job.warnings, job.warnings  # nothing refused: both photos were read by their reference
    reader, text = pdf_of(job)
    assert "東京社保協ニュース" in text and "第512号" in text and "2025年10月10日" in text
    assert f"発行：{tokyo.name}" in text
    assert "日比谷の会場" in text and "デモ行進" in text and "第33回定期総会" in text
    assert images_in(reader) == 2
    assert "1/1" in text or "1/2" in text  # page numbers


def test_the_fetcher_reads_photos_of_the_jobs_council_only_and_still_refuses_everything_else(
    tokyo_staff, tokyo, kanagawa_staff, kanagawa, rally, tmp_path
):
    tokyo_photo = services.photo_add(user=tokyo_staff, data=png(), name="t.png", caption="東京", action=rally)
    kanagawa_photo = services.photo_add(
        user=kanagawa_staff, data=png(), name="k.png", caption="神奈川", action=action(kanagawa_staff, kanagawa)
    )
    fetcher = documents.asset_fetcher(council=tokyo)
    response = fetcher.fetch(f"shaho-photo:{tokyo_photo.pk}")
    assert response.read() == tokyo_photo.image.open("rb").read() and response.content_type == "image/jpeg"
    for url in (
        f"shaho-photo:{kanagawa_photo.pk}",  # another prefecture's photo
        f"shaho-photo:{tokyo_photo.pk}/../1",
        f"shaho-photo: {tokyo_photo.pk}",
        "shaho-photo:999999",
        tokyo_photo.image.url,  # the stored file by its media URL
        (tmp_path / "media" / tokyo_photo.image.name).as_uri(),  # … or by its path
        "http://127.0.0.1:9/x.png",
        "data:image/png;base64,iVBORw0KGgo=",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 8
    # A fetcher without a council (a document that is not a job's) reads no photo at all.
    with pytest.raises(ValueError):
        documents.asset_fetcher().fetch(f"shaho-photo:{tokyo_photo.pk}")


def test_a_photo_reference_to_another_councils_photo_is_refused_before_the_job(
    tokyo_staff, kanagawa_staff, kanagawa, issue
):
    kanagawa_photo = services.photo_add(
        user=kanagawa_staff, data=png(), name="k.png", caption="神奈川の秘密", action=action(kanagawa_staff, kanagawa)
    )
    services.article_add(
        user=tokyo_staff, newsletter=issue, title="よその写真", body=f"{{{{ record.photo photo={kanagawa_photo.pk} }}}}"
    )
    with pytest.raises(ValidationError) as caught:
        report_services.request_job(kind="newsletter", params={"newsletter": str(issue.pk)}, user=tokyo_staff)
    message = " ".join(caught.value.messages)
    assert "記事1「よその写真」" in message and f"写真 {kanagawa_photo.pk} はありません" in message
    assert "神奈川の秘密" not in message


def test_raw_html_in_an_article_is_refused_naming_it(tokyo_staff, issue):
    with pytest.raises(ValidationError, match="記事「悪い記事」に HTML"):
        services.article_add(user=tokyo_staff, newsletter=issue, title="悪い記事", body="<script>x</script>")


def test_another_prefectures_newsletter_is_not_there(kanagawa_staff, issue):
    with pytest.raises(ValidationError, match="ありません"):
        report_services.request_job(kind="newsletter", params={"newsletter": str(issue.pk)}, user=kanagawa_staff)
    with pytest.raises(PermissionDenied):
        services.article_add(user=kanagawa_staff, newsletter=issue, title="x", body="y")


# --- the digest ----------------------------------------------------------------------------------


@pytest.fixture
def local_news(tokyo_staff, tokyo, kanagawa_staff, kanagawa):
    shibuya = local_council("13", name="渋谷社保協")
    itabashi = local_council("13", name="板橋社保協")
    yokohama = local_council("14", name="横浜社保協")
    a = services.newsletter_create(
        user=tokyo_staff, council=shibuya, title="渋谷社保協ニュース", number=88, date=D(2025, 10, 1),
        articles=[
            ("第33回定期総会", "渋谷社保協は第33回定期総会を開きました。"),
            ("区長への手紙", "区長に手紙を送りました。"),
        ],
    )  # fmt: skip
    b = services.newsletter_create(
        user=tokyo_staff, council=itabashi, title="板橋社保協だより", number=5, date=D(2025, 10, 20),
        articles=[("学習会", "介護保険の学習会に30人。")],
    )  # fmt: skip
    c = services.newsletter_create(
        user=kanagawa_staff, council=yokohama, title="横浜ニュース", number=1, date=D(2025, 10, 5),
        articles=[("横浜の記事", "神奈川の記事です。")],
    )  # fmt: skip
    return {"shibuya": a, "itabashi": b, "yokohama": c}


def test_the_digest_takes_the_chosen_articles_in_the_chosen_order_with_their_authors(tokyo_staff, tokyo, local_news):
    candidates = list(services.digest_candidates(council=tokyo, start=D(2025, 10, 1), end=D(2025, 10, 31)))
    assert [a.title for a in candidates] == ["第33回定期総会", "区長への手紙", "学習会"]  # no Kanagawa article
    study, general = candidates[2], candidates[0]
    digest = services.digest_compile(
        user=tokyo_staff, council=tokyo, title="東京社保協ニュース（地域版）", number=1, date=D(2025, 11, 1),
        start=D(2025, 10, 1), end=D(2025, 10, 31), articles=[study.pk, general.pk],
    )  # fmt: skip
    copies = list(digest.articles.order_by("order"))
    assert [(a.title, a.author_council.name, a.source_id) for a in copies] == [
        ("学習会", "板橋社保協", study.pk),
        ("第33回定期総会", "渋谷社保協", general.pk),
    ]
    job = report_services.run_now(kind="newsletter", params={"newsletter": str(digest.pk)}, user=tokyo_staff)
    assert job.status == JobStatus.DONE, job.error
    _reader, text = pdf_of(job)
    assert text.index("学習会") < text.index("第33回定期総会")
    assert "板橋社保協" in text and "渋谷社保協" in text and "区長への手紙" not in text
    assert "地域社保協ニュースより" in text


def test_the_digest_refuses_articles_not_below_it_or_outside_the_period(tokyo_staff, tokyo, local_news):
    yokohama = local_news["yokohama"].articles.get()
    with pytest.raises(ValidationError, match=f"記事 {yokohama.pk} は選べません"):
        services.digest_compile(
            user=tokyo_staff, council=tokyo, title="d", number=1, date=D(2025, 11, 1),
            start=D(2025, 10, 1), end=D(2025, 10, 31), articles=[yokohama.pk],
        )  # fmt: skip
    late = local_news["itabashi"].articles.get()
    with pytest.raises(ValidationError, match=f"記事 {late.pk} は選べません"):
        services.digest_compile(
            user=tokyo_staff, council=tokyo, title="d", number=1, date=D(2025, 11, 1),
            start=D(2025, 10, 1), end=D(2025, 10, 10), articles=[late.pk],
        )  # fmt: skip
    assert not tokyo.newsletters.exists()  # nothing half-made
