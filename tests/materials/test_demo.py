"""Done when (issue 19, materials): the Kanagawa pamphlet orders of seed 001 print 「1,000冊」 and the five
organisations' figures from data in the prefecture report; the demo carries the petition forms at 1.6 yen a
sheet and Osaka's 2,600 copies of its 資料集 (seed 000), and seeding again adds nothing.

The demo is loaded once for the module (the `demo` fixture, tests/demo_snapshot.py); each test's changes are
rolled back after it.
"""

import io
import tempfile
from decimal import Decimal

import pytest
from django.test.utils import override_settings
from pypdf import PdfReader

from campaigns.materials import selectors, services
from campaigns.materials.models import Distribution, Material, Order, OrderLine
from councils.models import User
from demo import materials as demo_materials
from reports.models import ReportJob
from reports.services import run_now

pytestmark = pytest.mark.django_db
TWO_MONTHS = {"prefecture": "14", "start": "2023-11-01", "end": "2023-12-31"}


def _report_text(user):
    ReportJob.objects.filter(kind="prefecture_report").delete()
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        job = run_now(kind="prefecture_report", params=TWO_MONTHS, user=user)
        assert job.status == "done", job.error
        with job.file.open("rb") as f:
            reader = PdfReader(io.BytesIO(f.read()))
            return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def test_the_kanagawa_report_prints_the_seeds_pamphlet_figures_from_data(demo):
    text = _report_text(User.objects.get(username="kanagawa"))
    assert "中央社保協「新国保パンフ」の普及" in text
    assert "新国保パンフ（1冊50円（税込））は、1,000冊注文、700冊を超えて普及。" in text
    assert (
        "団体別では、保険医協会200冊、川崎社保協200冊、平塚地域社保協20冊、茅ヶ崎社保協160冊、建設労連100冊。" in text
    )
    # At the seed's place: under 国保, after the talks, before the signatures handed in.
    assert text.index("自治体キャラバン・懇談") < text.index("パンフ・資料の普及") < text.index("署名の提出")


def test_the_figures_follow_the_data(demo):
    """Correcting a count corrects the next report: the figures are read, not typed."""
    kanagawa_user = User.objects.get(username="kanagawa")
    first = Distribution.objects.get(material__slug="kokuho-pamphlet", note="全県国保改善交流集会で")
    services.distribution_correct(user=kanagawa_user, distribution=first, corrected=400, reason="数え漏れ")
    text = _report_text(kanagawa_user)
    assert "1,000冊注文、800冊を超えて普及。" in text


def test_the_petition_forms_and_osakas_compilation(demo):
    forms = Material.objects.get(slug="inochi-forms")
    assert (forms.unit_price, forms.unit, forms.petition_drive.short_name) == (Decimal("1.6"), "枚", "いのち署名")
    assert forms.price_label == "1枚1.6円（税込）" and "送料は発送業者へ支払い" in forms.note
    compilation = Material.objects.get(slug="osaka-caravan-2019")
    [(_m, totals)] = selectors.material_totals(user=None, materials=[compilation])
    assert compilation.publisher.prefecture.code == "27" and totals.distributed == 2600


def test_seeding_again_adds_nothing(demo):
    counts = (Material.objects.count(), Order.objects.count(), OrderLine.objects.count(), Distribution.objects.count())
    demo_materials.seed(stdout=io.StringIO())
    assert counts == (
        Material.objects.count(),
        Order.objects.count(),
        OrderLine.objects.count(),
        Distribution.objects.count(),
    )
