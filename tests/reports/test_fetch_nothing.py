"""Documents fetch nothing: rendering reads only the project's own assets, and a chapter naming anything
else is refused with the chapter's name before a job exists.

A listening socket on 127.0.0.1 counts every connection: WeasyPrint left to itself connects to it
and embeds a local file (the control), the allow-list fetcher does neither.
"""

import hashlib
import io
import shutil
import socket
import tempfile
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from reports import documents
from reports.forms import ChapterForm
from reports.models import ReportJob
from reports.services import request_job, run_now
from tests.councils.factories import staff_of

from . import factories

ONE_PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="


class Listener:
    """A TCP socket on 127.0.0.1 (random port) that accepts and counts connections, then hangs up."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def url(self, path="x.png"):
        return f"http://127.0.0.1:{self.port}/{path}"

    def close(self):
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def local_png():
    """An existing PNG on the server's disk, outside the project's static directories.

    In a short directory of its own: the refusal names at most 80 characters of a path, and pytest's
    tmp_path under an xdist worker (…/popen-gw1/test_…/) is longer than that.
    """
    from PIL import Image

    folder = Path(tempfile.mkdtemp(prefix="shaho-"))
    path = folder / "secret.png"
    Image.new("RGB", (40, 30), (200, 30, 30)).save(path)
    yield path
    shutil.rmtree(folder)


def _images(pdf_bytes):
    """Distinct images embedded in the PDF (pages may share one resource dictionary)."""
    return len(
        {
            hashlib.sha256(image.data).hexdigest()
            for page in PdfReader(io.BytesIO(pdf_bytes)).pages
            for image in page.images
        }
    )


def _html(body):
    return f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"></head><body>{body}</body></html>'


@pytest.fixture
def councils(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return factories.federation()


@pytest.fixture
def national_staff(councils):
    from councils.models import Role

    return staff_of(councils["national"], role=Role.NATIONAL_STAFF)


def test_weasyprint_left_to_itself_connects_and_embeds_a_local_file(listener, local_png):
    # The control: without the allow-list the same HTML reaches the socket and puts the file in the PDF.
    from weasyprint import HTML

    html = _html(f'<p>x</p><img src="{listener.url()}"><img src="{local_png.as_uri()}">')
    pdf = HTML(string=html).write_pdf()
    assert listener.connections >= 1
    assert _images(pdf) == 1


def test_the_renderer_reads_no_url_and_no_file_outside_the_project(listener, local_png):
    html = _html(
        f'<p>本文</p><img src="{listener.url("a.png")}"><img src="{local_png.as_uri()}">'
        f'<img src="{local_png}">'  # a bare path, as a chapter would write it
        f'<img src="data:image/png;base64,{ONE_PIXEL_PNG}">'
        f'<link rel="stylesheet" href="{listener.url("s.css")}">'
        f'<div class="bg" style="background: url({listener.url("b.png")})">背景</div>'
        f'<div style="background-image: url({local_png.as_uri()})">背景</div>'
    )
    fetcher = documents.asset_fetcher()
    rendered = documents.render_pdf(html, fetcher=fetcher)
    assert listener.connections == 0
    assert _images(rendered.content) == 0
    refused = " ".join(rendered.refused)
    assert listener.url("a.png") in refused and local_png.as_uri() in refused and "data:image/png" in refused
    assert rendered.page_count == 1 and "本文" in PdfReader(io.BytesIO(rendered.content)).pages[0].extract_text()


def test_a_chapter_image_pointing_at_a_server_or_a_local_file_is_refused_naming_the_chapter(
    councils, national_staff, listener, local_png
):
    factories.meeting(
        councils,
        chapters=[
            ("はじめに", "本文です。"),
            ("活動報告", f"写真 ![集会]({listener.url()}) と ![地図]({local_png}) と ![x](file:///etc/hostname)"),
        ],
    )
    with pytest.raises(ValidationError) as excinfo:
        request_job(kind="policy_draft", params={"meeting": "64"}, user=national_staff)
    text = " ".join(excinfo.value.messages)
    assert "第2章「活動報告」" in text
    assert listener.url() in text and str(local_png) in text
    assert "はじめに" not in text  # the clean chapter is not blamed
    # markdown-it does not even make a file: URL an image (its link validation), so it names nothing either.
    assert "<img" not in documents.markdown_to_html("![x](file:///etc/hostname)")
    assert listener.connections == 0
    assert not ReportJob.objects.exists()


def test_the_chapter_form_refuses_a_foreign_image_at_once(listener):
    form = ChapterForm(data={"order": 1, "title": "章", "body": f"![x]({listener.url()})"})
    assert not form.is_valid()
    assert "画像" in " ".join(form.errors["body"]) and listener.url() in " ".join(form.errors["body"])


def test_raw_html_img_is_escaped_and_a_foreign_markdown_image_is_dropped_to_its_text(listener):
    html = documents.markdown_to_html(f'<img src="{listener.url()}"> と ![集会の写真]({listener.url()})')
    assert "<img" not in html
    assert "&lt;img" in html and "集会の写真" in html
    assert listener.url() not in html.replace(f"&lt;img src=&quot;{listener.url()}&quot;&gt;", "")


def test_an_image_edited_in_after_the_request_fails_the_job_and_fetches_nothing(councils, national_staff, listener):
    # Between the request and the run a chapter gains an image: the run checks again, fetches nothing.
    from reports.models import Chapter

    factories.meeting(councils, chapters=[("はじめに", "本文です。")])
    job, _ = request_job(kind="policy_draft", params={"meeting": "64"}, user=national_staff)
    Chapter.objects.filter(meeting__number=64).update(body=f"![x]({listener.url()})")
    from reports import services

    job = services.start_attempt(job_id=job.pk, attempt=1)
    with pytest.raises(ValidationError):
        services.render_job(job=job)
    job.refresh_from_db()
    assert job.status == "failed" and "第1章「はじめに」" in job.error
    assert listener.connections == 0


def test_a_project_static_image_is_the_one_image_a_chapter_may_show(councils, settings, tmp_path):
    from PIL import Image

    static = tmp_path / "static"
    (static / "img").mkdir(parents=True)
    Image.new("RGB", (40, 30), (30, 90, 200)).save(static / "img" / "logo.png")
    settings.STATICFILES_DIRS = [static]
    factories.meeting(councils, chapters=[("はじめに", "![ロゴ](/static/img/logo.png) 本文です。")])
    job = run_now(kind="policy_draft", params={"meeting": "64"})
    assert job.status == "done", job.error
    with job.file.open("rb") as f:
        assert _images(f.read()) == 1
    # A path that climbs out of the static directory is not a static image.
    assert documents.static_image("/static/../../etc/hostname") is None
    assert documents.static_image("/static/img/../../secret.png") is None
