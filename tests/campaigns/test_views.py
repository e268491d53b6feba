"""The site pages: the phone report, an action read back, the calendar, its printable list, feed and export."""

import datetime
import io
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from openpyxl import load_workbook

from campaigns import services
from campaigns.models import Action
from petitions.models import TallyEntry
from tests.campaigns.factories import D, T, action, kind, rows

pytestmark = pytest.mark.django_db


def _form(petition, council, **extra):
    data = {
        "kind": kind("street").pk, "organiser": council.pk, "title": "宣伝行動", "starts_on": "２０２３年１１月２５日",
        "start_time": "１３：３０", "end_time": "15:00", "place": "桜木町駅前広場", "rows": "4",
        "p1_name": "保険医協会", "p1_count": "７", "p1_note": "うち開業医2人", "p2_name": "年金者組合",
        "p2_count": "２",
        "flyers": "１，０００", f"sig_{petition.pk}": "４２", "poll_question": "保険証の廃止に", "poll_total": "７５",
        "poll_label_1": "反対", "poll_count_1": "７２", "poll_label_2": "賛成", "poll_count_2": "３",
        "voice_1": "今のままの保険証でよい", "submission_token": str(uuid.uuid4()),
    }  # fmt: skip
    data.update(extra)
    return data


def test_organizer_files_a_street_action_with_full_width_digits_once(client, kanagawa_staff, kanagawa, petition):
    client.force_login(kanagawa_staff)
    data = _form(petition, kanagawa)
    response = client.post(reverse("campaigns:street_entry"), data)
    assert response.status_code == 302
    again = client.post(reverse("campaigns:street_entry"), data)  # a second tap, or the browser resending
    assert again.status_code == 302 and again["Location"] == response["Location"]
    action_ = Action.objects.get()
    assert (action_.start_time, action_.end_time, action_.starts_on) == (T(13, 30), T(15, 0), D(2023, 11, 25))
    assert list(TallyEntry.objects.values_list("count", "action")) == [(42, action_.pk)]
    page = client.get(response["Location"]).content.decode()
    assert "2団体9人、チラシ・ティッシュ1,000枚、署名42筆、シール投票75（反対72、賛成3）" in page


def test_bad_input_keeps_what_was_typed_and_names_the_field(client, kanagawa_staff, kanagawa, petition):
    client.force_login(kanagawa_staff)
    data = _form(petition, kanagawa, poll_count_2="２", end_time="12:00", p2_count="-3")
    response = client.post(reverse("campaigns:street_entry"), data)
    assert response.status_code == 200 and not Action.objects.exists() and not TallyEntry.objects.exists()
    page = response.content.decode()
    assert "「終了時刻」: 開始時刻より前にできません。" in page
    assert "合計（反対72＋賛成2＝74）が投票数75と合いません" in page
    assert 'value="桜木町駅前広場"' in page and 'value="７５"' in page


def test_more_rows_button_adds_rows_and_keeps_values(client, kanagawa_staff, kanagawa, petition):
    client.force_login(kanagawa_staff)
    response = client.post(reverse("campaigns:street_entry"), {**_form(petition, kanagawa), "_more": "1"})
    assert response.status_code == 200 and not Action.objects.exists()
    assert response.context["form"].row_count == 7 and 'name="p7_count"' in response.content.decode()
    assert response.context["form"].data["rows"] == "7"  # the next send reads the added rows


def test_another_prefectures_action_is_not_found(client, kanagawa_staff, tokyo_staff, tokyo):
    tokyo_action = action(tokyo_staff, tokyo, title="東京の宣伝")
    client.force_login(kanagawa_staff)
    assert client.get(reverse("campaigns:action", args=[tokyo_action.pk])).status_code == 404
    assert client.get(reverse("campaigns:calendar"), {"council": tokyo.pk}).status_code == 404


def _calendar_world(national_staff, national, kanagawa_staff, kanagawa, kawasaki, tokyo_staff, tokyo):
    today = timezone.localdate()

    def day(n):
        return today + datetime.timedelta(days=n)

    action(national_staff, national, code="block_meeting", title="関東甲ブロック会議", starts_on=day(5))
    action(kanagawa_staff, kanagawa, title="県の宣伝", starts_on=day(3), start_time=T(14, 0), end_time=T(15, 0),
           place="伊勢佐木町")  # fmt: skip
    action(kanagawa_staff, kawasaki, code="study", title="川崎の学習会", starts_on=day(9))
    action(tokyo_staff, tokyo, title="東京の宣伝", starts_on=day(4))


def test_calendar_shows_above_and_below_but_not_a_neighbour(
    client, national_staff, national, kanagawa_staff, kanagawa, kawasaki, tokyo_staff, tokyo
):
    _calendar_world(national_staff, national, kanagawa_staff, kanagawa, kawasaki, tokyo_staff, tokyo)
    client.force_login(kanagawa_staff)
    page = client.get(reverse("campaigns:calendar")).content.decode()
    assert "関東甲ブロック会議" in page and "県の宣伝" in page and "川崎の学習会" in page
    assert "東京の宣伝" not in page
    printed = client.get(reverse("campaigns:calendar_print")).content.decode()
    assert "県の宣伝（伊勢佐木町）" in printed and "東京の宣伝" not in printed


def test_feed_parses_with_tokyo_times_all_day_dates_links_and_a_rotatable_token(
    client, national_staff, national, kanagawa_staff, kanagawa, kawasaki, tokyo_staff, tokyo
):
    _calendar_world(national_staff, national, kanagawa_staff, kanagawa, kawasaki, tokyo_staff, tokyo)
    client.force_login(kanagawa_staff)
    settings_page = client.get(reverse("campaigns:feed_settings"))
    token = services.feed_for(council=kanagawa).token
    assert token in settings_page.content.decode()
    client.logout()  # a calendar program has no session: the token is the key
    response = client.get(reverse("campaigns:feed", args=[token]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"関東甲ブロック会議（ブロック会議）", "県の宣伝（宣伝行動）", "川崎の学習会（学習会）"}
    street = events["県の宣伝（宣伝行動）"]
    start = street.decoded("dtstart")
    assert (start.hour, str(start.tzinfo)) == (14, "Asia/Tokyo") and street["location"] == "伊勢佐木町"
    all_day = events["関東甲ブロック会議（ブロック会議）"].decoded("dtstart")
    assert type(all_day) is datetime.date
    assert "/campaigns/actions/" in str(street["url"])
    client.force_login(kanagawa_staff)
    client.post(reverse("campaigns:feed_settings"))
    assert client.get(reverse("campaigns:feed", args=[token])).status_code == 404


def test_export_xlsx_and_csv_hold_participation_with_formulas_neutralised(client, kanagawa_staff, kanagawa):
    action(kanagawa_staff, kanagawa, title="=HYPERLINK(1)", starts_on=timezone.localdate(), participants=rows())
    client.force_login(kanagawa_staff)
    response = client.get(reverse("campaigns:export"), {"format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    header, row = list(book["行動"].iter_rows(values_only=True))[:2]
    assert row[header.index("名称")] == "'=HYPERLINK(1)" and row[header.index("参加者数")] == 26
    assert len(list(book["参加団体"].iter_rows())) == 12
    csv_text = client.get(reverse("campaigns:export"), {"format": "csv"}).content.decode("utf-8-sig")
    assert "保険医協会7（うち開業医2人）" in csv_text
