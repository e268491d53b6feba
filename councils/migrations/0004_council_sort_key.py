"""Councils get a sort key (JIS prefecture code, then municipality code), filled for existing rows."""

from django.db import migrations, models


def fill_sort_keys(apps, schema_editor):
    # The same key as councils.services.council_sort_key, written out here so that this migration
    # keeps meaning what it meant when the service changes.
    Council = apps.get_model("councils", "Council")
    Through = Council.municipalities.through
    first_code = {}
    for council_id, code in Through.objects.values_list("council_id", "municipality__code").order_by("municipality__code"):
        first_code.setdefault(council_id, code)
    changed = []
    for council in Council.objects.select_related("prefecture").only("pk", "kind", "prefecture__code"):
        code = council.prefecture.code if council.prefecture_id else "99"
        if council.kind == "national":
            key = "00"
        elif council.kind == "friendly":
            key = f"00/{code}/{council.pk:09d}"
        elif council.kind == "prefectural":
            key = code
        else:
            key = f"{code}/{first_code.get(council.pk) or '999999'}/{council.pk:09d}"
        council.sort_key = key
        changed.append(council)
    Council.objects.bulk_update(changed, ["sort_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("councils", "0003_japanese_labels"),
        ("municipalities", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="council",
            options={"ordering": ["sort_key", "pk"], "verbose_name": "社保協", "verbose_name_plural": "社保協"},
        ),
        migrations.AddField(
            model_name="council",
            name="sort_key",
            field=models.CharField(db_index=True, default="", editable=False, max_length=40, verbose_name="並び順"),
        ),
        migrations.RunPython(fill_sort_keys, migrations.RunPython.noop),
    ]
