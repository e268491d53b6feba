"""core: its part of the isolation walk (tests/test_isolation_walk.py).

Shaho's own pages (home, login, passwords, two-factor set-up) and the pending uploads of the one import flow.

The engine gathers CANARY_RECIPES (scoped model → its Tokyo row), URL_CASES (URL pattern → Case),
ADD_TWEAKS / ADD_IMPOSSIBLE (admin add forms) and after_planting(t) from every tests/<app>/walk.py.
"""

from django.core.files.base import ContentFile
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from shaho.core.models import ImportJob, PendingUpload
from shaho.core.uploads import pending_upload_store
from tests.walk_kit import Case, r


def _tokyo_pending_upload(t):
    from petitions.importing import IMPORTER

    data = f"社保協,団体,種別,筆数,日付,備考\n{t.tokyo_local.pk},,個人,5,2024-01-15,".encode()
    return pending_upload_store(
        owner=t.tokyo_staff, importer=IMPORTER, file_name="w", data=data, options={"target": t.national_drive.pk}
    )


def _tokyo_import_job(t):
    """A finished import job of Tokyo's staff, with its outcome file: its page, status and file are Tokyo's own."""
    from petitions.importing import IMPORTER

    upload = _tokyo_pending_upload(t)
    job = ImportJob.objects.create(
        upload_token=upload.token,
        upload=upload,
        owner=t.tokyo_staff,
        council=t.tokyo_staff.council,
        importer=IMPORTER,
        target=str(t.national_drive.pk),
        file_name="w.csv",
        status=ImportJob.Status.DONE,
        rows_done=1,
        rows_total=1,
        count_new=1,
    )
    job.outcome.save("walk.csv", ContentFile("行,結果\r\n2,新規\r\n".encode()), save=True)
    return job


CANARY_RECIPES = {
    PendingUpload: lambda t: _tokyo_pending_upload(t),
    ImportJob: lambda t: _tokyo_import_job(t),
}


URL_CASES = {
    "home": Case(urls=lambda t: [r("home")]),
    "favicon": Case(urls=lambda t: [r("favicon")]),  # static bytes, the same for everyone
    "login/": Case(urls=lambda t: [r("login")]),
    "logout/": Case(urls=lambda t: [r("logout")]),  # GET only: a POST would end the walk's session
    "password/login/": Case(urls=lambda t: ["/password/login/"]),
    "password/logout/": Case(urls=lambda t: ["/password/logout/"]),
    "password_change": Case(urls=lambda t: [r("password_change")]),
    "password_change_done": Case(urls=lambda t: [r("password_change_done")]),
    # The limited reset request (shaho.core.access_views) shadows Django's own under the same name.
    "password/password_reset/": Case(
        urls=lambda t: ["/password/password_reset/"],
        posts=lambda t: [("/password/password_reset/", {"email": t.tokyo_staff.email})],
    ),
    # The account's own security pages: they only ever show or change the requester's own devices.
    "otp_verify": Case(urls=lambda t: [r("otp_verify")], posts=lambda t: [(r("otp_verify"), {"token": "000000"})]),
    "otp_setup": Case(urls=lambda t: [r("otp_setup")], posts=lambda t: [(r("otp_setup"), {"token": "000000"})]),
    "otp_disable": Case(urls=lambda t: [r("otp_disable")], posts=lambda t: [(r("otp_disable"), {"token": "000000"})]),
    # GET only: its POST ends the walk's own sessions (tests/access covers what it does).
    "logout_everywhere": Case(urls=lambda t: [r("logout_everywhere")]),
    "password_reset_done": Case(urls=lambda t: [r("password_reset_done")]),
    "password_reset_confirm": Case(
        urls=lambda t: [r("password_reset_confirm", urlsafe_base64_encode(force_bytes(t.tokyo_staff.pk)), "x-bad")]
    ),
    "password_reset_complete": Case(urls=lambda t: [r("password_reset_complete")]),
    # An import job's page, its status and its outcome file: Tokyo's job is a 404 for everyone in Kanagawa.
    "imports:job": Case(objects=lambda t: [r("imports:job", t[ImportJob].token)]),
    "imports:job_status": Case(objects=lambda t: [r("imports:job_status", t[ImportJob].token)]),
    "imports:job_outcome": Case(objects=lambda t: [r("imports:job_outcome", t[ImportJob].token)]),
}
