"""Recording actions: as reported, counted once, and refused whole on bad input (nothing saved)."""

import uuid

import pytest
from django.core.exceptions import ValidationError

from campaigns import selectors, services
from campaigns.models import Action, Participation, StickerPoll
from petitions.models import PetitionDrive, TallyEntry
from petitions.selectors import tally_table
from tests.campaigns.factories import D, T, action, kind, rows
from tests.petitions.factories import PetitionDriveFactory

pytestmark = pytest.mark.django_db
POLL = services.PollInput("保険証の廃止に賛成？反対？", [("反対", 72), ("賛成", 3)], stated_total=75)


def _sakuragicho(user, council, petition, **kwargs):
    return action(
        user, council, title="桜木町駅前宣伝", starts_on=D(2023, 11, 25), start_time=T(13, 30), end_time=T(15, 0),
        place="桜木町駅前広場", participants=rows(), stated_organisations=12, stated_participants=26,
        outputs=[{"kind": "flyer_tissue", "description": "チラシ・ポケットティッシュ", "quantity": 1000}],
        polls=[POLL], signatures=[{"petition": petition, "count": 42}], **kwargs,
    )  # fmt: skip


def test_street_action_reads_back_as_reported_and_its_signatures_count_once(kanagawa_staff, kanagawa, petition):
    recorded = _sakuragicho(kanagawa_staff, kanagawa, petition)
    report = selectors.action_report(recorded)
    assert report.headline == "11団体26人、チラシ・ポケットティッシュ1,000枚、署名42筆、シール投票75（反対72、賛成3）"
    # The newsletter's 12団体26人 is kept beside the rows' 11団体26人 and shown, not hidden.
    assert report.disagreement == "報告は12団体26人、参加団体の行は11団体26人"
    # The 42 are one entry of the ledger, linked to the action, and the 集約一覧表 counts them once.
    entries = TallyEntry.objects.filter(petition=petition)
    assert list(entries.values_list("count", "action_id", "council_id")) == [(42, recorded.pk, kanagawa.pk)]
    assert tally_table(petition=petition, as_of=D(2023, 12, 1)).total.to_date == 42
    rows_, total = selectors.signatures_at_actions(petition=petition)
    assert rows_ == [(recorded, 42)] and total == 42


def test_the_same_form_sent_twice_records_one_action_and_one_entry(kanagawa_staff, kanagawa, petition):
    token = uuid.uuid4()
    first = _sakuragicho(kanagawa_staff, kanagawa, petition, submission_token=token)
    again = services.action_record(
        user=kanagawa_staff, kind=kind("street"), organiser=kanagawa, title="桜木町駅前宣伝", starts_on=D(2023, 11, 25),
        signatures=[{"petition": petition, "count": 42}], submission_token=token,
    )  # fmt: skip
    assert again.action == first and not again.created
    assert Action.objects.count() == 1 and TallyEntry.objects.count() == 1


def _refused(user, council, **kwargs):
    before = (Action.objects.count(), TallyEntry.objects.count(), Participation.objects.count())
    with pytest.raises(ValidationError) as exc:
        action(user, council, **kwargs)
    assert (Action.objects.count(), TallyEntry.objects.count(), Participation.objects.count()) == before
    return exc.value.message_dict


def test_end_before_start_is_refused_naming_the_field(kanagawa_staff, kanagawa):
    errors = _refused(kanagawa_staff, kanagawa, starts_on=D(2024, 1, 10), ends_on=D(2024, 1, 9))
    assert errors["ends_on"] == ["「終了日」: 開始日より前にできません。"]
    errors = _refused(kanagawa_staff, kanagawa, start_time=T(15, 0), end_time=T(13, 30))
    assert "開始時刻より前" in errors["end_time"][0]


def test_negative_counts_are_refused_naming_the_field_and_row(kanagawa_staff, kanagawa):
    errors = _refused(kanagawa_staff, kanagawa, onsite_count=-1, participants=[{"organisation_name": "A", "count": -2}])
    assert errors["onsite_count"] == ["「会場参加（人）」: 0以上の数を入力してください。"]
    assert errors["participants"] == ["「参加団体 1行目」: 「人数」: 0以上の数を入力してください。"]


def test_a_poll_whose_options_do_not_add_up_is_refused(kanagawa_staff, kanagawa):
    bad = services.PollInput("賛成？反対？", [("反対", 72), ("賛成", 2)], stated_total=75)
    errors = _refused(kanagawa_staff, kanagawa, polls=[bad])
    assert "合計（反対72＋賛成2＝74）が投票数75と合いません" in errors["polls"][0]
    assert not StickerPoll.objects.exists()


def test_an_organiser_outside_the_users_scope_is_refused(kanagawa_staff, tokyo, organizer, kanagawa):
    errors = _refused(kanagawa_staff, tokyo)
    assert errors["organiser"] == ["「主催の社保協」: この社保協の行動を入力する権限がありません。"]
    # An organizer of Kawasaki may not organise for the prefecture above either.
    assert "organiser" in _refused(organizer, kanagawa)


def test_a_signature_row_for_a_drive_not_open_on_the_actions_date_is_refused(kanagawa_staff, kanagawa):
    later = PetitionDriveFactory(short_name="後の署名", starts_on=D(2024, 6, 1))
    closed = PetitionDriveFactory(short_name="終わった署名", status=PetitionDrive.Status.CLOSED)
    errors = _refused(
        kanagawa_staff, kanagawa, starts_on=D(2024, 1, 10),
        signatures=[{"petition": later, "count": 5}, {"petition": closed, "count": 3}],
    )  # fmt: skip
    first = "「署名 1行目（後の署名）」: 後の署名は行動の日（1月10日）に集約中ではありません"
    assert errors["signatures"][0].startswith(first)
    assert errors["signatures"][1].startswith("「署名 2行目（終わった署名）」")


def test_confirming_a_disagreement_keeps_both_figures(kanagawa_staff, kanagawa, petition):
    recorded = _sakuragicho(kanagawa_staff, kanagawa, petition)
    services.totals_confirm(user=kanagawa_staff, action=recorded, note="建設労連と神奈川土建を別に数えている")
    recorded.refresh_from_db()
    assert recorded.stated_organisations == 12 and recorded.totals_confirmed_by == kanagawa_staff
    assert selectors.action_report(recorded).disagreement  # still shown, now as confirmed


def test_feed_rotation_changes_the_token_and_is_scoped(kanagawa_staff, kanagawa, tokyo):
    old = services.feed_for(council=kanagawa).token
    assert services.feed_rotate(user=kanagawa_staff, council=kanagawa).token != old
    with pytest.raises(ValidationError):
        services.feed_rotate(user=kanagawa_staff, council=tokyo)
