"""The phone entry page and the tally pages, through the test client."""

import datetime
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from councils.models import Role
from petitions.models import TallyEntry
from shaho.core.japanese import format_datetime
from tests.councils.factories import local_council, national_council, prefectural_council, staff_of

from .factories import goal, record

D = datetime.date
pytestmark = pytest.mark.django_db
ENTRY = "/petitions/entry/"


def _form(client):
    response = client.get(ENTRY)
    assert response.status_code == 200
    return response.context["form"]


def _post(client, form, **data):
    values = {
        "petition": form.petition_choices[0].pk,
        "council": form.initial["council"],
        "collected_on": "2024-01-10",
        "kind": "individual",
        "submission_token": str(form.initial["submission_token"]),
        **data,
    }
    return client.post(ENTRY, values)


def test_entry_page_offers_only_councils_in_scope(client, organizer, kawasaki, petition):
    yokohama = local_council("14", name="横浜社保協")
    client.force_login(organizer)
    form = _form(client)
    offered = set(form.fields["council"].rows.values())
    assert offered == {kawasaki}
    assert yokohama not in offered
    assert list(form.fields["petition"].rows.values()) == [petition]


def test_forged_council_is_refused_and_nothing_saved(client, organizer, petition):
    yokohama = local_council("14", name="横浜社保協")
    client.force_login(organizer)
    form = _form(client)
    response = _post(client, form, council=yokohama.pk, count="42")
    assert response.status_code == 200
    assert "council" in response.context["form"].errors
    assert TallyEntry.objects.count() == 0


@pytest.mark.parametrize(("typed", "stored"), [("４２", 42), ("1,241", 1241), ("１，２４１", 1241), ("6万5千", 65000)])
def test_zenkaku_and_separators_are_accepted(client, organizer, petition, typed, stored):
    client.force_login(organizer)
    response = _post(client, _form(client), count=typed)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert TallyEntry.objects.get().count == stored


def test_japanese_date_is_accepted(client, organizer, petition):
    client.force_login(organizer)
    _post(client, _form(client), count="5", collected_on="2024年1月10日")
    assert TallyEntry.objects.get().collected_on == D(2024, 1, 10)


def test_submit_shows_the_new_running_total_and_the_last_entries(client, organizer, kawasaki, petition):
    record(organizer, petition, kawasaki, 100)
    client.force_login(organizer)
    response = _post(client, _form(client), count="42", source="桜木町")
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="council-total">142<' in html
    assert "神奈川県全体の累計" in html and 'id="prefecture-total">142<' in html  # the prefecture's total, said so
    assert "桜木町" in html and reverse("petitions:correct", args=[TallyEntry.objects.latest("pk").pk]) in html


def test_resent_post_records_once(client, organizer, petition):
    client.force_login(organizer)
    form = _form(client)
    first = _post(client, form, count="42")
    again = _post(client, form, count="42")
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert TallyEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "data"),
    [("count", {"count": "-5"}), ("count", {"count": "20,000,000"}), ("count", {"count": "たくさん"}),
     ("collected_on", {"count": "5", "collected_on": "2023-08-01"}), ("count", {"count": ""})],
)  # fmt: skip
def test_bad_input_shows_the_field_and_saves_nothing(client, organizer, petition, field, data):
    client.force_login(organizer)
    response = _post(client, _form(client), **data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and errors[field][0].startswith("「")
    assert TallyEntry.objects.count() == 0


def test_members_may_not_enter(client, kawasaki, petition):
    client.force_login(staff_of(kawasaki, role=Role.MEMBER))
    assert client.get(ENTRY).status_code == 403


def test_correction_through_the_site(client, organizer, kawasaki, petition):
    entry = record(organizer, petition, kawasaki, 42)
    client.force_login(organizer)
    url = reverse("petitions:correct", args=[entry.pk])
    form = client.get(url).context["form"]
    response = client.post(
        url,
        {"corrected": "２４", "correction_reason": "入力ミス", "submission_token": form.initial["submission_token"]},
    )
    assert response.status_code == 302
    correction = TallyEntry.objects.get(corrects=entry)
    assert correction.count == -18
    assert 'id="council-total">24<' in client.get(response["Location"]).content.decode()


def test_entry_of_another_council_cannot_be_opened_or_corrected(client, organizer, petition):
    yokohama = local_council("14", name="横浜社保協")
    other = record(staff_of(yokohama, role=Role.ORGANIZER), petition, yokohama, 10)
    client.force_login(organizer)
    assert client.get(reverse("petitions:entry_done", args=[other.pk])).status_code == 404
    assert client.get(reverse("petitions:correct", args=[other.pk])).status_code == 404


def test_national_and_prefecture_pages_show_bars(client, organizer, kawasaki, petition):
    record(organizer, petition, kawasaki, 42)
    client.force_login(organizer)
    html = client.get(reverse("petitions:national", args=["hokensho"])).content.decode()
    assert 'class="bar"' in html and "神奈川県" in html and "小計" in html
    html = client.get(reverse("petitions:prefecture", args=["hokensho", "14"])).content.decode()
    assert "川崎社保協" in html
    # Another prefecture's council-by-council table is not theirs to read.
    assert client.get(reverse("petitions:prefecture", args=["hokensho", "13"])).status_code == 403


def test_unreadable_table_date_is_named_on_the_page_not_a_404(client, organizer, petition):
    client.force_login(organizer)
    for fmt in ("", "xlsx"):
        response = client.get(
            reverse("petitions:national", args=["hokensho"]), {"date": "2025年13月40日", "format": fmt}
        )
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
        html = response.content.decode()
        assert "「基準日」" in html and "日付として読めません" in html


def test_national_staff_may_open_every_prefecture(client, petition):
    client.force_login(staff_of(national_council(), role=Role.NATIONAL_STAFF))
    prefectural_council("13")
    assert client.get(reverse("petitions:prefecture", args=["hokensho", "13"])).status_code == 200


def test_home_links_to_the_entry_page_for_organizers(client, organizer):
    client.force_login(organizer)
    assert ENTRY in client.get("/").content.decode()


def test_confirmation_says_which_total_is_which_and_shows_the_councils_goal(
    client, organizer, kawasaki, kanagawa, kanagawa_staff, petition
):
    goal(petition, kawasaki, 400)
    goal(petition, kanagawa, 2000)
    record(kanagawa_staff, petition, local_council("14", name="横浜社保協"), 1000)
    entry = record(organizer, petition, kawasaki, 100)
    client.force_login(organizer)
    html = client.get(reverse("petitions:entry_done", args=[entry.pk])).content.decode()
    assert "川崎社保協の累計" in html and "川崎社保協で集めた数" in html and 'id="council-total">100<' in html
    assert 'id="council-goal">400<' in html and 'id="council-percent">25.0%<' in html
    assert "神奈川県全体の累計" in html and "神奈川県のすべての社保協の合計" in html
    assert 'id="prefecture-total">1,100<' in html and 'id="prefecture-percent">55.0%<' in html


def test_confirmation_without_a_goal_says_so(client, organizer, kawasaki, petition):
    entry = record(organizer, petition, kawasaki, 100)
    client.force_login(organizer)
    assert (
        "川崎社保協の目標は設定されていません"
        in client.get(reverse("petitions:entry_done", args=[entry.pk])).content.decode()
    )


def test_site_pages_show_dates_one_way(client, organizer, kawasaki, petition):
    entry = record(organizer, petition, kawasaki, 42, collected_on=D(2025, 12, 7))
    client.force_login(organizer)
    pages = {
        "list": reverse("petitions:list"),
        "done": reverse("petitions:entry_done", args=[entry.pk]),
        "correct": reverse("petitions:correct", args=[entry.pk]),
        "table": reverse("petitions:national", args=["hokensho"]) + "?date=2025-12-07",
    }
    html = {name: client.get(url).content.decode() for name, url in pages.items()}
    assert "2023年9月1日〜2030年6月30日" in html["list"]
    for name in ("done", "correct", "table"):
        assert "2025年12月7日" in html[name], name
    entered = format_datetime(entry.entered_at)
    assert entered in html["correct"] and entered in html["done"]
    for name, page in html.items():
        assert not re.search(r"\b20\d\d/\d{1,2}/\d{1,2}\b", page), name  # no 2025/12/7 left
        assert not re.search(r">\s*\d{1,2}/\d{1,2}\s*<", page), name  # nor a bare 12/7


def test_site_pages_have_breadcrumbs(client, organizer, kawasaki, petition):
    entry = record(organizer, petition, kawasaki, 42)
    client.force_login(organizer)
    home, petitions = reverse("home"), reverse("petitions:list")
    national = reverse("petitions:national", args=["hokensho"])
    for url, last in [
        (petitions, "署名"),
        (reverse("petitions:entry"), "集約を入力"),
        (national, "保険証残して"),
        (reverse("petitions:prefecture", args=["hokensho", "14"]), "神奈川県"),
        (reverse("petitions:entry_done", args=[entry.pk]), "記録しました"),
        (reverse("petitions:correct", args=[entry.pk]), "記録の訂正"),
    ]:
        html = client.get(url).content.decode()
        crumbs = html.split('class="breadcrumbs"')[1].split("</nav>")[0]
        assert f'href="{home}"' in crumbs, url
        assert url == petitions or f'href="{petitions}"' in crumbs, url
        assert f'<span aria-current="page">{last}</span>' in crumbs, url


def test_table_page_links_staff_to_its_pdf(client, kanagawa_staff, organizer, petition):
    client.force_login(kanagawa_staff)
    html = client.get(reverse("petitions:prefecture", args=["hokensho", "14"]), {"date": "2025-12-07"}).content
    link = re.search(r'id="request-pdf"|href="([^"]+)" id="request-pdf"', html.decode()).group(1)
    url = urlsplit(unescape(link))
    assert url.path == reverse("reports:new_kind", args=["tally_table"])
    assert parse_qs(url.query) == {
        "petition": ["hokensho"], "date": ["2025-12-07"], "format": ["pdf"], "prefecture": ["14"]
    }  # fmt: skip
    form = client.get(unescape(link)).context["form"]
    assert {name: form[name].value() for name in ("petition", "date", "format", "prefecture")} == {
        "petition": "hokensho", "date": "2025-12-07", "format": "pdf", "prefecture": "14"
    }  # fmt: skip
    # Organizers cannot request reports: no link that would end in a 404.
    client.force_login(organizer)
    assert 'id="request-pdf"' not in client.get(reverse("petitions:national", args=["hokensho"])).content.decode()


def test_table_has_no_inline_style_or_script(client, organizer, kawasaki, petition):
    record(organizer, petition, kawasaki, 42)
    client.force_login(organizer)
    for url in (
        reverse("petitions:national", args=["hokensho"]),
        reverse("petitions:prefecture", args=["hokensho", "14"]),
    ):
        html = client.get(url).content.decode()
        assert "style=" not in html and "<style" not in html and "onclick" not in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)


@pytest.mark.usefixtures("last_seen_written_once")
def test_the_phone_entry_pins_its_queries(client, organizer, kawasaki, petition, settings, django_assert_num_queries):
    # The hot path of a submission day (issue 22; bench/bench_concurrent_entry.py prints the same counts on
    # PostgreSQL). Every request: the session, the user with its council, the two-factor check's two queries
    # (on, as in production).
    settings.OTP_REQUIRED = True
    client.force_login(organizer)
    client.get(ENTRY)  # a session's first request writes its login time, and reads the lists: not the entry's cost
    # The form: the lists come from the shared cache (petitions/entry_choices.py); ?petition= is found in them.
    with django_assert_num_queries(4):
        page = client.get(ENTRY, {"petition": "ＨＯＫＥＮＳＨＯ", "council": kawasaki.pk})
    form = page.context["form"]
    assert form.initial["petition"] == petition and f'value="{petition.pk}" selected' in page.content.decode()
    # The entry: checked against the same lists (no query), then the INSERT; here in a test's transaction the
    # INSERT also takes a savepoint and its release (two more; in production it runs alone).
    with django_assert_num_queries(4 + 1 + 2):
        answer = _post(client, form, count="42")
    assert answer.status_code == 302
    # A re-tap: the same, the INSERT losing at the unique index (here its savepoint rolled back as well as
    # released: three), then the entry the first send made.
    with django_assert_num_queries(4 + 1 + 3 + 1):
        again = _post(client, form, count="42")
    assert again["Location"] == answer["Location"] and TallyEntry.objects.count() == 1
    # A drive saved (or a council, organisation, membership, round) makes every user's lists stale: read again.
    petition.save()
    with django_assert_num_queries(4 + 4):
        client.get(ENTRY)
    # The confirmation: the entry, its totals, goals and councils-below in one query, the recent entries.
    with django_assert_num_queries(4 + 3):
        html = client.get(answer["Location"]).content.decode()
    assert 'id="council-total">42<' in html and 'id="prefecture-total">42<' in html


def test_confirmation_of_a_council_with_councils_below_says_so(client, kanagawa, kanagawa_staff, petition):
    local_council("14", name="横浜社保協")  # below Kanagawa's council
    entry = record(kanagawa_staff, petition, kanagawa, 7)
    client.force_login(kanagawa_staff)
    html = client.get(reverse("petitions:entry_done", args=[entry.pk])).content.decode()
    assert f"{kanagawa}と下部組織で集めた数" in html
