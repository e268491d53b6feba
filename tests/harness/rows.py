"""The rows the drills start from, made in a process of their own against the drill's database.

    DATABASE_URL=postgres://…/shaho python -m tests.harness.rows federation '{"organizers": 20}'

Each recipe prints one line of JSON (what the drill needs to know: names, ids, slugs) as its last line.
The accounts share one password hash, computed once (hashing twenty passwords would take seconds).
"""

import csv
import datetime
import io
import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shaho.settings")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402

from councils import services as council_services  # noqa: E402
from councils.models import Role, User  # noqa: E402
from petitions.models import PetitionDrive  # noqa: E402
from tests.petitions.factories import PetitionDriveFactory  # noqa: E402
from tests.reports import factories  # noqa: E402

PASSWORD = "drill-pass-2025"
D = datetime.date


def _account(username, council, role, password_hash):
    user = User(username=username, password=password_hash)
    return council_services.user_set_role(user=user, role=role, council=council)


@transaction.atomic
def federation(*, organizers=20):
    """National, Kanagawa and Tokyo with local councils; national staff; Yokohama's organizers; an open drive; the
    64th general meeting (its chapters are added by `long_meeting`)."""
    councils = factories.federation()
    password_hash = make_password(PASSWORD)
    staff = _account("drill-staff", councils["national"], Role.NATIONAL_STAFF, password_hash)
    names = [_account(f"drill-org{i}", councils["yokohama"], Role.ORGANIZER, password_hash).username
             for i in range(organizers)]  # fmt: skip
    petition = PetitionDriveFactory(
        title="保険証を残してください署名", short_name="保険証残して", slug="hokensho", organiser=councils["national"]
    )
    return {
        "password": PASSWORD,
        "staff": staff.username,
        "organizers": names,
        "petition": petition.pk,
        "petition_slug": petition.slug,
        "yokohama": councils["yokohama"].pk,
    }


PARAGRAPH = (
    "国民健康保険料（税）の引き下げ、介護保険の利用料の軽減、生活保護基準の引き上げを求めて、"
    "各地の社保協は自治体キャラバンで首長や担当課と懇談を重ねてきました。{n}番目の地域でも、"
    "窓口負担の軽減や子どもの医療費助成の拡充について、住民の声を届けています。"
)


def long_meeting(*, chapters=9, paragraphs=40):
    """The 64th general meeting's policy draft with `chapters` long chapters (about 5 pages each)."""
    from reports.models import Meeting

    councils = {"national": User.objects.get(username="drill-staff").council}
    Meeting.objects.filter(council=councils["national"], number=64).delete()
    body = "\n\n".join(
        (f"## 第{p // 10 + 1}節\n\n" if p % 10 == 0 else "") + PARAGRAPH.format(n=p) * 2 for p in range(paragraphs)
    )
    meeting = factories.meeting(
        councils, chapters=[(f"第{i}章 運動の報告と方針", body) for i in range(1, chapters + 1)]
    )
    return {"meeting": meeting.number}


def tally_csv(*, path, rows):
    """A tally file of `rows` lines for the drive hokensho (Yokohama and Kawasaki, 1–99 signatures each)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["社保協", "団体", "種別", "筆数", "日付", "備考"])
    for i in range(rows):
        council = "横浜市社保協" if i % 2 else "川崎市社保協"
        writer.writerow([council, "", "", str(i % 99 + 1), f"2025-{i % 12 + 1:02d}-{i % 28 + 1:02d}", f"drill row {i}"])
    with open(path, "w", encoding="utf-8") as f:
        f.write(buffer.getvalue())
    drive = PetitionDrive.objects.get(slug="hokensho")
    return {"path": path, "rows": rows, "petition": drive.pk}


def sessions(*, usernames, verified=False):
    """A logged-in session per account, as the login page makes it (without hashing the password each time):
    {username: session key}. Drills that need many browsers use these; one drill logs in through the page.
    verified: the session has also passed the authenticator's code (the account's confirmed TOTP device), as
    national staff must with DEBUG off."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = {}
    for user in User.objects.filter(username__in=usernames):
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if verified:
            session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user, confirmed=True).persistent_id
        session.create()
        keys[user.username] = session.session_key
    return keys


def totp_device(*, username, key):
    """A confirmed TOTP device with the hex `key` for `username` (DEBUG off requires one of national staff): the
    test computes the code as the phone's authenticator app would."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.get(username=username)
    TOTPDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.create(user=user, name="認証アプリ", key=key, confirmed=True)
    return {"username": username}


def staff_accounts(*, count, prefix="drill-staff-"):
    """`count` more national staff accounts, each with a confirmed TOTP device (so `sessions(verified=True)` can
    sign them in with DEBUG off): several requesters, whose identical report requests are not merged into one."""
    import secrets

    from django_otp.plugins.otp_totp.models import TOTPDevice

    national = User.objects.get(username="drill-staff").council
    password_hash = make_password(PASSWORD)
    names = []
    for i in range(count):
        User.objects.filter(username=f"{prefix}{i}").delete()
        user = _account(f"{prefix}{i}", national, Role.NATIONAL_STAFF, password_hash)
        TOTPDevice.objects.create(user=user, name="認証アプリ", key=secrets.token_hex(20), confirmed=True)
        names.append(user.username)
    return {"staff": names}


RECIPES = {
    "staff_accounts": staff_accounts,
    "sessions": sessions,
    "totp_device": totp_device,
    "federation": federation,
    "long_meeting": long_meeting,
    "tally_csv": tally_csv,
}

if __name__ == "__main__":
    recipe, params = sys.argv[1], json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}")
    print(json.dumps(RECIPES[recipe](**params), ensure_ascii=False))
