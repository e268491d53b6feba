# The ledger's default order (entered_at, then id, newest first) had no index: the admin list
# scanned and sorted the whole ledger with its joins to show 50 rows.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0006_campaign_links_from_text"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="tallyentry",
            index=models.Index(fields=["-entered_at", "-id"], name="tally_entered_at"),
        ),
    ]
