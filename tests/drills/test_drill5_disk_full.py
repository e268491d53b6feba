"""Drill 5: a generated file gone from storage, and the disk full, for downloads: a Japanese page that says what
happened and offers to make the file again, never a 500.

gunicorn serves the site with MEDIA_ROOT on a tmpfs of its own (2 MB, mounted for the drill: CI runs as root),
report jobs running in-process (no broker). National staff log in through the login page and:

1. request a 社保協名簿, see it done, then its file is deleted from the disk: the download answers 410 with
   「ファイルが見つかりません」 and a 「もう一度作成」 button; pressing it makes the file again, which downloads;
2. fill the disk to the last byte, request another: the request answers at once, the job ends 失敗 saying the
   disk has no space (in Japanese) with the same button, no partial file is left; space is freed, the button
   pressed, and the file downloads.

Not one response of gunicorn is a 500 (its access log is read at the end).
"""

import contextlib
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.harness import processes
from tests.required_services import service_missing

pytestmark = pytest.mark.drill

JOB_URL = re.compile(r"^/reports/jobs/([0-9a-f-]{36})/$")


@contextlib.contextmanager
def small_disk(path, size="2m"):
    path.mkdir(parents=True, exist_ok=True)
    command = ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs", str(path)]
    mounted = subprocess.run(command, capture_output=True, text=True)
    if mounted.returncode != 0:
        service_missing(f"drill 5 mounts a small tmpfs as MEDIA_ROOT and cannot here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def fill(path):
    """Write until the disk refuses: the file that takes the last byte."""
    filler = path / "filler.bin"
    with open(filler, "wb", buffering=0) as f:
        for size in (65536, 1):
            with contextlib.suppress(OSError):
                while f.write(b"\0" * size):
                    pass
    return filler


def request_report(client, prefecture):
    started = time.monotonic()
    response = client.post("/reports/new/council_directory/", {"prefecture": prefecture, "format": "pdf"})
    took = time.monotonic() - started
    assert response.status == 302 and JOB_URL.match(response.location), (response.status, response.text[:2000])
    return JOB_URL.match(response.location).group(1), took


def wait_finished(client, token):
    def finished():
        response = client.get(f"/reports/jobs/{token}/status.json")
        assert response.status == 200, response.text[:2000]
        import json

        data = json.loads(response.body)
        return data if data["finished"] else None

    return processes.wait_for(f"job {token} finished", finished, timeout=90, interval=0.2)


def rerun(client, page_path, form_id):
    page = client.get(page_path)
    action = re.search(rf'<form method="post" action="([^"]+)"[^>]*id="{form_id}"', page.text)
    assert action and "もう一度作成" in page.text, page.text[:3000]
    response = client.post(action.group(1), {})
    assert response.status == 302 and JOB_URL.match(response.location), (response.status, response.text[:2000])
    return JOB_URL.match(response.location).group(1)


def test_drill5_missing_file_and_full_disk_give_a_japanese_page_and_a_way_to_make_it_again(drill, figures, tmp_path):
    site, _ = drill
    clock = time.monotonic()
    with small_disk(tmp_path / "media") as media:
        env = site.env(media_root=media)
        server = processes.gunicorn(env, name="drill5-gunicorn", workers=1, threads=4)
        client = processes.Client(server.port, timeout=10).login(site.rows["staff"], site.rows["password"])

        # 1. The file of a finished job is gone.
        token, _ = request_report(client, "14")
        assert wait_finished(client, token)["status"] == "done"
        files = [p for p in media.rglob("*.pdf")]
        assert len(files) == 1
        files[0].unlink()
        missing = client.get(f"/reports/{token}/download/")
        assert missing.status == 410, missing.text[:2000]
        assert "ファイルが見つかりません" in missing.text and "もう一度作成" in missing.text
        job_page = client.get(f"/reports/jobs/{token}/")
        assert job_page.status == 200 and "作成したファイルが保存先に見つかりません" in job_page.text
        again = rerun(client, f"/reports/{token}/download/", "file-rerun")
        assert again != token and wait_finished(client, again)["status"] == "done"
        download = client.get(f"/reports/{again}/download/")
        assert download.status == 200 and download.body.startswith(b"%PDF"), download.status

        # 2. The disk is full when the next file is written.
        filler = fill(media)
        assert os.statvfs(media).f_bavail == 0
        full_token, took = request_report(client, "13")
        assert took < 2, f"the request took {took:.1f} s"
        failed = wait_finished(client, full_token)
        assert failed["status"] == "failed", failed
        assert "ディスクに空きがない" in failed["error"] and "もう一度作成" in failed["error"], failed["error"]
        assert sorted(p.name for p in media.rglob("*") if p.is_file()) == sorted(
            [filler.name, Path(download_name(media, exclude=filler)).name]
        ), "a partial file was left on the full disk"
        page = client.get(f"/reports/jobs/{full_token}/")
        assert page.status == 200 and "ディスクに空きがない" in page.text
        assert client.get(f"/reports/{full_token}/download/").status == 404  # nothing to download yet
        filler.unlink()
        recovered_at = time.monotonic()
        retried = rerun(client, f"/reports/jobs/{full_token}/", "job-rerun")
        assert wait_finished(client, retried)["status"] == "done"
        recovered_in = time.monotonic() - recovered_at
        download = client.get(f"/reports/{retried}/download/")
        assert download.status == 200 and download.body.startswith(b"%PDF")
        server.stop()

    log = server.log.read_text(errors="replace")
    statuses = re.findall(r'" (\d{3}) ', log)
    errors = [s for s in statuses if s.startswith("5")]
    figures(
        5,
        requests=len(statuses),
        status_500=len(errors),
        missing_file="410+rerun",
        disk_full="failed(ja)+rerun",
        lost=0,
        doubled=0,
        recovered_in=f"{recovered_in:.1f}s",
        elapsed=f"{time.monotonic() - clock:.1f}s",
    )
    assert not errors, [line for line in log.splitlines() if '" 5' in line][:10]


def download_name(media, *, exclude):
    found = [p for p in media.rglob("*.pdf") if p != exclude]
    assert len(found) == 1, found
    return found[0]
