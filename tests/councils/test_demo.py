"""`seed_demo`: the demo federation prints the 2020 census, is idempotent and has one account per role."""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from councils.models import Council, CouncilKind, Membership, Officer, Organisation, Role, User
from councils.selectors import council_census, municipality_coverage
from demo import STEPS
from demo import federation as demo
from demo.management.commands import seed_demo as seed_demo_command
from tests.module_data import kept_for_the_module

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def fast_passwords(settings, monkeypatch):
    # Five accounts per run: the production hasher would make these tests slow for nothing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.delenv(demo.PASSWORD_ENV, raising=False)


@pytest.fixture(autouse=True)
def federation_step_only(monkeypatch):
    # The federation's facts (census, councils, accounts, passwords) need only its step; the other steps
    # (petitions, actions, caravans, assemblies, calls, the draft) have their own demo tests, and the test
    # that runs every step twice is tests/councils/test_demo_all_steps.py.
    monkeypatch.setattr(seed_demo_command, "STEPS", ["demo.federation"])


def run(command, **options):
    out = StringIO()
    call_command(command, stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def first_seed(django_db_setup, django_db_blocker):
    """The federation step of `seed_demo`, run once for this module into an empty database: its output (the
    passwords printed once). Every test reads the seeded federation; what a test changes (a second run, new
    passwords) is rolled back after it (tests/module_data.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(demo.PASSWORD_ENV, raising=False)
        patch.setattr(seed_demo_command, "STEPS", ["demo.federation"])
        with kept_for_the_module(django_db_blocker):
            assert not Council.objects.exists(), "the module's first seed_demo needs an empty federation"
            output = run("seed_demo")
            patch.undo()
            yield output


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_seed_demo_gives_the_census_of_the_2020_policy_draft(first_seed):
    output = run("council_census", date="2020-09-01")

    for figure in ["都道府県社保協 47", "地域社保協 374", "準備会 27", "友好組織 18", "計 466（前年 465、+1）"]:
        assert figure in output
    assert "準備会 27（前年 26、+1）" in output  # "準備会が1増でプラス1組織"


def test_seed_demo_census_moves_on_after_2020_and_coverage_is_plausible(first_seed):
    today = council_census(date=D(2026, 11, 1))
    _, national = municipality_coverage(date=D(2020, 9, 1))

    assert today.total != 466
    assert today.counts[CouncilKind.PREFECTURAL] == 47
    assert 20 <= national.percent <= 25
    assert Council.objects.filter(kind=CouncilKind.NATIONAL).count() == 1
    assert Council.objects.filter(status=Council.Status.DISSOLVED, dissolved_on__isnull=False).exists()


def test_seed_demo_has_the_councils_the_seeds_name_with_their_municipalities(first_seed):
    shibuya = Council.objects.get(short_name="渋谷社保協")
    assert [m.name for m in shibuya.municipalities.all()] == ["渋谷区"]
    assert shibuya.parent.name == "東京都社会保障推進協議会"
    for name in [
        "横浜社保協",
        "川崎社保協",
        "相模原社保協",
        "平塚地域社保協",
        "茅ヶ崎社保協",
        "板橋社保協",
        "西東京社保協",
    ]:
        assert Council.objects.get(short_name=name).municipalities.exists()
    assert Council.objects.get(short_name="飯伊地域社保協").municipalities.count() > 10  # 飯田市 and 下伊那郡
    oita = Council.objects.get(short_name="大分市社保協")
    assert (oita.kind_on(D(2020, 9, 1)), oita.kind_on(D(2023, 1, 1))) == (CouncilKind.PREPARATORY, CouncilKind.LOCAL)
    assert Council.objects.get(kind=CouncilKind.PREFECTURAL, prefecture__code="01").name == "北海道社会保障推進協議会"
    assert Council.objects.get(kind=CouncilKind.PREFECTURAL, prefecture__code="26").name == "京都府社会保障推進協議会"
    assert Organisation.objects.get(name="神奈川県保険医協会").parent.short_name == "保団連"
    assert Membership.objects.filter(council__short_name="神奈川県社保協").count() >= 10
    assert Officer.objects.filter(council__kind=CouncilKind.NATIONAL, role=Officer.Role.SECRETARY_GENERAL).exists()
    # Written through the services: every council has its tree path, its sort key and a stage.
    assert not Council.objects.filter(path="").exists() and not Council.objects.filter(sort_key="").exists()
    assert not Council.objects.filter(stages__isnull=True).exists()
    assert shibuya.path == f"{shibuya.parent.path}{shibuya.pk}/" and shibuya.sort_key.startswith("13/131130/")


def test_demo_accounts_one_per_role_with_their_councils(first_seed):
    output = first_seed

    users = {u.username: u for u in User.objects.select_related("council")}
    assert users["chuo"].role == Role.NATIONAL_STAFF and users["chuo"].council.kind == CouncilKind.NATIONAL
    assert users["kanagawa"].role == Role.COUNCIL_STAFF
    assert users["kanagawa"].council.name == "神奈川県社会保障推進協議会"
    assert users["organizer"].role == Role.ORGANIZER
    assert users["organizer"].council.kind == CouncilKind.LOCAL
    assert users["organizer"].council.prefecture.code == "14"
    assert users["member"].role == Role.MEMBER and users["member"].council.prefecture.code == "14"
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert users["kanagawa"].is_staff and not users["member"].is_staff
    # The printed password is the one that works.
    line = next(line for line in output.splitlines() if line.startswith("kanagawa "))
    assert authenticate(username="kanagawa", password=line.split()[1]) is not None


def test_demo_password_from_the_environment_for_every_account(first_seed, monkeypatch):
    monkeypatch.setenv(demo.PASSWORD_ENV, "demo-pass-2025")

    output = run("seed_demo")

    assert f"{demo.PASSWORD_ENV} のパスワードに変更しました" in output
    for username in ["admin", "chuo", "kanagawa", "organizer", "member"]:
        assert authenticate(username=username, password="demo-pass-2025") is not None


def test_seed_demo_without_the_registry_says_what_to_run(monkeypatch):
    monkeypatch.setattr(demo.Prefecture.objects, "order_by", lambda *args: [])

    with pytest.raises(CommandError, match="load_municipalities"):
        run("seed_demo")


def test_demo_steps_start_with_the_federation():
    assert STEPS[0] == "demo.federation"


def _printed_passwords(output):
    """username → password from the table seed_demo prints."""
    usernames = [a[0] for a in demo.ACCOUNTS]
    return {
        line.split()[0]: line.split()[1] for line in output.splitlines() if line.split()[:1] in [[u] for u in usernames]
    }


def test_reset_passwords_prints_new_working_passwords_for_every_demo_account(first_seed):
    first = _printed_passwords(first_seed)
    counts = {k: v for k, v in row_counts().items() if "Historical" not in k}

    output = run("seed_demo", reset_passwords=True)

    again = _printed_passwords(output)
    assert set(again) == {"admin", "chuo", "kanagawa", "organizer", "member"}
    for username, password in again.items():
        assert authenticate(username=username, password=password) is not None
        assert authenticate(username=username, password=first[username]) is None
    assert {k: v for k, v in row_counts().items() if "Historical" not in k} == counts  # nothing else made


def test_demo_accounts_prints_the_address_and_how_to_get_the_passwords_back(first_seed):
    output = run("demo_accounts", url="http://127.0.0.1:8000/")

    assert "http://127.0.0.1:8000/" in output
    line = next(line for line in output.splitlines() if line.split()[:1] == ["kanagawa"])
    assert "神奈川県社会保障推進協議会" in line
    assert demo.RESET_COMMAND in output


def test_make_run_prints_the_address_and_the_way_to_the_passwords_last_before_the_server():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0].splitlines()
    commands = [line.strip() for line in recipe if line.startswith("\t") and not line.strip().startswith("@#")]
    # seed_demo --url ends with the address and the accounts (tests/councils/test_demo_closing_block.py)
    assert "seed_demo --url http://127.0.0.1:$(PORT)/" in commands[-2]
    assert "runserver 127.0.0.1:$(PORT)" in commands[-1]
