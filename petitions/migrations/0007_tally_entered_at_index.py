# The ledger's default order (entered_at, then id, newest first) had no index: the admin list
# scanned and sorted the whole ledger with its joins to show 50 rows; the date bar's first and last
# date (collected_on) read every row too.

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
        migrations.AddIndex(
            model_name="tallyentry",
            index=models.Index(fields=["collected_on"], name="tally_collected_on"),
        ),
    ]
