"""Caravan talks and written answers take the federation's one evaluation vocabulary (shaho.core.vocabulary).

Their codes were forward/same/backward/none while negotiations (campaigns.Demand) stored
advanced/unchanged/retreated/no_answer for the same 前進/現状維持/後退/回答なし, so no report could count
them together. The negotiations' codes are kept (they say what they mean and fit these columns); the
caravans' stored codes are converted, and back on reversal.
"""

from django.db import migrations, models

OLD_TO_NEW = {"forward": "advanced", "same": "unchanged", "backward": "retreated", "none": "no_answer"}
CHOICES = [("advanced", "前進"), ("unchanged", "現状維持"), ("retreated", "後退"), ("no_answer", "回答なし")]


def _convert(apps, mapping):
    for name in ("TalkItem", "DemandItem"):
        model = apps.get_model("municipalities", name)
        for old, new in mapping.items():
            model.objects.filter(evaluation=old).update(evaluation=new)


def forwards(apps, schema_editor):
    _convert(apps, OLD_TO_NEW)


def backwards(apps, schema_editor):
    _convert(apps, {new: old for old, new in OLD_TO_NEW.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("municipalities", "0004_merge_0002_caravans_0003_assembly_campaigns"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.AlterField(
            model_name="demanditem",
            name="evaluation",
            field=models.CharField(blank=True, choices=CHOICES, max_length=10, verbose_name="評価"),
        ),
        migrations.AlterField(
            model_name="talkitem",
            name="evaluation",
            field=models.CharField(choices=CHOICES, default="no_answer", max_length=10, verbose_name="評価"),
        ),
    ]
