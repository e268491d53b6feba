"""The policy draft from real rows: the PDF's extracted text holds the Japanese text and the filled figures."""

import io

import pytest
from pypdf import PdfReader

from reports.models import JobStatus
from reports.services import run_now

from . import factories


def pdf_text(job):
    with job.file.open("rb") as f:
        reader = PdfReader(io.BytesIO(f.read()))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def councils(db):
    return factories.federation()


@pytest.mark.django_db
def test_policy_draft_pdf_has_japanese_text_and_filled_figures(councils, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    petition = factories.petition_25jo(councils)
    factories.meeting(councils, petitions=[petition])

    job = run_now(kind="policy_draft", params={"meeting": "64"})

    assert job.status == JobStatus.DONE, job.error
    reader, text = pdf_text(job)
    compact = text.replace(" ", "").replace("\n", "")
    assert "2020年度第64回全国総会方針案" in compact
    assert "憲法25条にもとづく運動を進めます" in compact
    assert "社保協の総数は6（前年比+1）" in compact
    assert "25条署名の累計：18,000筆（目標の18.0%）" in compact  # the author's 「: 」 printed as 「：」
    assert "{{" not in text
    assert "地域社保協一覧" in compact and "横浜市社保協" in compact
    assert "集約一覧表" in compact
    assert job.page_count == len(reader.pages) and job.page_count >= 4
    assert job.file_size == len(job.file.open("rb").read())
    assert len(job.sha256) == 64
