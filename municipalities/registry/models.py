"""The registry of Japan: blocks, prefectures and municipalities with their official codes.

Reference data, loaded by `load_municipalities`; every other app reads it.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from shaho.core.japanese import normalize_municipality_code


class Block(models.Model):
    """A regional block of prefectures (北海道・東北, 関東甲 ...): the federation's data, not code."""

    name = models.CharField(_("ブロック名"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ブロック")
        verbose_name_plural = _("ブロック")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    @classmethod
    def scope_filter(cls, councils):
        return Q(pk__in=Prefecture.objects.filter(pk__in=councils.values("prefecture")).values("block"))


class Prefecture(models.Model):
    code = models.CharField(_("都道府県コード"), max_length=2, unique=True, help_text=_("01〜47"))
    name = models.CharField(_("都道府県名"), max_length=10, unique=True)
    kana = models.CharField(_("よみがな"), max_length=20, blank=True)
    block = models.ForeignKey(
        Block, verbose_name=_("ブロック"), on_delete=models.PROTECT, null=True, blank=True, related_name="prefectures"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("都道府県")
        verbose_name_plural = _("都道府県")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^(0[1-9]|[1-3][0-9]|4[0-7])$"), name="prefecture_code_01_47"
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def scope_filter(cls, councils):
        return Q(pk__in=councils.values("prefecture"))


class Municipality(models.Model):
    class Kind(models.TextChoices):
        DESIGNATED_CITY = "designated_city", _("政令指定都市")
        CITY = "city", _("市")
        SPECIAL_WARD = "special_ward", _("特別区")
        TOWN = "town", _("町")
        VILLAGE = "village", _("村")
        WARD = "ward", _("行政区")

    code = models.CharField(_("地方公共団体コード"), max_length=6, unique=True, help_text=_("検査数字付きの6桁"))
    prefecture = models.ForeignKey(
        Prefecture, verbose_name=_("都道府県"), on_delete=models.PROTECT, related_name="municipalities"
    )
    name = models.CharField(_("名称"), max_length=40)
    kana = models.CharField(_("よみがな"), max_length=80, blank=True, help_text=_("全角カタカナ"))
    kind = models.CharField(_("種別"), max_length=20, choices=Kind.choices)
    county = models.CharField(_("郡"), max_length=20, blank=True, help_text=_("町村の属する郡"))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属する市"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wards",
        help_text=_("行政区の場合、その政令指定都市"),
    )
    population = models.PositiveIntegerField(_("人口"), null=True, blank=True)
    valid_from = models.DateField(_("有効開始日"), null=True, blank=True)
    valid_until = models.DateField(
        _("廃止日"), null=True, blank=True, help_text=_("この日から存在しない（合併・区の再編）")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("市区町村")
        verbose_name_plural = _("市区町村")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{6}$"), name="municipality_code_6_digits"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gt=models.F("valid_from")),
                name="municipality_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["prefecture", "kind"])]

    def __str__(self):
        return f"{self.name}（{self.prefecture.name}）" if self.kind == self.Kind.WARD else self.name

    @property
    def is_municipality(self):
        """A 市区町村 counted in the national total (行政区 are not)."""
        return self.kind != self.Kind.WARD

    def clean(self):
        errors = {}
        if self.code:
            try:
                self.code = normalize_municipality_code(self.code)
            except ValueError as exc:
                errors["code"] = str(exc)
            else:
                if self.prefecture_id and self.code[:2] != self.prefecture.code:
                    errors["code"] = (
                        f"コード{self.code}は{self.prefecture.name}のコード（{self.prefecture.code}で始まる）ではありません。"
                    )
        if self.kind == self.Kind.WARD and not self.parent_id:
            errors["parent"] = "行政区には所属する政令指定都市を指定してください。"
        if self.parent_id and self.kind != self.Kind.WARD:
            errors["parent"] = "所属する市を指定できるのは行政区だけです。"
        if self.parent_id and self.parent.kind != self.Kind.DESIGNATED_CITY:
            errors["parent"] = "所属する市は政令指定都市でなければなりません。"
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            errors["valid_until"] = "廃止日は有効開始日より後の日付にしてください。"
        if errors:
            raise ValidationError(errors)

    @classmethod
    def scope_filter(cls, councils):
        return Q(prefecture__in=councils.values("prefecture"))

    @staticmethod
    def valid_on(date, prefix=""):
        """Q for rows that exist on `date` (valid_from <= date < valid_until)."""
        return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": date})) & (
            Q(**{f"{prefix}valid_until__isnull": True}) | Q(**{f"{prefix}valid_until__gt": date})
        )


class MunicipalityChange(models.Model):
    """A recorded change to the registry: merger, new ward layout, rename, new code."""

    class Kind(models.TextChoices):
        MERGER = "merger", _("合併")
        WARD_REORGANISATION = "wards", _("行政区の再編")
        RENAME = "rename", _("名称変更")
        PROMOTION = "promotion", _("市制施行・政令市移行")
        OTHER = "other", _("その他")

    effective_on = models.DateField(_("施行日"))
    kind = models.CharField(_("種別"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("内容"))
    source = models.CharField(_("出典"), max_length=200, blank=True)
    abolished = models.ManyToManyField(Municipality, verbose_name=_("廃止された団体"), blank=True, related_name="+")
    created = models.ManyToManyField(Municipality, verbose_name=_("新設された団体"), blank=True, related_name="+")
    recorded_at = models.DateTimeField(_("記録日時"), auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("市区町村の異動")
        verbose_name_plural = _("市区町村の異動")
        ordering = ["-effective_on"]
        constraints = [models.UniqueConstraint(fields=["effective_on", "description"], name="municipality_change_once")]

    def __str__(self):
        return f"{self.effective_on} {self.get_kind_display()}: {self.description[:40]}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(pk__in=[])  # national staff only
