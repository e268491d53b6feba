"""Importing a list of actions through the one intake: preview with row-numbered errors, then all or nothing."""

import pytest

from campaigns import importing
from campaigns.models import Action

pytestmark = pytest.mark.django_db
HEADER = "【当面の日程】\n日付,種類,名称,開始,終了,場所,主催,会場参加"


def _csv(*lines):
    return "\n".join([HEADER, *lines]).encode("utf-8")


def test_preview_names_row_and_column_and_nothing_is_written(kanagawa_staff, kanagawa, tokyo):
    data = _csv(
        "２０２０年１０月９日,ブロック会議,北海道・東北ブロック会議,13:00,16:00,札幌,,",
        f"2020-10-13,行進,四国ブロック会議,,,,{kanagawa.name},",
        f"2020-10-15,ブロック会議,関東甲ブロック会議,15:00,13:00,,{tokyo.name},-5",
    )
    preview = importing.actions_import_preview(data=data, filename="calendar.csv", user=kanagawa_staff)
    errors = [(e.row, e.column, e.message) for e in preview.errors]
    assert (4, "種類", "「行進」という種類はありません。") in errors
    # Tokyo's council reads like one that does not exist: nothing about it is said.
    assert (5, "主催", f"「{tokyo.name}」は選べる社保協にありません。") in errors
    assert (5, "会場参加", "「会場参加（人）」: 0以上の数を入力してください。") not in errors  # stops at the organiser
    assert preview.rows[0].ok and not preview.ok
    with pytest.raises(importing.ImportRefused):
        importing.actions_import_commit(data=data, filename="calendar.csv", user=kanagawa_staff)
    assert not Action.objects.exists()


def test_commit_writes_every_row_with_full_width_digits_and_times(kanagawa_staff, kanagawa):
    data = _csv(
        "２０２０年１０月９日,ブロック会議,北海道・東北ブロック会議,１３：００,16:00,札幌,,",
        "2020/10/17,学習会,コロナ禍の学習会,18時30分,,,,４２",
    )
    made = importing.actions_import_commit(data=data, filename="calendar.csv", user=kanagawa_staff)
    assert [(a.title, a.starts_on.isoformat(), str(a.start_time), a.organiser_id) for a in made] == [
        ("北海道・東北ブロック会議", "2020-10-09", "13:00:00", kanagawa.pk),
        ("コロナ禍の学習会", "2020-10-17", "18:30:00", kanagawa.pk),
    ]
    assert made[1].onsite_count == 42


def test_end_before_start_in_a_row_is_refused(kanagawa_staff, kanagawa):
    preview = importing.actions_import_preview(
        data=_csv("2020-10-15,ブロック会議,関東甲,15:00,13:00,,,"), filename="c.csv", user=kanagawa_staff
    )
    assert [(e.row, e.column) for e in preview.errors] == [(3, "終了")]
