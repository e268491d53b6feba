"""The federation: councils, their stages over time, member organisations, officers, accounts."""

import datetime

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from municipalities.registry.models import Municipality, Prefecture
from shaho.core.roles import Role


class CouncilKind(models.TextChoices):
    NATIONAL = "national", _("中央社保協")
    PREFECTURAL = "prefectural", _("都道府県社保協")
    LOCAL = "local", _("地域社保協")
    PREPARATORY = "preparatory", _("準備会")
    FRIENDLY = "friendly", _("友好組織")


# Stage start for councils whose founding date is unknown: they count from the beginning.
EARLIEST = datetime.date(1900, 1, 1)

# Which kinds of parent each kind may have.
ALLOWED_PARENT_KINDS = {
    CouncilKind.NATIONAL: set(),
    CouncilKind.PREFECTURAL: {CouncilKind.NATIONAL},
    CouncilKind.FRIENDLY: {CouncilKind.NATIONAL},
    CouncilKind.LOCAL: {CouncilKind.PREFECTURAL},
    CouncilKind.PREPARATORY: {CouncilKind.PREFECTURAL},
}


def shared_down(councils, field):
    """Q for rows owned by the council in `field` that `councils` may see, shared downward: a national council's
    rows are everyone's, a prefectural council's its prefecture's, any other council's its own (and those above it).

    The rule of every row a council publishes for others: petition drives, campaigns, actions, materials.
    """
    return (
        Q(**{f"{field}__kind": CouncilKind.NATIONAL})
        | Q(**{f"{field}__in": councils})
        | Q(**{f"{field}__kind": CouncilKind.PREFECTURAL, f"{field}__prefecture__in": councils.values("prefecture")})
    )


class Council(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("活動中")
        DORMANT = "dormant", _("休止中")
        DISSOLVED = "dissolved", _("解散")

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("略称"), max_length=40, blank=True)
    kind = models.CharField(_("種別"), max_length=20, choices=CouncilKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上部組織"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    prefecture = models.ForeignKey(
        Prefecture, verbose_name=_("都道府県"), on_delete=models.PROTECT, null=True, blank=True, related_name="councils"
    )
    municipalities = models.ManyToManyField(
        Municipality,
        verbose_name=_("対象の市区町村"),
        blank=True,
        related_name="councils",
        help_text=_("地域社保協・準備会が活動する市区町村または行政区"),
    )
    founded_on = models.DateField(_("結成日"), null=True, blank=True)
    dissolved_on = models.DateField(_("解散日"), null=True, blank=True)
    status = models.CharField(_("状態"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    postal_code = models.CharField(_("郵便番号"), max_length=8, blank=True)
    address = models.CharField(_("住所"), max_length=200, blank=True)
    phone = models.CharField(_("電話"), max_length=20, blank=True)
    fax = models.CharField(_("FAX番号"), max_length=20, blank=True)
    email = models.EmailField(_("メール"), blank=True)
    website = models.URLField(_("ウェブサイト"), blank=True)
    note = models.TextField(_("備考"), blank=True)
    # Materialised path of primary keys ("/1/14/203/"): scope queries are one indexed prefix match.
    path = models.CharField(_("経路"), max_length=255, editable=False, db_index=True, default="")
    # The order staff expect (JIS prefecture code, then municipality code): see councils.services.
    sort_key = models.CharField(_("並び順"), max_length=40, editable=False, db_index=True, default="")

    history = HistoricalRecords(excluded_fields=["path", "sort_key"])

    class Meta:
        verbose_name = _("社保協")
        verbose_name_plural = _("社保協")
        ordering = ["sort_key", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(founded_on__isnull=True)
                | Q(dissolved_on__gte=models.F("founded_on")),
                name="council_dissolved_after_founded",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind=CouncilKind.NATIONAL), name="one_national_council"
            ),
            models.UniqueConstraint(
                fields=["prefecture"],
                condition=Q(kind=CouncilKind.PREFECTURAL),
                name="one_prefectural_council_per_prefecture",
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def scope_filter(cls, councils):
        return Q(pk__in=councils.values("pk"))

    def clean(self):
        errors = {}
        allowed = ALLOWED_PARENT_KINDS.get(self.kind, set())
        if self.kind == CouncilKind.NATIONAL:
            if self.parent_id:
                errors["parent"] = "中央社保協には上部組織を指定できません。"
        elif not self.parent_id:
            errors["parent"] = f"{self.get_kind_display()}には上部組織を指定してください。"
        elif self.parent.kind not in allowed:
            names = "・".join(str(CouncilKind(k).label) for k in allowed)
            errors["parent"] = (
                f"{self.get_kind_display()}の上部組織は{names}でなければなりません"
                f"（「{self.parent}」は{self.parent.get_kind_display()}です）。"
            )
        elif self.pk and self.parent.path.startswith(self.path or "\0"):
            errors["parent"] = "自分自身や下部組織を上部組織にはできません。"
        if (
            self.kind in (CouncilKind.PREFECTURAL, CouncilKind.LOCAL, CouncilKind.PREPARATORY)
            and not self.prefecture_id
        ):
            errors["prefecture"] = "都道府県を指定してください。"
        if (
            self.kind in (CouncilKind.LOCAL, CouncilKind.PREPARATORY)
            and self.prefecture_id
            and self.parent_id
            and self.parent.prefecture_id
            and self.parent.prefecture_id != self.prefecture_id
        ):
            errors["prefecture"] = f"上部組織「{self.parent}」と同じ都道府県を指定してください。"
        if self.founded_on and self.dissolved_on and self.dissolved_on < self.founded_on:
            errors["dissolved_on"] = "解散日は結成日より前にできません。"
        elif self.status == self.Status.DISSOLVED and not self.dissolved_on:
            errors["dissolved_on"] = "状態を「解散」にするときは解散日を入力してください。"
        if errors:
            raise ValidationError(errors)

    def kind_on(self, date):
        stage = self.stages.filter(since__lte=date).order_by("-since").first()
        return stage.kind if stage else None


class CouncilStage(models.Model):
    """What a council was from a date on: a 準備会 becomes a 地域社保協, and the census must know when."""

    council = models.ForeignKey(Council, verbose_name=_("社保協"), on_delete=models.CASCADE, related_name="stages")
    kind = models.CharField(_("種別"), max_length=20, choices=CouncilKind.choices)
    since = models.DateField(_("開始日"))
    note = models.CharField(_("備考"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("種別の履歴")
        verbose_name_plural = _("種別の履歴")
        ordering = ["council", "since"]
        constraints = [models.UniqueConstraint(fields=["council", "since"], name="one_stage_per_council_and_date")]

    def __str__(self):
        return f"{self.council}: {self.since:%Y-%m-%d}〜 {self.get_kind_display()}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(council__in=councils)


class Organisation(models.Model):
    """A member organisation (加盟団体): a union, an association, at one level of the federation."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("全国")
        PREFECTURAL = "prefectural", _("都道府県")
        LOCAL = "local", _("地域")

    class Category(models.TextChoices):
        UNION = "union", _("労働組合")
        MEDICAL = "medical", _("医療団体")
        WELFARE = "welfare", _("福祉・介護団体")
        PENSIONERS = "pensioners", _("年金者団体")
        WOMEN = "women", _("女性団体")
        BUSINESS = "business", _("商工団体")
        LIVELIHOOD = "livelihood", _("生活と健康を守る会")
        PARTY = "party", _("政党")
        OTHER = "other", _("その他")

    name = models.CharField(_("団体名"), max_length=100)
    short_name = models.CharField(_("略称"), max_length=40, blank=True)
    level = models.CharField(_("レベル"), max_length=20, choices=Level.choices)
    category = models.CharField(_("分野"), max_length=20, choices=Category.choices, default=Category.OTHER)
    parent = models.ForeignKey(
        "self", verbose_name=_("上部団体"), on_delete=models.PROTECT, null=True, blank=True, related_name="branches"
    )
    prefecture = models.ForeignKey(
        Prefecture,
        verbose_name=_("都道府県"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    home_council = models.ForeignKey(
        Council,
        verbose_name=_("管理する社保協"),
        on_delete=models.PROTECT,
        related_name="managed_organisations",
        help_text=_("この団体の情報を管理する社保協"),
    )
    phone = models.CharField(_("電話"), max_length=20, blank=True)
    email = models.EmailField(_("メール"), blank=True)
    note = models.TextField(_("備考"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("加盟団体")
        verbose_name_plural = _("加盟団体")
        ordering = ["level", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "prefecture"], name="organisation_name_per_prefecture")]

    def __str__(self):
        return self.name

    @classmethod
    def scope_filter(cls, councils):
        return Q(home_council__in=councils)

    def clean(self):
        errors = {}
        if self.level != self.Level.NATIONAL and not self.prefecture_id:
            errors["prefecture"] = "都道府県・地域の団体には都道府県を指定してください。"
        if self.parent_id and self.parent_id == self.pk:
            errors["parent"] = "自分自身を上部団体にはできません。"
        if errors:
            raise ValidationError(errors)


class Membership(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("団体"), on_delete=models.CASCADE, related_name="memberships"
    )
    council = models.ForeignKey(Council, verbose_name=_("社保協"), on_delete=models.CASCADE, related_name="memberships")
    since = models.DateField(_("加盟日"), null=True, blank=True)
    until = models.DateField(_("脱退日"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("加盟")
        verbose_name_plural = _("加盟")
        ordering = ["council", "organisation"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(since__isnull=True) | Q(until__gte=models.F("since")),
                name="membership_until_after_since",
            ),
            models.UniqueConstraint(fields=["organisation", "council", "since"], name="membership_once"),
        ]

    def __str__(self):
        return f"{self.organisation} → {self.council}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(council__in=councils)

    def clean(self):
        if self.since and self.until and self.until < self.since:
            raise ValidationError({"until": "脱退日は加盟日より前にできません。"})


class Officer(models.Model):
    class Role(models.TextChoices):
        REPRESENTATIVE = "representative", _("代表委員")
        PRESIDENT = "president", _("会長")
        VICE_PRESIDENT = "vice_president", _("副会長")
        SECRETARY_GENERAL = "secretary_general", _("事務局長")
        DEPUTY_SECRETARY = "deputy_secretary", _("事務局次長")
        STEERING = "steering", _("運営委員")
        AUDITOR = "auditor", _("会計監査")

    council = models.ForeignKey(Council, verbose_name=_("社保協"), on_delete=models.CASCADE, related_name="officers")
    role = models.CharField(_("役職"), max_length=30, choices=Role.choices)
    person_name = models.CharField(_("氏名"), max_length=60)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("出身団体"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
    )
    term_start = models.DateField(_("任期開始"), null=True, blank=True)
    term_end = models.DateField(_("任期終了"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("役員")
        verbose_name_plural = _("役員")
        ordering = ["council", "role", "person_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True)
                | Q(term_start__isnull=True)
                | Q(term_end__gte=models.F("term_start")),
                name="officer_term_order",
            )
        ]

    def __str__(self):
        return f"{self.council} {self.get_role_display()} {self.person_name}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(council__in=councils)

    def clean(self):
        if self.term_start and self.term_end and self.term_end < self.term_start:
            raise ValidationError({"term_end": "任期終了は任期開始より前にできません。"})


class User(AbstractUser):
    """An account: belongs to one council with one role; scope follows the council tree."""

    council = models.ForeignKey(
        Council, verbose_name=_("所属社保協"), on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(_("役割"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    display_name = models.CharField(_("表示名"), max_length=60, blank=True)
    # Changed by "すべての端末からログアウト" (shaho.core.access.logout_everywhere): every
    # session's auth hash includes it, so a new value ends every session of the account.
    session_salt = models.CharField(_("セッションの鍵"), max_length=32, blank=True, default="", editable=False)

    history = HistoricalRecords(excluded_fields=["password", "last_login", "session_salt"])

    class Meta:
        verbose_name = _("アカウント")
        verbose_name_plural = _("アカウント")

    def __str__(self):
        return self.display_name or self.username

    @classmethod
    def scope_filter(cls, councils):
        return Q(council__in=councils)

    def clean(self):
        super().clean()
        if not self.is_superuser and not self.council_id:
            raise ValidationError({"council": "所属社保協を指定してください。"})
        if self.role == Role.NATIONAL_STAFF and self.council_id and self.council.kind != CouncilKind.NATIONAL:
            raise ValidationError({"role": "中央事務局の役割は中央社保協のアカウントにだけ設定できます。"})

    def _get_session_auth_hash(self, secret=None):
        # Django's hash of the password, with the session salt once one is set (existing
        # sessions, made before any salt, stay valid until the first "logout everywhere").
        if not self.session_salt:
            return super()._get_session_auth_hash(secret=secret)
        key_salt = "councils.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}:{self.session_salt}", secret=secret, algorithm="sha256"
        ).hexdigest()

    @property
    def is_national(self):
        return self.is_superuser or self.role == Role.NATIONAL_STAFF
