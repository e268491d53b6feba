"""The free-text fields that waited for the campaigns app become links; every text stays as it was typed.

- PetitionDrive.campaign_name → PetitionDrive.campaign: a campaign of that name (or short name) is
  linked; when none exists one is made, led by the drive's organiser from the drive's start, so no
  typed name is lost. The text stays in `campaign_name`.
- TallyEntry.source and Submission.event → `action`: linked where an action of that exact title
  was held on the entry's (submission's) date; the text stays in `source` / `event` either way.
"""

import re

from django.db import migrations


def _slug(name, taken):
    base = "campaign-" + (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "legacy")
    base = base[:40]
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def forward(apps, schema_editor):
    Campaign = apps.get_model("campaigns", "Campaign")
    Action = apps.get_model("campaigns", "Action")
    PetitionDrive = apps.get_model("petitions", "PetitionDrive")
    TallyEntry = apps.get_model("petitions", "TallyEntry")
    Submission = apps.get_model("petitions", "Submission")
    taken = set(Campaign.objects.values_list("slug", flat=True))
    by_name = {}
    for campaign in Campaign.objects.all():
        by_name.setdefault(campaign.name, campaign)
        if campaign.short_name:
            by_name.setdefault(campaign.short_name, campaign)
    for drive in PetitionDrive.objects.exclude(campaign_name="").filter(campaign__isnull=True).order_by("starts_on"):
        name = drive.campaign_name.strip()
        campaign = by_name.get(name)
        if campaign is None:
            campaign = Campaign.objects.create(
                slug=_slug(name, taken),
                name=name,
                short_name=name[:40],
                starts_on=drive.starts_on,
                lead_council_id=drive.organiser_id,
                description="署名の「運動」欄から作成（移行）",
            )
            by_name[name] = campaign
        drive.campaign = campaign
        drive.save(update_fields=["campaign"])
    actions = {(a.title, a.starts_on): a.pk for a in Action.objects.only("pk", "title", "starts_on")}
    if not actions:
        return
    for entry in TallyEntry.objects.exclude(source="").filter(action__isnull=True).only("pk", "source", "collected_on"):
        pk = actions.get((entry.source.strip(), entry.collected_on))
        if pk:
            TallyEntry.objects.filter(pk=entry.pk).update(action_id=pk)
    for submission in Submission.objects.exclude(event="").filter(action__isnull=True):
        pk = actions.get((submission.event.strip(), submission.submitted_on))
        if pk:
            Submission.objects.filter(pk=submission.pk).update(action_id=pk)


class Migration(migrations.Migration):
    dependencies = [("petitions", "0005_campaign_links")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
