"""The petitions' free-text fields become links: the data migration links (or makes) a campaign and keeps the text."""

import importlib

import pytest
from django.apps import apps

from campaigns.models import Campaign
from tests.campaigns.factories import D, action
from tests.petitions.factories import PetitionDriveFactory, record

pytestmark = pytest.mark.django_db
migration = importlib.import_module("petitions.migrations.0006_campaign_links_from_text")


def test_every_typed_text_is_kept_and_linked(kanagawa_staff, kanagawa, national):
    existing = Campaign.objects.create(
        slug="kokuho", name="国保改善大運動", starts_on=D(2023, 4, 1), lead_council=national
    )
    named = PetitionDriveFactory(campaign_name="国保改善大運動")
    new = PetitionDriveFactory(campaign_name="25条共同行動", organiser=kanagawa)
    street = action(kanagawa_staff, kanagawa, title="桜木町駅前宣伝", starts_on=D(2024, 1, 10))
    entry = record(kanagawa_staff, named, kanagawa, 42, source="桜木町駅前宣伝")
    other = record(kanagawa_staff, named, kanagawa, 5, source="どこか")

    migration.forward(apps, None)

    named.refresh_from_db()
    new.refresh_from_db()
    entry.refresh_from_db()
    other.refresh_from_db()
    assert named.campaign == existing and named.campaign_name == "国保改善大運動"
    assert new.campaign.name == "25条共同行動" and new.campaign.lead_council == kanagawa
    assert new.campaign_name == "25条共同行動"
    assert entry.action == street and entry.source == "桜木町駅前宣伝"
    assert other.action is None and other.source == "どこか"
    migration.forward(apps, None)  # again: nothing more made
    assert Campaign.objects.count() == 2
