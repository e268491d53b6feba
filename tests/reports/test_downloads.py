"""Members download what is published to them; files are served only after the permission check."""

import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from councils.models import Role
from reports import services
from reports.models import Audience, ReportJob
from tests.councils.factories import staff_of

from . import factories


@pytest.fixture
def councils(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return factories.federation()


def _done_job(councils, code):
    return services.run_now(kind="council_directory", params={"prefecture": code})


def _download(client, job):
    return client.get(reverse("reports:download", args=[job.token]))


def test_member_of_another_prefecture_cannot_download_an_unpublished_report(client, councils):
    tokyo_job = _done_job(councils, "13")
    kanagawa_member = staff_of(councils["yokohama"], role=Role.MEMBER)
    client.force_login(kanagawa_member)
    assert _download(client, tokyo_job).status_code == 404
    # nor when it is published to Tokyo's members only
    services.publish_job(job=tokyo_job, audience=Audience.COUNCIL, user=staff_of(councils["tokyo"]))
    assert _download(client, tokyo_job).status_code == 404
    # and the staff of Kanagawa cannot either
    client.force_login(staff_of(councils["kanagawa"]))
    assert _download(client, tokyo_job).status_code == 404


def test_member_downloads_what_is_published_to_their_council_and_to_all(client, councils):
    kanagawa_job = _done_job(councils, "14")
    tokyo_job = _done_job(councils, "13")
    member = staff_of(councils["yokohama"], role=Role.MEMBER)
    client.force_login(member)
    assert _download(client, kanagawa_job).status_code == 404  # not published yet

    services.publish_job(job=kanagawa_job, audience=Audience.COUNCIL, user=staff_of(councils["kanagawa"]))
    national = staff_of(councils["national"], role=Role.NATIONAL_STAFF)
    services.publish_job(job=tokyo_job, audience=Audience.ALL, user=national)

    page = client.get(reverse("reports:downloads"))
    assert page.status_code == 200
    shown = [r.pk for r in page.context["reports"]]
    assert shown == [tokyo_job.pk, kanagawa_job.pk]  # newest publication first
    body = page.content.decode()
    assert "神奈川県 社保協名簿" in body and "東京都 社保協名簿" in body

    response = _download(client, kanagawa_job)
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    stamp = timezone.localtime(kanagawa_job.finished_at).strftime("%Y%m%d")
    # The Japanese name for browsers that read filename*, an ASCII one beside it for the rest.
    assert disposition.startswith(f"attachment; filename=\"council_directory_{stamp}.pdf\"; filename*=utf-8''")
    assert unquote(disposition.split("filename*=utf-8''")[1]) == f"神奈川県 社保協名簿_{stamp}.pdf"
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"


def test_download_url_is_not_guessable_and_media_is_not_served(client, councils):
    job = _done_job(councils, "14")
    url = reverse("reports:download", args=[job.token])
    assert str(job.pk) not in url.replace(str(job.token), "")
    assert len(str(job.token)) == 36  # a random UUID4
    client.force_login(staff_of(councils["kanagawa"]))
    assert client.get(f"/media/{job.file.name}").status_code == 404
    assert client.get(f"/reports/{job.pk}/download/").status_code == 404


def test_anonymous_users_are_sent_to_login(client, councils):
    job = _done_job(councils, "14")
    ReportJob.objects.filter(pk=job.pk).update(audience=Audience.ALL, published_at=timezone.now())
    response = _download(client, job)
    assert response.status_code == 302 and "login" in response["Location"]


def test_only_national_staff_publish_to_all_members(councils):
    from django.core.exceptions import PermissionDenied

    job = _done_job(councils, "14")
    with pytest.raises(PermissionDenied):
        services.publish_job(job=job, audience=Audience.ALL, user=staff_of(councils["kanagawa"]))


def test_staff_request_page_starts_a_job_and_the_status_endpoint_reports_it(
    client, councils, django_capture_on_commit_callbacks
):
    staff = staff_of(councils["kanagawa"])
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:new_kind", args=["council_directory"]), {"prefecture": "14"})
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:job", args=[job.token])
    page = client.get(response["Location"])
    assert page.status_code == 200 and "job-progress" in page.content.decode()
    status = client.get(reverse("reports:job_status", args=[job.token])).json()
    assert status["status"] == "done" and status["progress"] == 100
    assert status["download_url"] == reverse("reports:download", args=[job.token])


def _errors(html):
    return re.findall(r'<ul class="errorlist[^"]*"[^>]*>.*?</ul>', html, flags=re.S)


def test_request_page_shows_the_reason_of_a_refusal(client, councils):
    # Another prefecture reads exactly like one that does not exist: the field is named, 東京都 is not.
    client.force_login(staff_of(councils["kanagawa"]))
    url = reverse("reports:new_kind", args=["council_directory"])
    tokyo = client.post(url, {"prefecture": "13"}).content.decode()
    nowhere = client.post(url, {"prefecture": "99"}).content.decode()
    assert "都道府県: 一覧から選んでください。" in tokyo
    assert "東京都" not in tokyo
    assert _errors(tokyo) == _errors(nowhere) != []
    assert not ReportJob.objects.exists()


def test_members_do_not_reach_staff_pages_or_other_councils_job_status(client, councils):
    job = _done_job(councils, "13")
    client.force_login(staff_of(councils["yokohama"], role=Role.MEMBER))
    assert client.get(reverse("reports:new")).status_code == 404
    client.force_login(staff_of(councils["kanagawa"]))
    assert client.get(reverse("reports:job_status", args=[job.token])).status_code == 404
    assert client.get(reverse("reports:job", args=[job.token])).status_code == 404


def test_admin_rerun_action_makes_a_new_job(client, councils):
    job = _done_job(councils, "14")
    staff = staff_of(councils["kanagawa"])
    client.force_login(staff)
    url = reverse("admin:reports_reportjob_changelist")
    assert client.get(url).status_code == 200
    client.post(url, {"action": "rerun", "_selected_action": [job.pk]})
    assert ReportJob.objects.count() == 2
    assert client.get(reverse("admin:reports_reportjob_change", args=[job.pk])).status_code == 200


def test_a_jobs_history_page_lists_the_admin_changes_to_it(client, councils):
    # Report jobs keep no recorded versions: their history page is Django's admin log (it answered 500 when it
    # asked django-simple-history for a table the job does not have).
    from tests.admin_forms import change_form_data

    job = _done_job(councils, "14")
    client.force_login(staff_of(councils["kanagawa"]))
    history = reverse("admin:reports_reportjob_history", args=[job.pk])
    assert client.get(history).status_code == 200
    change = reverse("admin:reports_reportjob_change", args=[job.pk])
    data = change_form_data(client.get(change))
    data["audience"] = Audience.COUNCIL
    assert client.post(change, data).status_code == 302
    page = client.get(history)
    assert page.status_code == 200
    assert "公開範囲 を変更しました。" in page.content.decode()
    assert client.get(reverse("admin:reports_reportjob_simple_history", args=[job.pk, 1])).status_code == 404
    tokyo_job = _done_job(councils, "13")
    assert client.get(reverse("admin:reports_reportjob_history", args=[tokyo_job.pk])).status_code == 404


def test_a_download_whose_file_is_gone_says_so_and_staff_can_make_it_again(
    client, councils, django_capture_on_commit_callbacks
):
    # It answered 500 (FileNotFoundError from the storage): drill 5 (tests/drills/test_drill5_disk_full.py).
    job = _done_job(councils, "14")
    job.file.storage.delete(job.file.name)
    member = staff_of(councils["yokohama"], role=Role.MEMBER)
    services.publish_job(job=job, audience=Audience.COUNCIL, user=staff_of(councils["kanagawa"]))
    client.force_login(member)
    page = _download(client, job)
    assert page.status_code == 410
    body = page.content.decode()
    assert "ファイルが見つかりません" in body and "事務局に作り直しを依頼してください" in body
    assert reverse("reports:job_rerun", args=[job.token]) not in body  # members cannot request reports

    staff = staff_of(councils["kanagawa"])
    client.force_login(staff)
    body = _download(client, job).content.decode()
    rerun_url = reverse("reports:job_rerun", args=[job.token])
    assert rerun_url in body and "もう一度作成" in body
    job_page = client.get(reverse("reports:job", args=[job.token])).content.decode()
    assert "作成したファイルが保存先に見つかりません" in job_page
    assert '<p id="job-download" hidden>' in job_page  # no ダウンロード button that leads to the missing file
    # The same request is made again (not the finished job with no file, as the dedupe would have it), once.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(rerun_url)
    new = ReportJob.objects.exclude(pk=job.pk).get()
    assert response.status_code == 302 and response.url == reverse("reports:job", args=[new.token])
    assert new.params == job.params and new.status == "done"
    assert _download(client, new).status_code == 200
    # Another council's staff cannot press it.
    client.force_login(staff_of(councils["tokyo"]))
    assert client.post(rerun_url).status_code == 404


def test_a_full_disk_fails_the_job_with_a_japanese_reason_and_leaves_no_partial_file(councils, monkeypatch):
    import errno
    import os

    from django.core.files.storage import FileSystemStorage

    written = []

    def full(self, name, content):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        written.append(path)
        with open(path, "wb") as f:
            f.write(b"%PDF-partial")  # what a disk that fills mid-write leaves
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", full)
    with pytest.raises(OSError):
        _done_job(councils, "14")
    job = ReportJob.objects.get()
    assert job.status == "failed" and "ディスクに空きがない" in job.error and "もう一度作成" in job.error
    assert written and not any(os.path.exists(p) for p in written)


def test_redirect_mode_on_the_local_disk_still_streams_the_file(client, councils, settings):
    # SHAHO_DOWNLOAD_REDIRECT only applies to a storage that signs URLs; the disk has no URL to hand out.
    settings.SHAHO_DOWNLOAD_REDIRECT = True
    job = _done_job(councils, "14")
    client.force_login(staff_of(councils["kanagawa"]))
    response = _download(client, job)
    assert response.status_code == 200 and "Location" not in response
    body = b"".join(response.streaming_content)
    assert body[:5] == b"%PDF-" and int(response["Content-Length"]) == len(body) == job.file_size
