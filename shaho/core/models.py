"""Rows shared by every app: uploads waiting between an import's preview and its commit; the fields every
record entered by staff carries (who entered it, when)."""

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


# The backups' record lives in its own sub-package; Django finds it here.
# The read API's tokens and their use log (issue 21) live in shaho/core/api/.
from .api.models import ApiToken, ApiTokenUse  # noqa: E402, F401
from .backups.models import BackupRecord  # noqa: E402, F401
