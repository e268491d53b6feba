"""The request page says in one line what each kind produces; 基準日 starts as today in Asia/Tokyo; 作成の
履歴 offers a download exactly where the download answers (the same selector decides both)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from councils.models import Role
from reports import services
from reports.models import Audience
from shaho.core.report_kinds import all_kinds
from tests.councils.factories import staff_of

from . import factories


@pytest.fixture
def councils(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return factories.federation()


def test_every_kind_says_in_one_line_what_it_produces(client, councils):
    client.force_login(staff_of(councils["kanagawa"]))

    html = client.get(reverse("reports:new")).content.decode()

    for kind in all_kinds():
        assert kind.summary and "\n" not in str(kind.summary), kind.name
        item = re.search(
            rf'<li><a href="/reports/new/{kind.name}/">[^<]+</a><span class="kind-summary">([^<]+)</span>', html
        )
        assert item and str(kind.summary) in item[1], kind.name
    assert "（PDF・Excel（xlsx））" in html  # the tally table's two formats


def test_base_date_defaults_to_today_in_tokyo(client, councils, monkeypatch):
    # 2026-12-06 20:00 UTC is already the 7th in Tokyo.
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 12, 6, 20, 0, tzinfo=datetime.UTC))
    client.force_login(staff_of(councils["kanagawa"]))

    html = client.get(reverse("reports:new_kind", args=["tally_table"])).content.decode()

    assert re.search(r'<input type="date" name="date" value="2026-12-07"', html)
    # a link that fills the date in still wins (the tally table's 「PDFを作成」)
    html = client.get(reverse("reports:new_kind", args=["tally_table"]) + "?date=2020-08-31").content.decode()
    assert 'value="2020-08-31"' in html


def test_the_jobs_list_links_the_download_of_each_finished_job(client, councils):
    done = services.run_now(kind="council_directory", params={"prefecture": "14"})
    staff = staff_of(councils["kanagawa"])
    client.force_login(staff)

    html = client.get(reverse("reports:jobs")).content.decode()

    assert html.count('class="button download"') == 1
    assert reverse("reports:download", args=[done.token]) in html
    assert client.get(reverse("reports:download", args=[done.token])).status_code == 200


def test_the_downloads_page_offers_only_what_the_member_may_download(client, councils):
    job = services.run_now(kind="council_directory", params={"prefecture": "14"})
    member = staff_of(councils["yokohama"], role=Role.MEMBER)
    client.force_login(member)
    assert 'class="button download"' not in client.get(reverse("reports:downloads")).content.decode()

    services.publish_job(job=job, audience=Audience.COUNCIL, user=staff_of(councils["kanagawa"]))

    html = client.get(reverse("reports:downloads")).content.decode()
    assert html.count('class="button download"') == 1
    assert 'data-label="社保協"' in html  # the card's labels on a phone
