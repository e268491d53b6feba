"""One evaluation vocabulary: caravan talks and negotiations store the same codes, converted by a data migration."""

import importlib

import pytest
from django.apps import apps

from campaigns.models import Demand
from municipalities.models import DemandItem, DemandLetter, Talk, TalkItem
from shaho.core.vocabulary import Evaluation
from tests.municipalities.factories import tokyo_objects

pytestmark = pytest.mark.django_db
migration = importlib.import_module("municipalities.migrations.0005_evaluation_vocabulary")


def test_negotiations_and_caravans_use_the_one_enum():
    for field in (Demand._meta.get_field("evaluation"), TalkItem._meta.get_field("evaluation")):
        assert field.choices == Evaluation.choices
    assert DemandItem._meta.get_field("evaluation").choices == Evaluation.choices
    assert [str(label) for label in Evaluation.labels] == ["前進", "現状維持", "後退", "回答なし"]


def test_the_caravans_old_codes_migrate_forward_and_back():
    rows = tokyo_objects()
    talk, letter = rows[Talk], rows[DemandLetter]
    old = ["forward", "same", "backward", "none"]
    items = [TalkItem.objects.create(talk=talk, number=n, demand=f"要望{n}") for n in range(1, 5)]
    written = [DemandItem.objects.create(letter=letter, number=n + 10, text=f"要望{n}") for n in range(1, 5)]
    blank = DemandItem.objects.create(letter=letter, number=99, text="未回答")
    for item, code in zip(items, old, strict=True):
        TalkItem.objects.filter(pk=item.pk).update(evaluation=code)  # as stored before the migration
    for item, code in zip(written, old, strict=True):
        DemandItem.objects.filter(pk=item.pk).update(evaluation=code)

    migration.forwards(apps, None)

    new = ["advanced", "unchanged", "retreated", "no_answer"]
    assert [TalkItem.objects.get(pk=i.pk).evaluation for i in items] == new
    assert [DemandItem.objects.get(pk=i.pk).evaluation for i in written] == new
    assert [TalkItem.objects.get(pk=i.pk).get_evaluation_display() for i in items] == [
        "前進",
        "現状維持",
        "後退",
        "回答なし",
    ]
    assert DemandItem.objects.get(pk=blank.pk).evaluation == ""

    migration.forwards(apps, None)  # again: nothing changes
    assert [TalkItem.objects.get(pk=i.pk).evaluation for i in items] == new

    migration.backwards(apps, None)
    assert [TalkItem.objects.get(pk=i.pk).evaluation for i in items] == old
    assert [DemandItem.objects.get(pk=i.pk).evaluation for i in written] == old
    assert DemandItem.objects.get(pk=blank.pk).evaluation == ""
