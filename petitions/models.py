"""Petition drives, their goals and rounds, the append-only tally ledger and submissions.

The ledger (TallyEntry) is money-like: rows are only ever added. A mistake is
fixed by a *correction*: a new entry that points at the entry it corrects
(`corrects`), carries the signed difference (`count` = corrected value − current
value) and a reason. So every total is one SUM over the ledger, and the
corrected value of an entry is its count plus the counts of its corrections.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from councils.models import Council, Organisation, shared_down
from shaho.core.japanese import format_datetime

# One report of more than this is a typo, not a street action.
MAX_ENTRY_COUNT = 10_000_000


class SignatureKind(models.TextChoices):
    INDIVIDUAL = "individual", _("個人署名（筆）")
    ORGANISATIONAL = "organisational", _("団体署名（団体）")
    WEB = "web", _("WEB署名（筆）")


class PetitionDrive(models.Model):
    """A 署名: what is asked, of whom, by whom, from when to when, and how far we are."""

    class Kind(models.TextChoices):
        NATIONAL_ASSEMBLY = "national_assembly", _("国会請願署名")
        MINISTRY = "ministry", _("省庁宛て署名")
        LOCAL = "local", _("自治体・地方議会宛て署名")
        ORGANISATIONAL = "organisational", _("団体署名")
        WEB = "web", _("WEB署名")

    class Status(models.TextChoices):
        DRAFT = "draft", _("準備中")
        OPEN = "open", _("集約中")
        CLOSED = "closed", _("終了")

    title = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("略称"), max_length=40, help_text=_("例: 25条署名"))
    slug = models.SlugField(_("識別名"), max_length=50, unique=True, help_text=_("URL とコマンドで使う半角英数字"))
    kind = models.CharField(_("種類"), max_length=30, choices=Kind.choices, default=Kind.NATIONAL_ASSEMBLY)
    addressee = models.CharField(_("宛先"), max_length=200, blank=True, help_text=_("例: 衆議院議長・参議院議長"))
    organiser = models.ForeignKey(
        Council,
        verbose_name=_("取り組む社保協"),
        on_delete=models.PROTECT,
        related_name="petition_drives",
        help_text=_("中央社保協の署名は全国で、都道府県・地域の署名はその範囲で集約します"),
    )
    cosponsors = models.ManyToManyField(
        Organisation, verbose_name=_("連名団体"), blank=True, related_name="cosponsored_petitions"
    )
    cosponsor_names = models.CharField(
        _("連名（表記）"), max_length=200, blank=True, help_text=_("用紙に印刷される連名。例: 全労連・医団連・社保協")
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("運動（キャンペーン）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petition_drives",
    )
    # The text typed before the campaigns app existed, kept as it was (the link above was made from it).
    campaign_name = models.CharField(_("運動（表記）"), max_length=100, blank=True)
    starts_on = models.DateField(_("開始日"))
    ends_on = models.DateField(_("終了日"))
    form_price = models.DecimalField(
        _("用紙代（1枚・円）"), max_digits=7, decimal_places=2, null=True, blank=True, help_text=_("例: 1.6")
    )
    status = models.CharField(_("状態"), max_length=20, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(_("備考"), blank=True)

    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("署名")
        verbose_name_plural = _("署名")
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="petition_period_order"),
        ]

    def __str__(self):
        return self.short_name or self.title

    @classmethod
    def scope_filter(cls, councils):
        # A national drive is everyone's; a prefectural one belongs to its prefecture; a local one to its council.
        return shared_down(councils, "organiser")

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("終了日は開始日より前にできません。")})

    def is_open_on(self, date):
        return self.status == self.Status.OPEN and self.starts_on <= date <= self.ends_on

    @property
    def is_open(self):
        return self.is_open_on(timezone.localdate())

    @property
    def unit(self):
        """What the goal and the totals count: 団体 for an organisational drive, 筆 otherwise."""
        return "団体" if self.kind == self.Kind.ORGANISATIONAL else "筆"

    @property
    def counted_kinds(self):
        """Signature kinds summed into the totals; the other kind is shown in its own column."""
        if self.kind == self.Kind.ORGANISATIONAL:
            return [SignatureKind.ORGANISATIONAL]
        return [SignatureKind.INDIVIDUAL, SignatureKind.WEB]

    @property
    def other_kinds(self):
        return [k for k in SignatureKind.values if k not in self.counted_kinds]

    @property
    def other_label(self):
        return "個人署名（筆）" if self.kind == self.Kind.ORGANISATIONAL else "団体署名"


class PetitionItem(models.Model):
    """A numbered 請願項目 (【１】【２】)."""

    petition = models.ForeignKey(PetitionDrive, verbose_name=_("署名"), on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("番号"))
    text = models.TextField(_("請願項目"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("請願項目")
        verbose_name_plural = _("請願項目")
        ordering = ["petition", "number"]
        constraints = [models.UniqueConstraint(fields=["petition", "number"], name="petition_item_number_once")]

    def __str__(self):
        return f"【{self.number}】{self.text[:30]}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(petition__in=PetitionDrive.objects.filter(PetitionDrive.scope_filter(councils)))


class CollectionRound(models.Model):
    """A 集約 round: entries collected up to its deadline (and after the previous one) belong to it."""

    petition = models.ForeignKey(PetitionDrive, verbose_name=_("署名"), on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("回次"))
    name = models.CharField(_("名称"), max_length=40, help_text=_("例: 第2次集約、最終集約"))
    deadline = models.DateField(_("締切日"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("集約回")
        verbose_name_plural = _("集約回")
        ordering = ["petition", "number"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "number"], name="collection_round_number_once"),
            models.UniqueConstraint(fields=["petition", "deadline"], name="collection_round_deadline_once"),
        ]

    def __str__(self):
        return f"{self.name}（{self.deadline.month}月{self.deadline.day}日締切）"

    @classmethod
    def scope_filter(cls, councils):
        return Q(petition__in=PetitionDrive.objects.filter(PetitionDrive.scope_filter(councils)))


class PetitionGoal(models.Model):
    """A council's 目標. The national council's goal is the national goal; a prefecture's may be split below it."""

    petition = models.ForeignKey(PetitionDrive, verbose_name=_("署名"), on_delete=models.CASCADE, related_name="goals")
    council = models.ForeignKey(
        Council, verbose_name=_("社保協"), on_delete=models.PROTECT, related_name="petition_goals"
    )
    goal = models.PositiveIntegerField(_("目標"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("目標")
        verbose_name_plural = _("目標")
        ordering = ["petition", "council__sort_key"]
        constraints = [models.UniqueConstraint(fields=["petition", "council"], name="one_goal_per_petition_council")]

    def __str__(self):
        return f"{self.petition} {self.council}: {self.goal:,}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(council__in=councils)


class ImportBatch(models.Model):
    """One uploaded tally file: its entries point back to it, so a file is traceable and never imported twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("処理待ち")
        DONE = "done", _("取込済")
        FAILED = "failed", _("失敗")

    petition = models.ForeignKey(
        PetitionDrive, verbose_name=_("署名"), on_delete=models.PROTECT, related_name="import_batches"
    )
    file_name = models.CharField(_("ファイル名"), max_length=255)
    sha256 = models.CharField(_("チェックサム（SHA-256）"), max_length=64, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("取込者"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("取込日時"), default=timezone.now)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    status = models.CharField(_("状態"), max_length=20, choices=Status.choices, default=Status.PENDING)
    note = models.TextField(_("備考"), blank=True)

    class Meta:
        verbose_name = _("取込ファイル")
        verbose_name_plural = _("取込ファイル")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name}（{format_datetime(self.created_at)}）"  # Asia/Tokyo, not UTC

    @classmethod
    def scope_filter(cls, councils):
        return Q(created_by__council__in=councils)


class TallyEntry(models.Model):
    """One report of collected signatures, or a correction of one. Append-only: never updated or deleted.

    A correction (`corrects` set) copies the petition, council, kind, date and round of the
    entry it corrects and carries the signed difference in `count`, with a reason.
    """

    petition = models.ForeignKey(
        PetitionDrive, verbose_name=_("署名"), on_delete=models.PROTECT, related_name="tally_entries"
    )
    council = models.ForeignKey(
        Council, verbose_name=_("社保協"), on_delete=models.PROTECT, related_name="tally_entries"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("集めた団体"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tally_entries",
    )
    kind = models.CharField(
        _("署名の種類"), max_length=20, choices=SignatureKind.choices, default=SignatureKind.INDIVIDUAL
    )
    count = models.IntegerField(_("数"), help_text=_("筆数（団体署名は団体数）。訂正では差分（負もあり）"))
    collected_on = models.DateField(_("集めた日"))
    round = models.ForeignKey(
        CollectionRound,
        verbose_name=_("集約回"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tally_entries",
    )
    # The place as typed; an entry made at a recorded action also points at it (counted once: it *is* the tally).
    source = models.CharField(_("集めた場所・行動"), max_length=200, blank=True, help_text=_("例: 桜木町駅前宣伝"))
    action = models.ForeignKey(
        "campaigns.Action",
        verbose_name=_("行動"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tally_entries",
    )
    note = models.CharField(_("備考"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("入力者"), on_delete=models.PROTECT, related_name="tally_entries"
    )
    entered_at = models.DateTimeField(_("入力日時"), default=timezone.now)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("訂正する記録"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    correction_reason = models.CharField(_("訂正の理由"), max_length=300, blank=True)
    # One per rendered form: a re-tap or a resent POST finds the entry it already made.
    submission_token = models.UUIDField(_("送信トークン"), null=True, blank=True, unique=True, editable=False)
    import_batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("取込ファイル"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )

    class Meta:
        verbose_name = _("集約記録")
        verbose_name_plural = _("集約記録")
        ordering = ["-entered_at", "-pk"]
        indexes = [
            models.Index(fields=["petition", "council"], name="tally_petition_council"),
            # Holds every column the tally table's GROUP BY reads: an index-only scan on PostgreSQL.
            models.Index(
                fields=["petition", "collected_on", "council", "round", "kind", "count"],
                name="tally_petition_collected",
            ),
            # The ledger's default order (the admin list, newest first): 50 rows read from the end of
            # the index instead of a scan and sort of the whole ledger.
            models.Index(fields=["-entered_at", "-id"], name="tally_entered_at"),
            # The date bar's first and last date (the admin's date hierarchy) without reading the ledger.
            models.Index(fields=["collected_on"], name="tally_collected_on"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(count__lte=MAX_ENTRY_COUNT) & Q(count__gte=-MAX_ENTRY_COUNT), name="tally_count_bounds"
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=False) | Q(count__gte=0), name="tally_count_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | ~Q(correction_reason=""), name="tally_correction_has_reason"
            ),
        ]

    def __str__(self):
        if self.corrects_id:
            return f"訂正 {self.petition} {self.council} {self.count:+,}"
        return f"{self.petition} {self.council} {self.count:,}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(council__in=councils)

    @property
    def is_correction(self):
        return self.corrects_id is not None

    @property
    def unit(self):
        return "団体" if self.kind == SignatureKind.ORGANISATIONAL else "筆"


class Submission(models.Model):
    """A 提出: signatures a council handed in, when, to whom, at which event."""

    petition = models.ForeignKey(
        PetitionDrive, verbose_name=_("署名"), on_delete=models.PROTECT, related_name="submissions"
    )
    council = models.ForeignKey(
        Council, verbose_name=_("提出した社保協"), on_delete=models.PROTECT, related_name="submissions"
    )
    submitted_on = models.DateField(_("提出日"))
    submitted_to = models.CharField(_("提出先"), max_length=200, help_text=_("例: 厚生労働大臣、衆議院議長"))
    count = models.PositiveIntegerField(_("提出数"))
    event = models.CharField(
        _("行動（表記）"), max_length=200, blank=True, help_text=_("例: 12月4日 署名提出行動・院内集会")
    )
    action = models.ForeignKey(
        "campaigns.Action",
        verbose_name=_("提出行動"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
    )
    note = models.CharField(_("備考"), max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("入力者"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("入力日時"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("提出")
        verbose_name_plural = _("提出")
        ordering = ["-submitted_on", "council__sort_key"]
        indexes = [models.Index(fields=["petition", "submitted_on"], name="submission_petition_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(count__gt=0) & Q(count__lte=MAX_ENTRY_COUNT), name="submission_count_bounds"
            )
        ]

    def __str__(self):
        return f"{self.petition} {self.council} {self.submitted_on:%Y-%m-%d} {self.count:,}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(council__in=councils)


class TallyDaily(models.Model):
    """The ledger summed per drive, signature kind, day and prefecture: the dashboard's lines read it.

    Kept by database triggers on TallyEntry (migration 0009), in the transaction that writes the
    entries, whatever writes them (the services, the importer's COPY, bulk_create, SQL by hand): it is
    never behind the ledger. `prefecture_key` is the entry's council's prefecture (0 for the national
    council, which has none): an integer, not a foreign key, so that the unique key the triggers upsert on
    holds no NULL. `manage.py tally_summary --check` compares it with the ledger; `--rebuild` recomputes it.
    """

    petition = models.ForeignKey(PetitionDrive, verbose_name=_("署名"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("署名の種類"), max_length=20, choices=SignatureKind.choices)
    collected_on = models.DateField(_("集めた日"))
    prefecture_key = models.IntegerField(_("都道府県（ID、中央は0）"))
    total = models.BigIntegerField(_("合計"))
    entries = models.IntegerField(_("記録の数"))

    class Meta:
        verbose_name = _("日別集計（集約記録の要約）")
        verbose_name_plural = _("日別集計（集約記録の要約）")
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "kind", "collected_on", "prefecture_key"], name="tally_daily_once"
            ),
        ]

    def __str__(self):
        return f"{self.petition_id} {self.kind} {self.collected_on} {self.prefecture_key}: {self.total:,}"


class TallyNationalDaily(models.Model):
    """The ledger summed per drive, signature kind and day for all Japan: the national lines read it.

    TallyDaily summed over the prefectures, kept by the same triggers in the same transaction (see
    TallyDaily): a few thousand rows for the national dashboard's lines instead of the prefectures' 150,000.
    """

    petition = models.ForeignKey(PetitionDrive, verbose_name=_("署名"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("署名の種類"), max_length=20, choices=SignatureKind.choices)
    collected_on = models.DateField(_("集めた日"))
    total = models.BigIntegerField(_("合計"))
    entries = models.IntegerField(_("記録の数"))

    class Meta:
        verbose_name = _("全国の日別集計（集約記録の要約）")
        verbose_name_plural = _("全国の日別集計（集約記録の要約）")
        constraints = [
            models.UniqueConstraint(fields=["petition", "kind", "collected_on"], name="tally_national_daily_once"),
        ]

    def __str__(self):
        return f"{self.petition_id} {self.kind} {self.collected_on}: {self.total:,}"


class TallyCouncilTotal(models.Model):
    """The ledger summed per drive, council and signature kind: the dashboard's rankings read it.

    Kept by the same triggers as TallyDaily (see there), in the same transaction as the entries.
    """

    petition = models.ForeignKey(PetitionDrive, verbose_name=_("署名"), on_delete=models.CASCADE, related_name="+")
    council = models.ForeignKey(Council, verbose_name=_("社保協"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("署名の種類"), max_length=20, choices=SignatureKind.choices)
    total = models.BigIntegerField(_("合計"))
    entries = models.IntegerField(_("記録の数"))

    class Meta:
        verbose_name = _("社保協別集計（集約記録の要約）")
        verbose_name_plural = _("社保協別集計（集約記録の要約）")
        constraints = [
            models.UniqueConstraint(fields=["petition", "council", "kind"], name="tally_council_total_once"),
        ]

    def __str__(self):
        return f"{self.petition_id} {self.council_id} {self.kind}: {self.total:,}"
