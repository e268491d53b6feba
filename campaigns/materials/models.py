"""Materials (パンフ・リーフ・ポスター・署名用紙・資料集), the orders councils place for them, and what is handed out.

A material belongs to its publisher council: a national one is everyone's to order, a prefectural one its
prefecture's, a local one its council's (the campaigns' rule). An order is one council's order of one
material: its lines say for whom (the council itself, a member organisation, a local council below it),
how many, and how far each has gone (注文 → 発送済 → 受領 → 精算済). The order keeps the unit price and the
tax rule of the day it was placed, so a later price does not change an invoice already printed. An order
is seen by the ordering council (and those above it) and by the publisher (and those above it).

A distribution (普及) is a count handed out by a council, optionally by one of its organisations.
Distributions are append-only, like the petitions' tally entries: a wrong count is corrected by a new row
pointing at it (`corrects`) with the signed difference and a reason, so every figure says who entered
it, when, and what it corrected. Order lines change in place; their history (django-simple-history, with
the change reason) keeps every earlier quantity and who changed it.

Code imports this module; campaigns/models.py gathers these models for Django only.
"""

from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from councils.models import Council, Organisation, shared_down
from shaho.core.models import Entered

# One line of more than this many copies is a typo, not an order.
MAX_QUANTITY = 10_000_000
TAX_RATE = Decimal("0.10")


class Tax(models.TextChoices):
    INCLUDED = "included", _("税込")
    EXCLUDED = "excluded", _("税別")


class Unit(models.TextChoices):
    BOOKLET = "冊", _("冊")
    SHEET = "枚", _("枚")
    COPY = "部", _("部")


def amount_of(quantity, unit_price, tax):
    """What `quantity` copies cost, tax included, in whole yen (fractions of a yen are dropped)."""
    amount = Decimal(quantity) * Decimal(unit_price)
    if tax == Tax.EXCLUDED:
        amount *= 1 + TAX_RATE
    return int(amount.quantize(Decimal(1), rounding=ROUND_DOWN))


def price_text(price):
    """A unit price as printed: 「50円」, 「1,200円」, 「1.6円」."""
    price = Decimal(price).normalize()
    return f"{int(price):,}円" if price == price.to_integral() else f"{price:f}円"


class Material(models.Model):
    """A pamphlet, leaflet, poster, sticker, petition form or compilation a council publishes for others to order."""

    class Kind(models.TextChoices):
        PAMPHLET = "pamphlet", _("パンフレット")
        LEAFLET = "leaflet", _("リーフレット")
        POSTER = "poster", _("ポスター")
        STICKER = "sticker", _("ステッカー")
        PETITION_FORM = "petition_form", _("署名用紙")
        COMPILATION = "compilation", _("資料集")

    slug = models.SlugField(_("識別名"), max_length=50, unique=True, help_text=_("差し込みとコマンドで使う半角英数字"))
    name = models.CharField(_("名称"), max_length=200, help_text=_("例: 新国保パンフ"))
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices, default=Kind.PAMPHLET)
    publisher = models.ForeignKey(
        Council, verbose_name=_("発行の社保協"), on_delete=models.PROTECT, related_name="published_materials"
    )
    unit_price = models.DecimalField(
        _("単価（円）"), max_digits=10, decimal_places=2, help_text=_("例: 50、署名用紙は 1.6")
    )
    tax = models.CharField(_("税"), max_length=10, choices=Tax.choices, default=Tax.INCLUDED)
    unit = models.CharField(_("単位"), max_length=2, choices=Unit.choices, default=Unit.BOOKLET)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("運動"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="materials",
    )
    petition_drive = models.ForeignKey(
        "petitions.PetitionDrive",
        verbose_name=_("署名"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="materials",
        help_text=_("署名用紙のとき、その署名"),
    )
    stock = models.PositiveIntegerField(
        _("在庫"), null=True, blank=True, help_text=_("発行元が在庫を持つときの数。持たないときは空欄")
    )
    published_on = models.DateField(_("発行日"), null=True, blank=True)
    note = models.TextField(_("備考"), blank=True, help_text=_("例: 送料は発送業者へ支払い"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("資料")
        verbose_name_plural = _("資料")
        ordering = ["publisher__sort_key", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="material_price_not_negative"),
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(stock__lte=MAX_QUANTITY), name="material_stock_bound"
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def scope_filter(cls, councils):
        return shared_down(councils, "publisher")

    @property
    def price_label(self):
        """「1冊50円（税込）」, 「1枚1.6円（税込）」."""
        return f"1{self.unit}{price_text(self.unit_price)}（{self.get_tax_display()}）"


class Order(Entered):
    """One council's order of one material, in lines per recipient; numbered for its delivery note and invoice."""

    material = models.ForeignKey(Material, verbose_name=_("資料"), on_delete=models.PROTECT, related_name="orders")
    council = models.ForeignKey(
        Council, verbose_name=_("注文した社保協"), on_delete=models.PROTECT, related_name="orders"
    )
    ordered_on = models.DateField(_("注文日"))
    unit_price = models.DecimalField(
        _("単価（円）"), max_digits=10, decimal_places=2, help_text=_("注文した日の単価（資料の単価から）")
    )
    tax = models.CharField(_("税"), max_length=10, choices=Tax.choices, default=Tax.INCLUDED)
    note = models.TextField(_("備考"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("資料の注文")
        verbose_name_plural = _("資料の注文")
        ordering = ["-ordered_on", "-pk"]
        indexes = [models.Index(fields=["material", "council"], name="order_material_council")]
        constraints = [models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_price_not_negative")]

    def __str__(self):
        return f"{self.number} {self.material} {self.council}"

    @classmethod
    def scope_filter(cls, councils):
        # The ordering council's staff and those above; the publisher's staff and those above.
        return Q(council__in=councils) | Q(material__publisher__in=councils)

    @property
    def number(self):
        """The number a delivery note and an invoice print: 「2023-00012」 (the year ordered, the order's key)."""
        return f"{self.ordered_on.year}-{self.pk or 0:05d}"


class OrderLine(Entered):
    """A recipient's line of an order (「保険医協会 200冊」) and how far it has gone: 注文→発送済→受領→精算済."""

    class State(models.TextChoices):
        ORDERED = "ordered", _("注文")
        SHIPPED = "shipped", _("発送済")
        RECEIVED = "received", _("受領")
        SETTLED = "settled", _("精算済")

    order = models.ForeignKey(Order, verbose_name=_("注文"), on_delete=models.CASCADE, related_name="lines")
    recipient_council = models.ForeignKey(
        Council,
        verbose_name=_("宛先の社保協"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="material_lines",
        help_text=_("注文した社保協自身か、その下の地域社保協"),
    )
    recipient_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("宛先の団体"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="material_lines",
        help_text=_("加盟団体の分を注文するとき"),
    )
    quantity = models.PositiveIntegerField(_("数量"))
    ordered_on = models.DateField(_("注文日"))
    state = models.CharField(_("状態"), max_length=10, choices=State.choices, default=State.ORDERED)
    shipped_on = models.DateField(_("発送日"), null=True, blank=True)
    received_on = models.DateField(_("受領日"), null=True, blank=True)
    settled_on = models.DateField(_("精算日"), null=True, blank=True)
    note = models.CharField(_("備考"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("注文の明細")
        verbose_name_plural = _("注文の明細")
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["order", "state"], name="order_line_order_state")]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient_council__isnull=True, recipient_organisation__isnull=False)
                | Q(recipient_council__isnull=False, recipient_organisation__isnull=True),
                name="order_line_one_recipient",
            ),
            models.CheckConstraint(condition=Q(quantity__lte=MAX_QUANTITY), name="order_line_quantity_bound"),
        ]

    def __str__(self):
        return f"{self.recipient_label} {self.quantity:,}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(order__in=Order.objects.filter(Order.scope_filter(councils)))

    @property
    def recipient_label(self):
        recipient = self.recipient_organisation or self.recipient_council
        if recipient is None:
            return ""
        return recipient.short_name or recipient.name

    @property
    def amount(self):
        return amount_of(self.quantity, self.order.unit_price, self.order.tax)


class Distribution(Entered):
    """A count of a material handed out (普及): by a council, optionally by one of its organisations, on a date.

    Append-only: a correction is a new row pointing at the row it corrects (`corrects`), carrying the signed
    difference in `quantity` and a reason; the corrected figure is the sum.
    """

    material = models.ForeignKey(
        Material, verbose_name=_("資料"), on_delete=models.PROTECT, related_name="distributions"
    )
    council = models.ForeignKey(
        Council, verbose_name=_("普及した社保協"), on_delete=models.PROTECT, related_name="distributions"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("普及した団体"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="distributions",
    )
    quantity = models.IntegerField(_("普及数"), help_text=_("訂正のときは差（マイナスもあり）"))
    distributed_on = models.DateField(_("普及日"))
    note = models.CharField(_("備考"), max_length=300, blank=True, help_text=_("例: 国保学習会で"))
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("訂正する記録"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    correction_reason = models.CharField(_("訂正の理由"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("普及の記録")
        verbose_name_plural = _("普及の記録")
        ordering = ["-distributed_on", "-pk"]
        indexes = [models.Index(fields=["material", "council"], name="distribution_material_council")]
        constraints = [
            models.CheckConstraint(
                condition=Q(corrects__isnull=False) | Q(quantity__gte=0), name="distribution_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | ~Q(correction_reason=""), name="distribution_correction_reason"
            ),
            models.CheckConstraint(
                condition=Q(quantity__lte=MAX_QUANTITY) & Q(quantity__gte=-MAX_QUANTITY),
                name="distribution_quantity_bound",
            ),
        ]

    def __str__(self):
        who = self.organisation or self.council
        return f"{self.material} {who} {self.quantity:,}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(council__in=councils)

    def clean(self):
        if self.corrects_id and not self.correction_reason.strip():
            raise ValidationError({"correction_reason": "「訂正の理由」を入力してください。"})
