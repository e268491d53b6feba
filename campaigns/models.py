"""Campaigns (運動), the joint committees that run them, and their themes.

A campaign belongs to its lead council: a national campaign is everyone's, a prefectural one
its prefecture's, a local one its council's (the same rule as a petition drive).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from councils.models import Council, CouncilKind, Organisation


def _lead_scope(councils, prefix):
    """National rows are everyone's; a prefectural council's rows its prefecture's; others their council's."""
    return (
        Q(**{f"{prefix}__kind": CouncilKind.NATIONAL})
        | Q(**{f"{prefix}__in": councils})
        | Q(
            **{
                f"{prefix}__kind": CouncilKind.PREFECTURAL,
                f"{prefix}__prefecture__in": councils.values("prefecture"),
            }
        )
    )


class Theme(models.Model):
    """A theme a campaign is about (国保, 介護, 医療 …): national reference data staff extend."""

    name = models.CharField(_("テーマ"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("並び順"), default=100)

    class Meta:
        verbose_name = _("テーマ")
        verbose_name_plural = _("テーマ")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    @classmethod
    def scope_filter(cls, councils):
        # Reference data: every council files its campaigns under the same themes.
        return Q()


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
        return _lead_scope(councils, "council")

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
        return _lead_scope(councils, "lead_council")

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
