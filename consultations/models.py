"""Call-in consultation days: days, stations, responders, call records, the free-text read log, purges.

The most sensitive rows of the system. There is no field for a caller's name, address or phone
number; which fields of a call are personal and which statistical is written once, in
`consultations.privacy`, and every page, export, admin list, report and search reads it from there.
Call records have no history table on purpose: an old version of a summary would outlive its purge.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from shaho.core.roles import Role

MAX_DURATION_MINUTES = 8 * 60


class ConsultationKind(models.TextChoices):
    CALL_IN_DAY = "call_in_day", _("介護・認知症なんでも無料電話相談")
    LIVING = "living", _("生活相談")
    STREET = "street", _("街頭相談会")
    PENSION = "pension", _("年金相談")
    OTHER = "other", _("その他の相談")


class ConsultationDay(models.Model):
    """A day (or session) of consultations: the national call-in day, or an ongoing kind run by one council."""

    kind = models.CharField(_("種類"), max_length=20, choices=ConsultationKind.choices, db_index=True)
    title = models.CharField(_("名称"), max_length=200)
    date = models.DateField(_("実施日"), db_index=True)
    starts_at = models.TimeField(_("開始時刻"))
    ends_at = models.TimeField(_("終了時刻"))
    theme = models.CharField(_("テーマ"), max_length=200, blank=True)
    council = models.ForeignKey(
        "councils.Council",
        verbose_name=_("主催（全国の日は中央社保協）"),
        on_delete=models.PROTECT,
        related_name="consultation_days",
    )
    co_organisers = models.TextField(_("共催団体"), blank=True, help_text=_("例: 認知症の人と家族の会"))
    press_notices = models.TextField(_("マスコミへの告知"), blank=True)
    coverage = models.TextField(_("報道"), blank=True, help_text=_("例: NHK 12時 Web ニュース、15時 全国ニュース"))
    published = models.BooleanField(
        _("件数を公開する"), default=False, help_text=_("公開すると、記者発表用のページに件数（だけ）が出ます")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("相談日")
        verbose_name_plural = _("相談日")
        ordering = ["-date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="day_ends_after_start")
        ]

    def __str__(self):
        return f"{self.title}（{self.date:%Y年}{self.date.month}月{self.date.day}日）"

    @classmethod
    def scope_filter(cls, councils):
        # The organiser's staff, and the staff of every council with a station on the day.
        return Q(council__in=councils) | Q(pk__in=Station.objects.filter(council__in=councils).values("day"))

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "終了時刻は開始時刻より後にしてください。"})


class Station(models.Model):
    """One participating council's station on a day: its lines, publicity and coverage."""

    day = models.ForeignKey(
        ConsultationDay, verbose_name=_("相談日"), on_delete=models.CASCADE, related_name="stations"
    )
    council = models.ForeignKey(
        "councils.Council", verbose_name=_("社保協"), on_delete=models.PROTECT, related_name="consultation_stations"
    )
    line_count = models.PositiveSmallIntegerField(
        _("回線数"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    line_numbers = models.CharField(_("相談電話の番号"), max_length=200, blank=True, help_text=_("告知した番号"))
    publicity = models.TextField(_("宣伝・告知"), blank=True)
    coverage = models.TextField(_("報道"), blank=True)
    note = models.TextField(_("備考"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("相談の会場（局）")
        verbose_name_plural = _("相談の会場（局）")
        ordering = ["day", "council__sort_key"]
        constraints = [models.UniqueConstraint(fields=["day", "council"], name="one_station_per_council_and_day")]

    def __str__(self):
        return f"{self.council} {self.day.date:%Y年}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(council__in=councils)


class Profession(models.TextChoices):
    CARE_MANAGER = "care_manager", _("ケアマネジャー")
    SOCIAL_WORKER = "social_worker", _("ソーシャルワーカー")
    NURSE = "nurse", _("看護師")
    DOCTOR = "doctor", _("医師")
    LAWYER = "lawyer", _("弁護士")
    CARE_WORKER = "care_worker", _("介護職員")
    STAFF = "staff", _("社保協の役員・事務局")
    OTHER = "other", _("その他")


class Responder(models.Model):
    """A person answering calls at a station (their own account): they, and the coordinators, read its free text."""

    station = models.ForeignKey(Station, verbose_name=_("会場"), on_delete=models.CASCADE, related_name="responders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("アカウント"), on_delete=models.PROTECT, related_name="responder_roles"
    )
    profession = models.CharField(_("職種"), max_length=20, choices=Profession.choices)
    organisation = models.ForeignKey(
        "councils.Organisation",
        verbose_name=_("所属団体"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("相談員")
        verbose_name_plural = _("相談員")
        ordering = ["station", "pk"]
        constraints = [models.UniqueConstraint(fields=["station", "user"], name="one_responder_per_station_and_user")]

    def __str__(self):
        return f"{self.user}（{self.get_profession_display()}）"

    @classmethod
    def scope_filter(cls, councils):
        return Q(station__council__in=councils)


class Category(models.Model):
    """The list of call categories the national coordinators keep (national reference data)."""

    name = models.CharField(_("分類"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("並び順"), default=0)
    active = models.BooleanField(_("使用中"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("相談の分類")
        verbose_name_plural = _("相談の分類")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class CallerType(models.TextChoices):
    SELF = "self", _("本人")
    FAMILY = "family", _("家族")
    CARE_WORKER = "care_worker", _("介護・医療の職員")
    OTHER = "other", _("その他")


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("配偶者")
    CHILD = "child", _("子")
    CHILD_IN_LAW = "child_in_law", _("子の配偶者")
    SIBLING = "sibling", _("きょうだい")
    GRANDCHILD = "grandchild", _("孫")
    PARENT = "parent", _("親")
    OTHER = "other", _("その他の親族")


class AgeBand(models.TextChoices):
    UNDER_65 = "under_65", _("65歳未満")
    AGE_65 = "65_74", _("65〜74歳")
    AGE_75 = "75_84", _("75〜84歳")
    AGE_85 = "85_plus", _("85歳以上")
    UNKNOWN = "unknown", _("不明")


class Sex(models.TextChoices):
    FEMALE = "female", _("女性")
    MALE = "male", _("男性")
    OTHER = "other", _("その他")
    UNKNOWN = "unknown", _("不明")


class CareLevel(models.TextChoices):
    SUPPORT_1 = "support_1", _("要支援1")
    SUPPORT_2 = "support_2", _("要支援2")
    CARE_1 = "care_1", _("要介護1")
    CARE_2 = "care_2", _("要介護2")
    CARE_3 = "care_3", _("要介護3")
    CARE_4 = "care_4", _("要介護4")
    CARE_5 = "care_5", _("要介護5")
    NOT_APPLIED = "not_applied", _("未申請")
    UNKNOWN = "unknown", _("不明")


class CallRecord(models.Model):
    """One call. Personal fields (summary, advice, referral) per consultations.privacy; the rest is statistical."""

    station = models.ForeignKey(Station, verbose_name=_("会場"), on_delete=models.PROTECT, related_name="calls")
    line = models.PositiveSmallIntegerField(_("回線"), default=1, validators=[MinValueValidator(1)])
    responder = models.ForeignKey(Responder, verbose_name=_("相談員"), on_delete=models.PROTECT, related_name="calls")
    started_at = models.DateTimeField(_("開始時刻"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("相談時間（分）"), validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_MINUTES)]
    )
    caller_type = models.CharField(_("相談者"), max_length=20, choices=CallerType.choices)
    caller_relation = models.CharField(_("続柄"), max_length=20, choices=Relation.choices, blank=True)
    age_band = models.CharField(_("対象者の年代"), max_length=10, choices=AgeBand.choices, default=AgeBand.UNKNOWN)
    sex = models.CharField(_("対象者の性別"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    care_level = models.CharField(
        _("要介護度"), max_length=20, choices=CareLevel.choices, default=CareLevel.UNKNOWN, db_index=True
    )
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        verbose_name=_("地域（市区町村）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    categories = models.ManyToManyField(Category, verbose_name=_("分類"), related_name="calls", blank=True)
    summary = models.TextField(_("相談内容"), blank=True)
    advice = models.TextField(_("助言"), blank=True)
    referral = models.TextField(_("紹介先"), blank=True)
    follow_up = models.BooleanField(_("要フォロー"), default=False)
    text_purged_at = models.DateTimeField(_("自由記述の消去日時"), null=True, blank=True, editable=False)
    submission_token = models.UUIDField(_("送信トークン"), default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("記録した人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("記録日時"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最後に直した人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("最後に直した日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("相談記録")
        verbose_name_plural = _("相談記録")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["station", "started_at"], name="call_station_started")]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1) & Q(duration_minutes__lte=MAX_DURATION_MINUTES),
                name="call_duration_in_range",
            ),
            # A purged call holds no free text: the purge cannot be undone by writing it back.
            models.CheckConstraint(
                condition=Q(text_purged_at__isnull=True) | (Q(summary="") & Q(advice="") & Q(referral="")),
                name="purged_call_has_no_free_text",
            ),
        ]

    def __str__(self):
        return f"相談記録 #{self.pk}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(station__council__in=councils)


class Coordinator(models.Model):
    """A national coordinator of the consultations, appointed by national staff (an account of the national council).

    Coordinators read every station's free text, see the read log and set the retention period.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("アカウント"), on_delete=models.CASCADE, related_name="coordinator"
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指名した人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    appointed_at = models.DateTimeField(_("指名日時"), auto_now_add=True)
    note = models.CharField(_("備考"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("電話相談の全国コーディネーター")
        verbose_name_plural = _("電話相談の全国コーディネーター")

    def __str__(self):
        return str(self.user)

    def clean(self):
        if self.user_id and getattr(self.user, "role", None) != Role.NATIONAL_STAFF:
            raise ValidationError({"user": "全国コーディネーターには中央事務局のアカウントを指名してください。"})


class FreeTextRead(models.Model):
    """One read of a call's free text: who, when, which call, on which page. Never the text itself."""

    call = models.ForeignKey(CallRecord, verbose_name=_("相談記録"), on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("読んだ人"), on_delete=models.PROTECT, related_name="+"
    )
    read_at = models.DateTimeField(_("日時"), db_index=True)
    purpose = models.CharField(_("画面"), max_length=20)

    class Meta:
        verbose_name = _("自由記述の閲覧記録")
        verbose_name_plural = _("自由記述の閲覧記録")
        ordering = ["-read_at", "-pk"]

    def __str__(self):
        return f"{self.user} #{self.call_id} {self.read_at:%Y-%m-%d %H:%M}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(call__station__council__in=councils)


class RetentionSetting(models.Model):
    """The retention period of free text, as the coordinator set it: the latest row is in force."""

    years = models.PositiveSmallIntegerField(_("保存年数"), validators=[MinValueValidator(1), MaxValueValidator(30)])
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("設定した人"), on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(_("設定日時"))

    class Meta:
        verbose_name = _("自由記述の保存期間")
        verbose_name_plural = _("自由記述の保存期間")
        ordering = ["-set_at", "-pk"]

    def __str__(self):
        return f"{self.years}年"


class PurgeRun(models.Model):
    """One run of the free-text purge: when, up to which call time, how many calls lost their text."""

    ran_at = models.DateTimeField(_("実行日時"))
    cutoff = models.DateTimeField(_("この日時より前の相談"))
    retention_years = models.PositiveSmallIntegerField(_("保存年数"))
    calls_purged = models.PositiveIntegerField(_("消去した件数"))
    ran_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("実行した人（空欄は定期実行）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("自由記述の消去")
        verbose_name_plural = _("自由記述の消去")
        ordering = ["-ran_at", "-pk"]

    def __str__(self):
        return f"{self.ran_at:%Y-%m-%d} {self.calls_purged}件"
