"""Campaigns (運動), the joint committees that run them, and their themes.

A campaign belongs to its lead council: a national campaign is everyone's, a prefectural one
its prefecture's, a local one its council's (the same rule as a petition drive).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from councils.models import Council, Organisation, shared_down
from shaho.core.models import Entered
from shaho.core.vocabulary import Evaluation


class Theme(models.Model):
    """A theme a campaign is about (国保, 介護, 医療 …): national reference data, extended by national staff."""

    name = models.CharField(_("テーマ"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("並び順"), default=100)

    class Meta:
        verbose_name = _("テーマ")
        verbose_name_plural = _("テーマ")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class LiaisonGroup(models.Model):
    """A 実行委員会 / 連絡会: a joint body of organisations that runs a campaign or an action."""

    class Kind(models.TextChoices):
        LIAISON = "liaison", _("連絡会")
        EXECUTIVE = "executive", _("実行委員会")
        OTHER = "other", _("その他")

    name = models.CharField(_("名称"), max_length=120, help_text=_("例: なくすな保険証！神奈川県連絡会"))
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices, default=Kind.LIAISON)
    council = models.ForeignKey(
        Council,
        verbose_name=_("事務局の社保協"),
        on_delete=models.PROTECT,
        related_name="liaison_groups",
        help_text=_("この連絡会・実行委員会の情報を管理する社保協"),
    )
    member_organisations = models.ManyToManyField(
        Organisation, verbose_name=_("構成団体"), blank=True, related_name="liaison_groups"
    )
    member_names = models.TextField(
        _("構成団体（加盟団体以外）"),
        blank=True,
        help_text=_("加盟団体に登録のない構成団体の名前。1行に1団体"),
    )
    founded_on = models.DateField(_("結成日"), null=True, blank=True)
    note = models.TextField(_("備考"), blank=True)

    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("連絡会・実行委員会")
        verbose_name_plural = _("連絡会・実行委員会")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["council", "name"], name="liaison_group_name_per_council")]

    def __str__(self):
        return self.name

    @classmethod
    def scope_filter(cls, councils):
        return shared_down(councils, "council")

    @property
    def other_member_names(self):
        return [line.strip() for line in self.member_names.splitlines() if line.strip()]


class Campaign(models.Model):
    """A 運動 / キャンペーン (なくすな保険証！, 国保改善大運動 …), possibly inside a larger one."""

    slug = models.SlugField(_("識別名"), max_length=50, unique=True, help_text=_("URL とコマンドで使う半角英数字"))
    name = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("略称"), max_length=40, blank=True, help_text=_("例: 保険証運動"))
    themes = models.ManyToManyField(Theme, verbose_name=_("テーマ"), blank=True, related_name="campaigns")
    starts_on = models.DateField(_("開始日"))
    ends_on = models.DateField(_("終了日"), null=True, blank=True, help_text=_("続いている運動は空欄"))
    lead_council = models.ForeignKey(
        Council, verbose_name=_("主催の社保協"), on_delete=models.PROTECT, related_name="campaigns"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("親の運動"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("大きな運動の中で取り組む運動のとき"),
    )
    liaison_group = models.ForeignKey(
        LiaisonGroup,
        verbose_name=_("連絡会・実行委員会"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
    )
    description = models.TextField(_("説明"), blank=True)

    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("運動")
        verbose_name_plural = _("運動")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="campaign_period_order",
            ),
        ]

    def __str__(self):
        return self.short_name or self.name

    @classmethod
    def scope_filter(cls, councils):
        return shared_down(councils, "lead_council")

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("終了日は開始日より前にできません。")
        if self.parent_id and self.pk:
            node, seen = self.parent, set()
            while node is not None and node.pk not in seen:
                if node.pk == self.pk:
                    errors["parent"] = _("自分自身や自分の中の運動を親の運動にはできません。")
                    break
                seen.add(node.pk)
                node = node.parent
        if errors:
            raise ValidationError(errors)

    def is_running_on(self, date):
        return self.starts_on <= date and (self.ends_on is None or date <= self.ends_on)


# --- actions (行動) ----------------------------------------------------------------------------

# One report of more than this many people or pieces is a typo, not an action.
MAX_COUNT = 10_000_000


class ActionKind(models.Model):
    """A kind of action (宣伝行動, 学習会, 要請・交渉 …): national reference data, extended by national staff."""

    code = models.SlugField(_("識別名"), max_length=30, unique=True, help_text=_("半角英数字。例: street"))
    name = models.CharField(_("種類"), max_length=40, unique=True)
    is_study_session = models.BooleanField(
        _("学習会として数える"), default=False, help_text=_("「1万か所学習運動」の学習会の数に入れる")
    )
    is_negotiation = models.BooleanField(
        _("要請・交渉・懇談"), default=False, help_text=_("相手方・要求と回答を記録する")
    )
    is_street_action = models.BooleanField(
        _("宣伝行動"), default=False, help_text=_("スマートフォンの行動報告で選べる")
    )
    order = models.PositiveSmallIntegerField(_("並び順"), default=100)

    class Meta:
        verbose_name = _("行動の種類")
        verbose_name_plural = _("行動の種類")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Action(Entered):
    """A 行動: a street action, study session, rally, negotiation … with its attendance and what it produced.

    Participants per organisation are rows (Participation); the 「11団体26人」 is derived from them.
    A total stated in the report (`stated_organisations`, `stated_participants`) is kept beside the
    rows: when they disagree the action shows a warning until staff confirm the disagreement.
    """

    class Mode(models.TextChoices):
        ONSITE = "onsite", _("会場")
        ONLINE = "online", _("オンライン")
        HYBRID = "hybrid", _("会場とオンライン")

    class Status(models.TextChoices):
        PLANNED = "planned", _("予定")
        HELD = "held", _("実施")
        CANCELLED = "cancelled", _("中止")

    class Counterpart(models.TextChoices):
        NONE = "", _("（なし）")
        PREFECTURE = "prefecture", _("都道府県")
        MINISTRY = "ministry", _("省庁")
        MUNICIPALITY = "municipality", _("市区町村")
        OTHER = "other", _("その他の団体")

    kind = models.ForeignKey(ActionKind, verbose_name=_("種類"), on_delete=models.PROTECT, related_name="actions")
    title = models.CharField(_("名称"), max_length=200)
    starts_on = models.DateField(_("開始日"))
    start_time = models.TimeField(_("開始時刻"), null=True, blank=True, help_text=_("終日の行動は空欄"))
    ends_on = models.DateField(_("終了日"), null=True, blank=True, help_text=_("1日の行動は空欄"))
    end_time = models.TimeField(_("終了時刻"), null=True, blank=True)
    place = models.CharField(_("場所"), max_length=200, blank=True, help_text=_("例: 桜木町駅前広場"))
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        verbose_name=_("市区町村"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
    )
    mode = models.CharField(_("開催形式"), max_length=10, choices=Mode.choices, default=Mode.ONSITE)
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.HELD)
    organiser = models.ForeignKey(
        Council, verbose_name=_("主催の社保協"), on_delete=models.PROTECT, related_name="organised_actions"
    )
    co_organisers = models.ManyToManyField(
        Council, verbose_name=_("共催の社保協"), blank=True, related_name="co_organised_actions"
    )
    co_organisations = models.ManyToManyField(
        Organisation, verbose_name=_("共催の団体"), blank=True, related_name="co_organised_actions"
    )
    co_organiser_names = models.CharField(
        _("共催・主催（表記）"), max_length=200, blank=True, help_text=_("例: なくすな保険証！神奈川県連絡会")
    )
    liaison_group = models.ForeignKey(
        LiaisonGroup,
        verbose_name=_("連絡会・実行委員会"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
    )
    campaigns = models.ManyToManyField(Campaign, verbose_name=_("運動"), blank=True, related_name="actions")
    # Attendance as reported.
    onsite_count = models.PositiveIntegerField(_("会場参加（人）"), null=True, blank=True)
    online_points = models.PositiveIntegerField(_("オンライン視聴（か所）"), null=True, blank=True)
    online_count = models.PositiveIntegerField(_("オンライン参加（人）"), null=True, blank=True)
    stated_organisations = models.PositiveIntegerField(
        _("報告の団体数"), null=True, blank=True, help_text=_("報告に書かれた団体数（例: 12団体）")
    )
    stated_participants = models.PositiveIntegerField(
        _("報告の参加者数"), null=True, blank=True, help_text=_("報告に書かれた参加者数（例: 26人）")
    )
    totals_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("食い違いを確認した人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    totals_confirmed_at = models.DateTimeField(_("食い違いの確認日時"), null=True, blank=True)
    totals_confirmed_note = models.CharField(
        _("食い違いの説明"), max_length=300, blank=True, help_text=_("例: 建設労連と神奈川土建を別に数えている")
    )
    # Negotiations and talks (要請・交渉, 懇談).
    counterpart_kind = models.CharField(
        _("相手方の種類"), max_length=20, choices=Counterpart.choices, default="", blank=True
    )
    counterpart_prefecture = models.ForeignKey(
        "municipalities.Prefecture",
        verbose_name=_("相手方の都道府県"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="negotiations",
    )
    counterpart_municipality = models.ForeignKey(
        "municipalities.Municipality",
        verbose_name=_("相手方の市区町村"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="negotiations",
    )
    counterpart_name = models.CharField(
        _("相手方"), max_length=200, blank=True, help_text=_("例: 神奈川県 健康医療局、厚生労働省 保険局")
    )
    counterpart_attendees = models.TextField(
        _("相手方の出席者"), blank=True, help_text=_("課・役職と人数。例: 医療課長ほか4人")
    )
    counterpart_count = models.PositiveIntegerField(_("相手方の人数"), null=True, blank=True)
    report = models.TextField(_("報告"), blank=True)
    # One per rendered phone form: a re-tap or a resent POST finds the action it already made.
    submission_token = models.UUIDField(_("送信トークン"), null=True, blank=True, unique=True, editable=False)

    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("行動")
        verbose_name_plural = _("行動")
        ordering = ["-starts_on", "-start_time", "-pk"]
        indexes = [
            models.Index(fields=["starts_on", "kind"], name="action_date_kind"),
            models.Index(fields=["organiser", "starts_on"], name="action_organiser_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="action_period_order"
            ),
            models.CheckConstraint(
                condition=Q(end_time__isnull=True) | Q(start_time__isnull=False), name="action_end_time_needs_start"
            ),
        ]

    def __str__(self):
        return f"{self.starts_on.month}.{self.starts_on.day} {self.title}"

    @classmethod
    def scope_filter(cls, councils):
        return shared_down(councils, "organiser")

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("「終了日」: 開始日より前にできません。")
        if self.end_time and not self.start_time:
            errors["start_time"] = _("「開始時刻」: 終了時刻があるときは開始時刻も入力してください。")
        elif (
            self.start_time
            and self.end_time
            and (self.ends_on is None or self.ends_on == self.starts_on)
            and self.end_time < self.start_time
        ):
            errors["end_time"] = _("「終了時刻」: 開始時刻より前にできません。")
        if errors:
            raise ValidationError(errors)

    @property
    def is_all_day(self):
        return self.start_time is None

    @property
    def calendar_place(self):
        """The place a calendar line prints after the title: blank when the title already names it.

        「西湘地域キャラバン①（大磯町）」 held at 大磯町 prints the town once, not 「（大磯町）（大磯町）」.
        """
        place = self.place.strip()
        return "" if not place or place in self.title else place

    @property
    def last_day(self):
        return self.ends_on or self.starts_on

    @property
    def is_negotiation(self):
        return self.kind.is_negotiation

    @property
    def totals_disagree_unconfirmed(self):
        return getattr(self, "totals_disagree", False) and self.totals_confirmed_at is None


def _action_scope(councils):
    return Q(action__in=Action.objects.filter(Action.scope_filter(councils)))


class Participation(models.Model):
    """Participants of one organisation at an action: 「保険医協会7人（うち開業医2人）」."""

    action = models.ForeignKey(Action, verbose_name=_("行動"), on_delete=models.CASCADE, related_name="participations")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("団体"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participations",
    )
    organisation_name = models.CharField(
        _("団体名（表記）"), max_length=100, blank=True, help_text=_("加盟団体にない団体は名前をそのまま")
    )
    count = models.PositiveIntegerField(_("人数"))
    note = models.CharField(_("備考"), max_length=200, blank=True, help_text=_("例: うち開業医2人"))
    order = models.PositiveSmallIntegerField(_("並び順"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("参加団体")
        verbose_name_plural = _("参加団体")
        ordering = ["action", "order", "pk"]
        indexes = [models.Index(fields=["action", "count"], name="participation_action_count")]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(organisation_name=""), name="participation_names_org"
            ),
            models.CheckConstraint(condition=Q(count__lte=MAX_COUNT), name="participation_count_bound"),
        ]

    def __str__(self):
        return f"{self.label}{self.count}人"

    @property
    def label(self):
        return self.organisation_name or (self.organisation.short_name or self.organisation.name)

    @classmethod
    def scope_filter(cls, councils):
        return _action_scope(councils)


class Speaker(models.Model):
    """A lecturer, reporter or panellist: 「神田敏史さん（神奈川自治労連執行委員）」 and the title of the talk."""

    class Role(models.TextChoices):
        LECTURER = "lecturer", _("講師")
        REPORTER = "reporter", _("報告")
        PANELLIST = "panellist", _("パネリスト")
        CHAIR = "chair", _("司会")
        GREETING = "greeting", _("あいさつ")
        OTHER = "other", _("その他")

    action = models.ForeignKey(Action, verbose_name=_("行動"), on_delete=models.CASCADE, related_name="speakers")
    role = models.CharField(_("役割"), max_length=20, choices=Role.choices, default=Role.LECTURER)
    name = models.CharField(_("氏名"), max_length=60)
    affiliation = models.CharField(_("所属・肩書"), max_length=120, blank=True)
    talk_title = models.CharField(_("演題"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("並び順"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("講師・発言者")
        verbose_name_plural = _("講師・発言者")
        ordering = ["action", "order", "pk"]

    def __str__(self):
        return f"{self.name}（{self.affiliation}）" if self.affiliation else self.name

    @classmethod
    def scope_filter(cls, councils):
        return _action_scope(councils)


class ActionOutput(models.Model):
    """What was handed out: 「チラシ・ポケットティッシュ1000枚」."""

    class Kind(models.TextChoices):
        FLYER = "flyer", _("チラシ")
        TISSUE = "tissue", _("ティッシュ")
        FLYER_TISSUE = "flyer_tissue", _("チラシ・ティッシュ")
        PAMPHLET = "pamphlet", _("パンフレット")
        OTHER = "other", _("その他")

    action = models.ForeignKey(Action, verbose_name=_("行動"), on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices, default=Kind.FLYER)
    description = models.CharField(_("内容"), max_length=100, blank=True, help_text=_("例: チラシ・ポケットティッシュ"))
    quantity = models.PositiveIntegerField(_("数"))
    unit = models.CharField(_("単位"), max_length=10, default="枚")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("配布物")
        verbose_name_plural = _("配布物")
        ordering = ["action", "pk"]
        constraints = [models.CheckConstraint(condition=Q(quantity__lte=MAX_COUNT), name="output_quantity_bound")]

    def __str__(self):
        return f"{self.label}{self.quantity:,}{self.unit}"

    @property
    def label(self):
        return self.description or self.get_kind_display()

    @classmethod
    def scope_filter(cls, councils):
        return _action_scope(councils)


class StickerPoll(models.Model):
    """A シール投票: a question, options with their counts and the total the report states (75 = 72 + 3)."""

    action = models.ForeignKey(Action, verbose_name=_("行動"), on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(_("質問"), max_length=200, help_text=_("例: 保険証の廃止に賛成？反対？"))
    stated_total = models.PositiveIntegerField(_("投票数（報告の合計）"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("シール投票")
        verbose_name_plural = _("シール投票")
        ordering = ["action", "pk"]

    def __str__(self):
        return self.question

    @classmethod
    def scope_filter(cls, councils):
        return _action_scope(councils)


class PollOption(models.Model):
    poll = models.ForeignKey(
        StickerPoll, verbose_name=_("シール投票"), on_delete=models.CASCADE, related_name="options"
    )
    label = models.CharField(_("選択肢"), max_length=60)
    count = models.PositiveIntegerField(_("票数"))
    order = models.PositiveSmallIntegerField(_("並び順"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("シール投票の選択肢")
        verbose_name_plural = _("シール投票の選択肢")
        ordering = ["poll", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "label"], name="poll_option_once"),
            models.CheckConstraint(condition=Q(count__lte=MAX_COUNT), name="poll_option_count_bound"),
        ]

    def __str__(self):
        return f"{self.label}{self.count}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(poll__in=StickerPoll.objects.filter(_action_scope(councils)))


class Voice(models.Model):
    """A voice heard: a short quote and who said it, described without a name (「40代の男性」)."""

    action = models.ForeignKey(Action, verbose_name=_("行動"), on_delete=models.CASCADE, related_name="voices")
    speaker = models.CharField(
        _("話した人（名前は書かない）"), max_length=60, blank=True, help_text=_("例: 60代の女性")
    )
    text = models.TextField(_("声"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("寄せられた声")
        verbose_name_plural = _("寄せられた声")
        ordering = ["action", "pk"]

    def __str__(self):
        return self.text[:30]

    @classmethod
    def scope_filter(cls, councils):
        return _action_scope(councils)


class Demand(models.Model):
    """A demand raised in a negotiation, the answer received and our evaluation of it."""

    action = models.ForeignKey(Action, verbose_name=_("行動"), on_delete=models.CASCADE, related_name="demands")
    number = models.PositiveSmallIntegerField(_("番号"))
    text = models.TextField(_("要求"))
    is_priority = models.BooleanField(_("重点要求"), default=False)
    answer = models.TextField(_("回答"), blank=True)
    evaluation = models.CharField(_("評価"), max_length=20, choices=Evaluation.choices, default=Evaluation.NO_ANSWER)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("要求と回答")
        verbose_name_plural = _("要求と回答")
        ordering = ["action", "number"]
        constraints = [models.UniqueConstraint(fields=["action", "number"], name="demand_number_once")]

    def __str__(self):
        return f"{self.number}. {self.text[:30]}"

    @classmethod
    def scope_filter(cls, councils):
        return _action_scope(councils)


class StudyGoal(models.Model):
    """A council's goal of study sessions for a 年度 (「1万か所学習運動」; the national council's is the nation's)."""

    council = models.ForeignKey(Council, verbose_name=_("社保協"), on_delete=models.PROTECT, related_name="study_goals")
    year = models.PositiveSmallIntegerField(_("年度"), help_text=_("4月から翌年3月。例: 2019"))
    goal = models.PositiveIntegerField(_("学習会の目標（か所）"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("学習会の目標")
        verbose_name_plural = _("学習会の目標")
        ordering = ["-year", "council__sort_key"]
        constraints = [models.UniqueConstraint(fields=["council", "year"], name="study_goal_once_a_year")]

    def __str__(self):
        return f"{self.council} {self.year}年度 {self.goal:,}か所"

    @classmethod
    def scope_filter(cls, councils):
        return Q(council__in=councils)


class CalendarFeed(models.Model):
    """A council's iCalendar feed: the secret token in its URL, which the council's staff can rotate."""

    council = models.OneToOneField(
        Council, verbose_name=_("社保協"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(_("秘密のトークン"), max_length=64, unique=True, editable=False)
    rotated_at = models.DateTimeField(_("発行日時"), null=True, blank=True, editable=False)
    rotated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("発行した人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("カレンダー配信")
        verbose_name_plural = _("カレンダー配信")
        ordering = ["council__sort_key"]

    def __str__(self):
        return f"{self.council} のカレンダー配信"

    @classmethod
    def scope_filter(cls, councils):
        return Q(council__in=councils)


# The materials sub-package's models, gathered for Django (migrations, the app registry); code imports
# campaigns.materials.models. Imported last: its models name this module's by "campaigns.Campaign".
from .materials.models import Distribution, Material, Order, OrderLine  # noqa: E402, F401
