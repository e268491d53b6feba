"""A Kanagawa article never prints a Tokyo record: every `record.*` block and figure, the `shaho-photo:` reference a
newsletter of Kanagawa names, and the photo form's choices look only among what the author may see, and say the
same for 「none」 and 「not yours」 (never a Tokyo title in the message)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reports import services as report_services
from reports.models import JobStatus
from reports.newsletters import services
from shaho.core import blocks, figures
from shaho.core.figures import PlaceholderContext
from tests.campaigns.factories import action
from tests.consultations import factories as consultation
from tests.municipalities.factories import tokyo_objects

from .photos import png

pytestmark = pytest.mark.django_db
D = datetime.date
SECRET = "東京の秘密の行動"


@pytest.fixture(autouse=True)
def media(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(report_services, "DEDUPE_SECONDS", -1)


@pytest.fixture
def tokyo_records(tokyo_staff, tokyo):
    rally = action(tokyo_staff, tokyo, title=SECRET, starts_on=D(2025, 9, 26), onsite_count=2300)
    caravan = tokyo_objects()  # Tokyo's questionnaire, caravan and talk
    photo = services.photo_add(user=tokyo_staff, data=png(), name="t.png", caption="東京の写真", action=rally)
    day = consultation.national_day(D(2025, 9, 20))
    station = consultation.station(day, tokyo)
    for _ in range(5):
        consultation.call(consultation.responder(station))
    from municipalities.models import Questionnaire, Talk

    return {
        "action": rally,
        "talk": caravan[Talk],
        "questionnaire": caravan[Questionnaire],
        "photo": photo,
        "day": day,
    }


def ctx(user):
    return PlaceholderContext(date=D(2025, 10, 10), user=user)


@pytest.mark.parametrize(
    "source",
    [
        "{{{{ record.action action={action} }}}}",
        "{{{{ record.talk talk={talk} }}}}",
        "{{{{ record.questionnaire questionnaire={questionnaire} }}}}",
        "{{{{ record.photo photo={photo} }}}}",
    ],
)
def test_a_kanagawa_author_cannot_embed_a_tokyo_record_by_its_number(source, tokyo_records, kanagawa_staff):
    text = source.format(**{k: v.pk for k, v in tokyo_records.items()})
    assert str(blocks.resolve_one(text, ctx(None)).render())  # a system run finds it: the number is right
    with pytest.raises(ValidationError) as caught:
        blocks.extract(text, ctx(kanagawa_staff))
    message = " ".join(caught.value.messages)
    assert "はありません（または見る権限がありません）" in message
    assert SECRET not in message and "東京" not in message


def test_a_kanagawa_sentence_cannot_count_a_tokyo_actions_participants(tokyo_records, kanagawa_staff):
    pk = tokyo_records["action"].pk
    for name in ("record.participants", "record.organisations"):
        assert figures.resolve(f"{{{{ {name} action={pk} }}}}", ctx(None))  # a system run counts it
        with pytest.raises(ValidationError) as caught:
            figures.resolve(f"{{{{ {name} action={pk} }}}}人", ctx(kanagawa_staff))
        assert "2,300" not in " ".join(caught.value.messages)


def test_a_national_consultation_day_counts_only_kanagawas_own_calls(tokyo_records, kanagawa_staff, kanagawa):
    day = tokyo_records["day"]
    station = consultation.station(day, kanagawa)
    for _ in range(2):
        consultation.call(consultation.responder(station))
    source = f"{{{{ record.consultation day={day.pk} }}}}"
    assert "相談は7件" in str(blocks.resolve_one(source, ctx(None)).render())  # all of Japan's
    html = str(blocks.resolve_one(source, ctx(kanagawa_staff)).render())
    assert "相談は2件" in html and "1会場" in html


def test_a_kanagawa_newsletter_prints_no_tokyo_photo_named_by_its_reference(tokyo_records, kanagawa_staff, kanagawa):
    photo = tokyo_records["photo"]
    issue = services.newsletter_create(
        user=kanagawa_staff, council=kanagawa, title="神奈川社保協ニュース", number=1, date=D(2025, 10, 10)
    )
    params = {"newsletter": str(issue.pk)}
    # Typed as a Markdown image, the reference is not a project asset: refused before any job starts.
    typed = services.article_add(
        user=kanagawa_staff, newsletter=issue, title="よその写真", body=f"![東京](shaho-photo:{photo.pk})"
    )
    with pytest.raises(ValidationError):
        report_services.request_job(kind="newsletter", params=params, user=kanagawa_staff)
    typed.delete()
    # As a block, Kanagawa's staff do not find it …
    services.article_add(
        user=kanagawa_staff, newsletter=issue, title="よその写真", body=f"{{{{ record.photo photo={photo.pk} }}}}"
    )
    with pytest.raises(ValidationError) as caught:
        report_services.request_job(kind="newsletter", params=params, user=kanagawa_staff)
    assert "東京の写真" not in " ".join(caught.value.messages)
    # … and even a system run, which finds every photo, makes a Kanagawa document whose fetcher reads only
    # Kanagawa's photos: the image is refused and said so on the job.
    job = report_services.run_now(kind="newsletter", params=params, user=None)
    assert job.status == JobStatus.DONE, job.error
    assert any(f"shaho-photo:{photo.pk}" in w for w in job.warnings), job.warnings


def test_the_photo_form_offers_no_tokyo_action_or_article(
    client, tokyo_records, tokyo_staff, tokyo, kanagawa_staff, kanagawa
):
    mine = action(kanagawa_staff, kanagawa, title="神奈川の宣伝", starts_on=D(2025, 9, 1))
    tokyo_issue = services.newsletter_create(
        user=tokyo_staff, council=tokyo, title="東京社保協ニュース", number=9, date=D(2025, 10, 1)
    )
    services.article_add(user=tokyo_staff, newsletter=tokyo_issue, title="東京の記事", body="本文")
    client.force_login(kanagawa_staff)
    html = client.get(reverse("admin:reports_photo_add")).content.decode()
    assert SECRET not in html and "東京の記事" not in html  # the article is a select of Kanagawa's articles
    answer = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "reports", "model_name": "photo", "field_name": "action", "term": ""},
    )
    ids = {r["id"] for r in answer.json()["results"]}
    assert str(mine.pk) in ids and str(tokyo_records["action"].pk) not in ids
    # …nor takes one by its number: the form comes back with the error, nothing saved.
    response = client.post(
        reverse("admin:reports_photo_add"),
        {"upload": _upload(), "action": tokyo_records["action"].pk, "caption": "x", "audience": "members", "order": 0},
    )
    assert response.status_code == 200
    assert not tokyo_records["action"].photos.exclude(pk=tokyo_records["photo"].pk).exists()


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("k.png", png(), content_type="image/png")
