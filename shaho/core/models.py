"""Rows shared by every app: uploads waiting between an import's preview and its commit; the fields every
record entered by staff carries (who entered it, when)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Entered(models.Model):
    """Who entered a record and when: set by the services from the request's user, never typed.

    Abstract: each model that inherits it keeps these two columns in its own table (and its history).
    """

    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("入力者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField(_("入力日時"), null=True, blank=True)

    class Meta:
        abstract = True


class PendingUpload(models.Model):
    """An uploaded spreadsheet kept for its commit step, like pretix's CachedFile: a row with an expiry.

    It lives in the database (not in MEDIA_ROOT), so it goes with its row, is in every backup
    the same way, and cannot be reached by a path. Only its owner can use it, through a
    token that cannot be guessed (`shaho.core.uploads`); expired rows are purged by
    `manage.py purge_pending_uploads` and the Celery beat entry of the same name.
    """

    token = models.CharField(_("トークン"), max_length=64, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("アップロードした人"), on_delete=models.CASCADE, related_name="+"
    )
    council = models.ForeignKey(
        "councils.Council",
        verbose_name=_("社保協"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("アップロードした人の所属社保協（権限の範囲）"),
    )
    importer = models.CharField(_("取込の種類"), max_length=100)
    file_name = models.CharField(_("ファイル名"), max_length=255)
    sha256 = models.CharField(_("チェックサム（SHA-256）"), max_length=64)
    size = models.PositiveBigIntegerField(_("サイズ（バイト）"))
    content = models.BinaryField(_("内容"))
    options = models.JSONField(_("取込の指定"), default=dict, blank=True)
    created_at = models.DateTimeField(_("アップロード日時"))
    expires_at = models.DateTimeField(_("有効期限"), db_index=True)

    class Meta:
        verbose_name = _("確認待ちのアップロード")
        verbose_name_plural = _("確認待ちのアップロード")

    def __str__(self):
        return f"{self.file_name}（{self.importer}）"

    @classmethod
    def scope_filter(cls, councils):
        return models.Q(council__in=councils)


class ImportJob(models.Model):
    """One commit of a checked upload, run by the `core.run_import` task on the `imports` queue.

    Made once per pending upload (`upload_token` is unique: a double 「取り込む」 finds the same job). A job
    moves 待機中 → 実行中 → 完了 | 失敗; its rows are written in one transaction together with 完了, so a job
    is 完了 exactly when its rows are in. Live progress (rows checked of the file's rows) is in the cache
    while the transaction runs (`shaho.core.import_jobs`); the row keeps the final figures.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("待機中")
        RUNNING = "running", _("実行中")
        DONE = "done", _("完了")
        FAILED = "failed", _("失敗")

    token = models.UUIDField(_("識別子"), default=uuid.uuid4, unique=True, editable=False)
    upload_token = models.CharField(_("アップロードのトークン"), max_length=64, unique=True, editable=False)
    upload = models.ForeignKey(
        PendingUpload,
        verbose_name=_("アップロード"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("取り込んだ人"), on_delete=models.CASCADE, related_name="+"
    )
    council = models.ForeignKey(
        "councils.Council",
        verbose_name=_("社保協"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("取り込んだ人の所属社保協（権限の範囲）"),
    )
    importer = models.CharField(_("取込の種類"), max_length=100)
    target = models.CharField(_("取込先"), max_length=100, blank=True, default="")
    target_name = models.CharField(_("取込先の名前"), max_length=255, blank=True, default="")
    file_name = models.CharField(_("ファイル名"), max_length=255)
    options = models.JSONField(_("取込の指定"), default=dict, blank=True)
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(_("段階"), max_length=100, blank=True, default="")
    rows_done = models.PositiveIntegerField(_("処理済みの行"), default=0)
    rows_total = models.PositiveIntegerField(_("行数"), null=True, blank=True)
    count_new = models.PositiveIntegerField(_("新規"), default=0)
    count_changed = models.PositiveIntegerField(_("変更"), default=0)
    count_unchanged = models.PositiveIntegerField(_("変更なし"), default=0)
    count_errors = models.PositiveIntegerField(_("エラー"), default=0)
    message = models.TextField(_("結果の説明"), blank=True, default="")
    # The importer's message is HTML when it was built by format_html (its links, everything else escaped).
    message_is_html = models.BooleanField(_("結果の説明はHTML"), default=False, editable=False)
    done_url = models.CharField(_("結果の画面"), max_length=500, blank=True, default="")
    outcome = models.FileField(_("全行の結果"), upload_to="imports/%Y/%m/", blank=True, max_length=255)
    error = models.TextField(_("失敗の理由"), blank=True, default="")
    attempt = models.PositiveIntegerField(_("試行回数"), default=0)
    worker = models.CharField(_("処理サーバー"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("依頼日時"), auto_now_add=True)
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最終応答"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("取込の処理")
        verbose_name_plural = _("取込の処理")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rows_total__isnull=True) | models.Q(rows_done__lte=models.F("rows_total")),
                name="core_importjob_rows_done_within_total",
            ),
        ]

    def __str__(self):
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @classmethod
    def scope_filter(cls, councils):
        return models.Q(council__in=councils)


# The backups' record lives in its own sub-package; Django finds it here.
# The read API's tokens and their use log (issue 21) live in shaho/core/api/.
from .api.models import ApiToken, ApiTokenUse  # noqa: E402, F401
from .backups.models import BackupRecord  # noqa: E402, F401
