"""`make run`'s last block before the server: the address, the demo accounts, the passwords made in this run
(or the reset command exactly as typed in a fresh shell), and which demo account answers calls at a station."""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from councils.models import User
from demo import federation as demo
from demo.management.commands import seed_demo as seed_demo_command
from tests.module_data import kept_for_the_module

pytestmark = pytest.mark.django_db
URL = "http://127.0.0.1:8000/"


@pytest.fixture(autouse=True)
def fast_and_short(settings, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.delenv(demo.PASSWORD_ENV, raising=False)
    # The federation makes the accounts; the consultations step makes `member` a responder at a station.
    monkeypatch.setattr(seed_demo_command, "STEPS", ["demo.federation", "demo.consultations"])


def run(command, **options):
    out = StringIO()
    call_command(command, stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def first_run(django_db_setup, django_db_blocker):
    """`seed_demo --url` (federation and consultations), run once for this module into an empty database: its
    output. Each test reads the seeded demo; a second run or a reset is rolled back after its test
    (tests/module_data.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(demo.PASSWORD_ENV, raising=False)
        patch.setattr(seed_demo_command, "STEPS", ["demo.federation", "demo.consultations"])
        with kept_for_the_module(django_db_blocker):
            assert not User.objects.filter(username="kanagawa").exists(), "the first run needs an empty database"
            output = run("seed_demo", url=URL)
            patch.undo()
            yield output


def last_block(output):
    """The lines from the last 「アドレス:」 on: what stays on screen above the server's own lines."""
    lines = output.splitlines()
    start = max(i for i, line in enumerate(lines) if line.startswith("アドレス:"))
    return lines[start:]


def passwords_in(block):
    usernames = {a[0] for a in demo.ACCOUNTS}
    return {line.split()[0]: line.split()[1] for line in block if line.split()[:1] and line.split()[0] in usernames}


def test_first_run_prints_the_new_passwords_again_in_the_last_block(first_run):
    block = last_block(first_run)

    assert block[0] == f"アドレス: {URL}（管理画面は http://127.0.0.1:8000/admin/）"
    passwords = passwords_in(block)
    assert set(passwords) == {"admin", "chuo", "kanagawa", "organizer", "member"}
    for username, password in passwords.items():
        assert authenticate(username=username, password=password) is not None, username
    assert not any("作成したときに表示したもの" in line for line in block)


def test_second_run_prints_the_reset_command_as_it_must_be_typed(first_run):
    block = last_block(run("seed_demo", url=URL))

    assert passwords_in(block)["kanagawa"] == "（作成したときに表示したもの）"
    # A fresh shell has no activated virtualenv: `python manage.py …` fails there; this is what works.
    assert "  .venv/bin/python manage.py seed_demo --reset-passwords" in block
    assert demo.RESET_COMMAND == ".venv/bin/python manage.py seed_demo --reset-passwords"


def test_reset_passwords_shows_the_new_ones_in_the_last_block(first_run):
    block = last_block(run("seed_demo", url=URL, reset_passwords=True))

    for username, password in passwords_in(block).items():
        assert authenticate(username=username, password=password) is not None, username


def test_the_last_block_says_which_demo_account_answers_calls(first_run):
    block = last_block(first_run)

    line = next(line for line in block if line.startswith("電話相談の相談員"))
    assert "member" in line and "神奈川県社会保障推進協議会" in line


def test_demo_accounts_on_its_own_prints_the_command_not_a_password(first_run):
    output = run("demo_accounts", url=URL)

    assert demo.RESET_COMMAND in output
    assert "電話相談の相談員（相談記録の入力）: member" in output


def test_make_run_ends_with_seed_demo_and_its_closing_block_before_the_server():
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0].splitlines()
    commands = [line.strip() for line in recipe if line.startswith("\t") and not line.strip().startswith("@#")]
    assert "seed_demo --url http://127.0.0.1:$(PORT)/" in commands[-2]
    assert "runserver 127.0.0.1:$(PORT)" in commands[-1]
