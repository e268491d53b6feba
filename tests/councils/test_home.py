"""The home page is a dashboard for each role (issue 17): the figures each audience gets, computed from known rows,
moving when a tally is entered, scoped (a Kanagawa page shows no Tokyo row), in a fixed number of queries, and
downloadable as xlsx and CSV with formulas neutralised."""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from petitions.services import tally_record
from tests.councils.dashboard_world import (
    TOKYO_CANARIES,
    TOKYO_COUNT,
    add_call_days,
    add_published_report,
    add_study_sessions,
    add_upcoming,
    build_world,
    days,
)
from tests.councils.factories import local_council
from tests.petitions.factories import goal, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = build_world()
    add_study_sessions(w)
    add_upcoming(w)
    add_call_days(w)
    add_published_report(w)
    return w


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def pictures(response):
    """{"panel key/picture key": Picture} of the page's dashboard."""
    return {
        f"{panel['key']}/{shown['picture'].key}": shown["picture"]
        for panel in response.context["panels"]
        for shown in panel["pictures"]
    }


def last_point(picture):
    """The line's last drawn point: the last row with this drive's running total."""
    return [row for row in picture.table.rows if row[1] is not None][-1]


def download(client, panel, picture, fmt):
    return client.get(reverse("overview_download", args=[panel, picture]), {"format": fmt})


# --- what each audience sees --------------------------------------------------------------------


def test_national_staff_see_the_federation(client, world):
    response = home(client, world.national_staff)
    assert response.context["audience"] == "national"
    shown = pictures(response)
    progress = shown["petitions.progress/progress-drive-now"]
    total = 100 + 50 + TOKYO_COUNT
    assert last_point(progress)[1] == total
    assert progress.table.rows[-1][3] == 10_000  # the national goal
    assert f"{total:,}筆／目標10,000筆（44.7%）" in progress.note
    assert "前回の同日 47筆" in progress.note  # last year's drive at the same date: 40 + 7
    ranking = {row[0]: row for row in shown["petitions.ranking/ranking-drive-now"].table.rows}
    assert ranking["神奈川県"][1:] == [1_000, 150, 15.0]
    assert ranking["東京都"][1:] == [2_000, TOKYO_COUNT, 216.1]
    first = shown["petitions.ranking/ranking-drive-now"].table.rows[0]
    assert first[0] == "東京都"  # ranked by % of goal
    study = {row[0]: row for row in shown["campaigns.study/study"].table.rows}
    assert study["神奈川県"][1] == 1 and study["東京都"][1] == 1 and study["合計"][1] == 2
    calls = {row[0]: row[1:] for row in shown["consultations.last_day/last-day"].table.rows}
    assert calls["合計"] == [55, 30]
    upcoming = [str(row[2]) for row in shown["campaigns.upcoming/upcoming"].table.rows]
    assert upcoming == ["桜木町駅前宣伝", "東京カナリア宣伝"]
    assert "petitions.entries/entries" not in shown  # the national page is no ledger


def test_prefectural_staff_see_their_prefecture(client, world):
    response = home(client, world.kanagawa_staff)
    assert response.context["audience"] == "prefecture"
    shown = pictures(response)
    progress = shown["petitions.progress/progress-drive-now"]
    assert last_point(progress)[1] == 150 and progress.table.rows[-1][3] == 1_000
    assert "（15.0%）" in progress.note and "前回の同日 40筆" in progress.note
    ranking = shown["petitions.ranking/ranking-drive-now"].table.rows
    assert ranking == [["川崎市社保協", 300, 100, 33.3]]
    due = shown["petitions.due/due"].table.rows
    assert due[0][1:] == ["第1次集約", days(-10), 10]
    calls = {row[0]: row[1:] for row in shown["consultations.last_day/last-day"].table.rows}
    assert calls == {"川崎市社保協": [12, 9], "合計": [12, 9]}
    study = {row[0]: row for row in shown["campaigns.study/study"].table.rows}
    assert study["川崎市社保協"][1:3] == [1, 20]


def test_organizer_sees_their_council_its_entries_and_the_entry_buttons(client, world):
    response = home(client, world.kawasaki_organizer)
    assert response.context["audience"] == "local"
    shown = pictures(response)
    assert shown["petitions.council/council"].table.rows == [["今年の署名", "筆", 300, 100, 33.3]]
    entries = shown["petitions.entries/entries"].table.rows
    this_year = next(row for row in entries if row[1] == "今年の署名")
    correct = this_year[-1]
    assert correct.text == "訂正する" and correct.href.endswith("/correct/")
    assert client.get(correct.href).status_code == 200  # the link opens the correction form
    html = response.content.decode()
    assert 'id="home-entry-tally"' in html and 'id="home-entry-street"' in html
    assert "petitions.ranking/ranking-drive-now" not in shown


def test_member_sees_reports_and_actions_but_no_entry_buttons(client, world):
    response = home(client, world.kawasaki_member)
    assert response.context["audience"] == "member"
    shown = pictures(response)
    assert set(shown) == {"reports.published/published", "campaigns.upcoming/upcoming"}
    report = shown["reports.published/published"].table.rows[0][0]
    assert report.text == "第65回総会議案（会員向け）"
    # The link is the download the member may have (the file itself is not written in this test).
    from reports.selectors import downloadable_jobs

    token = report.href.split("/")[-3]
    assert downloadable_jobs(user=world.kawasaki_member).filter(token=token).exists()
    html = response.content.decode()
    assert 'id="home-entry-tally"' not in html and reverse("petitions:entry") not in html


# --- a figure moves when its data changes ------------------------------------------------------------


def test_entering_a_tally_moves_the_line_and_the_percent(client, world):
    before = pictures(home(client, world.kawasaki_organizer))
    assert last_point(before["petitions.progress/progress-drive-now"])[1] == 100
    tally_record(
        user=world.kawasaki_organizer, petition=world.drive, council=world.kawasaki, count=65, collected_on=world.today
    )
    response = home(client, world.kawasaki_organizer)
    after = pictures(response)
    point = last_point(after["petitions.progress/progress-drive-now"])
    assert point[0] == world.today and point[1] == 165
    assert after["petitions.council/council"].table.rows[0][3:] == [165, 55.0]
    assert "165筆／目標300筆（55.0%）" in response.content.decode()
    # The prefecture's line moved too.
    prefecture = pictures(home(client, world.kanagawa_staff))["petitions.progress/progress-drive-now"]
    assert last_point(prefecture)[1] == 215


# --- scope: no Tokyo row on a Kanagawa page or download ------------------------------------------------


def _assert_no_canary(text):
    for canary in TOKYO_CANARIES:
        assert canary not in text, canary


def test_kanagawa_page_and_downloads_show_no_tokyo_row(client, world):
    response = home(client, world.kanagawa_staff)
    _assert_no_canary(response.content.decode())
    for panel in response.context["panels"]:
        for shown in panel["pictures"]:
            for fmt in ("csv", "xlsx", "html"):
                got = download(client, panel["key"], shown["picture"].key, fmt)
                assert got.status_code == 200
                body = got.content.decode("utf-8-sig") if fmt != "xlsx" else _xlsx_text(got.content)
                _assert_no_canary(body)


def test_a_long_table_opens_on_its_own_page_and_the_home_page_stays_light(client, world):
    """The national municipality map's table (every municipality) is not printed into the home page:
    「表で見る」 links to its page, which holds every row; a short table stays under its picture."""
    response = home(client, world.national_staff)
    page = response.content.decode()
    shown = pictures(response)
    long = {k: p for k, p in shown.items() if p.svg and len(p.table.rows) > 100}
    short = {k: p for k, p in shown.items() if p.svg and 0 < len(p.table.rows) <= 100}
    assert long and short
    # The page printed their length only: the rows of a map's long table were not even built for it.
    assert not any(getattr(p.table.rows, "built", True) for p in long.values() if p.key.endswith("municipalities"))
    for key, picture in long.items():
        panel_key, picture_key = key.split("/")
        assert f"表で見る（{len(picture.table.rows)}行）" in page
        table = download(client, panel_key, picture_key, "html")
        assert table.status_code == 200
        body = table.content.decode()
        assert body.count("<tr>") == len(picture.table.rows) + 1
        assert "table-page" in body  # one line per cell, scrolling in its box on a phone (site.css)
    for picture in short.values():
        assert f'id="picture-{picture.key}"' in page and "<summary>表で見る</summary>" in page
    # Only a list's rows are formatted by the view; a drawn picture's table is the include's (or its own page's).
    for panel in response.context["panels"]:
        for shown in panel["pictures"]:
            assert (shown["rows"] == []) == bool(shown["picture"].svg) or not shown["picture"].table.rows


def test_a_tokyo_goal_never_makes_kanagawa_ranking(client, world):
    # A Tokyo local council with a goal and figures: Kanagawa's ranking lists Kanagawa's councils only.
    other = local_council("13", name="東京カナリア第二社保協")
    goal(world.drive, other, 10)
    record(world.tokyo_staff, world.drive, other, 9, collected_on=days(1))
    rows = pictures(home(client, world.kanagawa_staff))["petitions.ranking/ranking-drive-now"].table.rows
    assert [row[0] for row in rows] == ["川崎市社保協"]


# --- downloads -----------------------------------------------------------------------------------


def _xlsx_text(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return "\n".join(",".join("" if v is None else str(v) for v in row) for row in sheet.iter_rows(values_only=True))


def test_downloads_hold_the_table_and_neutralise_formulas(client, world):
    add_upcoming(world, title='=HYPERLINK("http://evil","x")')
    client.force_login(world.kawasaki_member)
    got = download(client, "campaigns.upcoming", "upcoming", "csv")
    assert got.status_code == 200 and got["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0] == ["日付", "時刻", "行動", "種類", "場所", "主催"]
    titles = [row[2] for row in rows[1:]]
    assert "桜木町駅前宣伝" in titles and '\'=HYPERLINK("http://evil","x")' in titles
    got = download(client, "campaigns.upcoming", "upcoming", "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(got.content)).active
    cells = [c.value for c in sheet["C"]]
    assert '\'=HYPERLINK("http://evil","x")' in cells
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_download_of_the_progress_line_has_its_numbers(client, world):
    client.force_login(world.kanagawa_staff)
    got = download(client, "petitions.progress", "progress-drive-now", "csv")
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["日付", "累計（筆）"]
    assert [row[1] for row in rows[1:] if row[1]][-1] == "150"


def test_download_of_a_panel_not_for_the_audience_is_404(client, world):
    client.force_login(world.kawasaki_member)
    assert download(client, "petitions.ranking", "ranking-drive-now", "csv").status_code == 404
    assert download(client, "petitions.entries", "entries", "csv").status_code == 404
    client.force_login(world.kanagawa_staff)
    assert download(client, "no.such", "panel", "csv").status_code == 404
    assert download(client, "petitions.progress", "progress-no-such-drive", "csv").status_code == 404
    assert download(client, "petitions.progress", "progress-drive-now", "pdf").status_code == 404
    client.logout()
    assert download(client, "petitions.progress", "progress-drive-now", "csv").status_code == 302


# --- a fixed number of queries ----------------------------------------------------------------


def _grow(world, k):
    """k more rows of everything the dashboards read: councils with goals and entries, drives, actions."""
    from tests.campaigns.factories import action
    from tests.petitions.factories import PetitionDriveFactory

    for i in range(k):
        council = local_council("14")
        goal(world.drive, council, 100 + i)
        record(world.kanagawa_staff, world.drive, council, 3 + i, collected_on=days(i % 20 + 1))
        record(world.kanagawa_staff, world.drive, world.kawasaki, 1, collected_on=days(i % 30 + 1), source=f"駅{i}")
        drive = PetitionDriveFactory(starts_on=days(30), ends_on=days(-30))
        goal(drive, world.kawasaki, 10)
        record(world.kanagawa_staff, drive, world.kawasaki, 2, collected_on=days(1))
        action(world.kanagawa_staff, world.kawasaki, code="study", title=f"学習会{i}", starts_on=days(2))
        action(world.kanagawa_staff, world.kawasaki, title=f"宣伝{i}", starts_on=days(-1), status="planned")
        add_published_report(world, title=f"報告{i}")


def _count(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["national_staff", "kanagawa_staff", "kawasaki_organizer", "kawasaki_member"])
def test_home_query_count_does_not_grow_with_data(client, world, who):
    user = getattr(world, who)
    client.force_login(user)
    client.get(reverse("home"))  # warm the session and the content types
    _grow(world, 2)
    small = _count(client, reverse("home"))
    _grow(world, 12)
    large = _count(client, reverse("home"))
    assert small == large, f"{who}: {small} queries, then {large} with more drives, councils and entries"


def test_the_home_page_travels_compressed(client, world):
    """The national dashboard (SVG maps and charts) is sent gzip-compressed to a browser that accepts it."""
    import gzip

    client.force_login(world.national_staff)
    plain = client.get(reverse("home"))
    packed = client.get(reverse("home"), headers={"accept-encoding": "gzip"})
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content).decode().count("<svg") == plain.content.decode().count("<svg")
    print(f"home page: {len(plain.content):,} bytes, {len(packed.content):,} compressed")
    assert len(packed.content) < len(plain.content) / 3
