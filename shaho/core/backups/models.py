"""The record of every backup and restore drill, shown to national staff in the admin."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BackupRecord(models.Model):
    """One run of the daily backup or of the weekly restore drill: what it produced and whether it worked."""

    class Kind(models.TextChoices):
        BACKUP = "backup", _("バックアップ")
        DRILL = "drill", _("復元訓練")

    class Verdict(models.TextChoices):
        OK = "ok", _("成功")
        FAILED = "failed", _("失敗")

    kind = models.CharField(_("種類"), max_length=10, choices=Kind.choices)
    started_at = models.DateTimeField(_("日時"), db_index=True)
    archive = models.CharField(_("アーカイブ"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("サイズ（バイト）"), null=True, blank=True)
    rows = models.PositiveBigIntegerField(_("行数"), null=True, blank=True)
    verdict = models.CharField(_("結果"), max_length=10, choices=Verdict.choices)
    duration = models.FloatField(_("所要時間（秒）"), null=True, blank=True)
    message = models.TextField(_("メッセージ"), blank=True)

    class Meta:
        verbose_name = _("バックアップと復元訓練の記録")
        verbose_name_plural = _("バックアップと復元訓練")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M}（{self.get_verdict_display()}）"
