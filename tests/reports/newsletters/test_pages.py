"""The newsletter published to members like other reports, read on its web page; its photos served only to
those who may read it; staff start an article from a record; the text export keeps only 公開可 photos."""

import datetime
import re

import pytest
from django.urls import reverse

from councils.models import Role
from reports import services as report_services
from reports.models import Audience
from reports.newsletters import services
from reports.newsletters.models import PhotoAudience
from tests.campaigns.factories import action
from tests.councils.factories import local_council, staff_of

from .photos import jpeg_with_gps, png

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def media(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(report_services, "DEDUPE_SECONDS", -1)


@pytest.fixture
def published(tokyo_staff, tokyo):
    rally = action(
        tokyo_staff, tokyo, code="rally", title="9.26いのちまもる総行動", starts_on=D(2025, 9, 26), onsite_count=2400
    )
    issue = services.newsletter_create(
        user=tokyo_staff, council=tokyo, title="東京社保協ニュース", number=512, date=D(2025, 10, 10)
    )
    services.photo_add(user=tokyo_staff, data=jpeg_with_gps(), name="a.jpg", caption="会員向けの写真", action=rally)
    article = services.article_from_record(user=tokyo_staff, newsletter=issue, kind="action", record=rally)
    services.photo_add(
        user=tokyo_staff, data=png(), name="b.png", caption="公開できる写真", article=article,
        audience=PhotoAudience.PUBLIC,
    )  # fmt: skip
    job = report_services.run_now(kind="newsletter", params={"newsletter": str(issue.pk)}, user=tokyo_staff)
    report_services.publish_job(job=job, audience=Audience.COUNCIL, user=tokyo_staff)
    return job


def photo_urls(html):
    return re.findall(r'src="(/[^"]*/photos/\d+/)"', html)


def test_a_member_below_reads_the_web_version_with_its_photos(client, published, tokyo):
    member = staff_of(local_council("13", name="渋谷社保協"), role=Role.MEMBER)
    client.force_login(member)
    listing = client.get(reverse("reports:downloads")).content.decode()
    read_url = reverse("reports:newsletter_read", args=[published.token])
    assert read_url in listing and "ウェブ版で読む" in listing
    page = client.get(read_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "東京社保協ニュース" in html and "第512号" in html and "2,400人" in html
    assert "会員向けの写真" in html and "公開できる写真" in html  # members see members-only photos
    assert "shaho-photo:" not in html
    urls = photo_urls(html)
    assert len(urls) == 2
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 200 and answer["Content-Type"] in ("image/jpeg", "image/png")
        assert b"GPS" not in answer.content and b"PhoneMaker" not in answer.content


def test_another_prefectures_member_gets_nothing(client, published, kanagawa):
    client.force_login(staff_of(kanagawa, role=Role.MEMBER))
    assert client.get(reverse("reports:newsletter_read", args=[published.token])).status_code == 404
    photo_id = int(re.search(r"shaho-photo:(\d+)", published.web_html)[1])
    assert client.get(reverse("reports:newsletter_photo", args=[published.token, photo_id])).status_code == 404
    assert published.token.hex not in client.get(reverse("reports:downloads")).content.decode().replace("-", "")


def test_a_photo_not_in_the_issue_is_not_served_through_it(client, published, tokyo_staff, tokyo):
    other = services.photo_add(
        user=tokyo_staff, data=png(), name="c.png", caption="別の写真", action=action(tokyo_staff, tokyo)
    )
    client.force_login(staff_of(tokyo, role=Role.MEMBER))
    assert client.get(reverse("reports:newsletter_photo", args=[published.token, other.pk])).status_code == 404


def test_unpublished_is_not_readable_by_members(client, published, tokyo, tokyo_staff):
    report_services.publish_job(job=published, audience=Audience.NONE, user=tokyo_staff)
    client.force_login(staff_of(tokyo, role=Role.MEMBER))
    assert client.get(reverse("reports:newsletter_read", args=[published.token])).status_code == 404


def test_the_text_export_keeps_only_public_photos(client, published, tokyo_staff):
    issue_pk = published.params["newsletter"]
    client.force_login(tokyo_staff)
    markdown = client.get(reverse("reports:newsletter_export", args=[issue_pk, "md"])).content.decode()
    assert markdown.startswith("# 東京社保協ニュース 第512号（2025年10月10日）")
    assert "## 9.26いのちまもる総行動" in markdown and "2,400人が参加しました。" in markdown
    assert "公開できる写真" in markdown and "会員向けの写真" not in markdown
    assert "<" not in markdown and "{{" not in markdown
    plain = client.get(reverse("reports:newsletter_export", args=[issue_pk, "txt"])).content.decode()
    assert "■9.26いのちまもる総行動" in plain and "#" not in plain


def test_staff_start_an_article_from_a_record_on_a_page(client, tokyo_staff, tokyo, kanagawa_staff, kanagawa):
    issue = services.newsletter_create(
        user=tokyo_staff, council=tokyo, title="東京社保協ニュース", number=1, date=D(2025, 10, 10)
    )
    mine = action(tokyo_staff, tokyo, title="東京の宣伝", starts_on=D(2025, 9, 1))
    theirs = action(kanagawa_staff, kanagawa, title="神奈川だけの宣伝", starts_on=D(2025, 9, 2))
    client.force_login(tokyo_staff)
    url = reverse("reports:newsletter_from_record", args=[issue.pk])
    page = client.get(url).content.decode()
    assert "東京の宣伝" in page and "神奈川だけの宣伝" not in page
    client.post(url, {"record": f"action:{theirs.pk}"})
    assert not issue.articles.exists()
    client.post(url, {"record": f"action:{mine.pk}"})
    assert [a.title for a in issue.articles.all()] == ["東京の宣伝"]
    client.force_login(kanagawa_staff)
    assert client.get(url).status_code == 404


def test_a_prefecture_compiles_a_digest_on_its_page(client, tokyo_staff, tokyo, kanagawa_staff):
    shibuya = local_council("13", name="渋谷社保協")
    local = services.newsletter_create(
        user=tokyo_staff, council=shibuya, title="渋谷社保協ニュース", number=1, date=D(2024, 9, 20),
        articles=[("第33回定期総会", "総会を開きました。"), ("学習会", "93人が参加。"), ("宣伝", "駅前で宣伝。")],
    )  # fmt: skip
    general, study, street = local.articles.order_by("order")
    client.force_login(tokyo_staff)
    url = reverse("reports:newsletter_digest")
    period = {"council": tokyo.pk, "title": "東京社保協ニュース 地域版", "number": 1, "date": "2024-10-10",
              "start": "2024-09-01", "end": "2024-10-10"}  # fmt: skip
    page = client.get(url, period).content.decode()
    assert "第33回定期総会" in page and "学習会" in page and "渋谷社保協" in page
    answer = client.post(
        url, {**period, f"pick-{study.pk}": "1", f"order-{study.pk}": "1", f"pick-{general.pk}": "1",
              f"order-{general.pk}": "2", f"order-{street.pk}": "3"},
    )  # fmt: skip
    assert answer.status_code == 302
    digest = tokyo.newsletters.get(is_digest=True)
    assert [(a.title, a.author_council_id) for a in digest.articles.order_by("order")] == [
        ("学習会", shibuya.pk),
        ("第33回定期総会", shibuya.pk),
    ]
    # Kanagawa's staff cannot compile from Tokyo's local councils: Tokyo is not among their councils.
    client.force_login(kanagawa_staff)
    answer = client.post(url, {**period, f"pick-{study.pk}": "1"})
    assert answer.status_code == 200 and tokyo.newsletters.filter(is_digest=True).count() == 1
