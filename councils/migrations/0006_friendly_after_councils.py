"""Friendly organisations are listed after the prefectural and local councils (key '90/<prefecture>/<pk>')."""

from django.db import migrations


def move_friendly_last(apps, schema_editor):
    # The key councils.services.council_sort_key gives a friendly organisation now: '90/' instead of
    # '00/' before its prefecture code and pk (written out: this migration keeps its meaning).
    Council = apps.get_model("councils", "Council")
    for council in Council.objects.filter(kind="friendly", sort_key__startswith="00/").only("pk", "sort_key"):
        Council.objects.filter(pk=council.pk).update(sort_key="90/" + council.sort_key[3:])


def move_friendly_first(apps, schema_editor):
    Council = apps.get_model("councils", "Council")
    for council in Council.objects.filter(kind="friendly", sort_key__startswith="90/").only("pk", "sort_key"):
        Council.objects.filter(pk=council.pk).update(sort_key="00/" + council.sort_key[3:])


class Migration(migrations.Migration):
    dependencies = [
        ("councils", "0005_user_session_salt"),
    ]

    operations = [
        migrations.RunPython(move_friendly_last, move_friendly_first),
    ]
