"""Report jobs and the documents staff write for them (general meetings and their chapters).

A generated file is a row (ReportJob) with its kind, parameters, requester, council,
progress and checksum, never a loose path: the file lives in the default storage (MEDIA_ROOT, or
the bucket with SHAHO_STORAGE=s3) with a random name and is only ever served by the download view
after a permission check.
"""

import re
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from councils.models import Council
from shaho.core.downloads import content_type_of
from shaho.core.report_kinds import kind_choices


class Meeting(models.Model):
    """A general meeting (全国総会 第64回): the policy draft is written for it, chapter by chapter."""

    council = models.ForeignKey(
        Council, verbose_name=_("主催する社保協"), on_delete=models.PROTECT, related_name="meetings"
    )
    number = models.PositiveSmallIntegerField(_("回次"), help_text=_("第64回なら 64"))
    title = models.CharField(_("名称"), max_length=200, help_text=_("例: 2020年度第64回全国総会方針案"))
    date = models.DateField(_("開催日"))
    venue = models.CharField(_("会場"), max_length=200, blank=True)
    theme = models.TextField(_("スローガン・テーマ"), blank=True)
    petitions = models.ManyToManyField(
        "petitions.PetitionDrive",
        verbose_name=_("報告する署名"),
        blank=True,
        related_name="meetings",
        help_text=_("付録の集約一覧表に載せる署名"),
    )
    as_of = models.DateField(
        _("数字の基準日"),
        null=True,
        blank=True,
        help_text=_("本文の数字（社保協数・署名数など）の基準日。空欄なら開催日"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("総会")
        verbose_name_plural = _("総会")
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["council", "number"], name="meeting_number_once_per_council")]

    def __str__(self):
        return f"第{self.number}回 {self.title}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(council__in=councils)

    @property
    def figures_date(self):
        return self.as_of or self.date


class Chapter(models.Model):
    """One chapter of a policy draft, written by staff in Markdown with named placeholders for figures."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("総会"), on_delete=models.CASCADE, related_name="chapters")
    order = models.PositiveSmallIntegerField(_("順番"))
    title = models.CharField(_("章の題"), max_length=200)
    body = models.TextField(
        _("本文（Markdown）"),
        blank=True,
        help_text=_(
            "見出しは ##、箇条書きは -。数字は {{ census.total }} のように名前で書くと作成時に埋まります。"
            "表・一覧・図は {{ calendar.period start=2020-09-01 end=2020-11-30 }} のように1行に単独で書くと、"
            "作成時のデータから作られます（使える名前と例は章の下の一覧）。HTML は使えません。"
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("章")
        verbose_name_plural = _("章")
        ordering = ["meeting", "order"]
        constraints = [models.UniqueConstraint(fields=["meeting", "order"], name="chapter_order_once_per_meeting")]

    def __str__(self):
        return f"{self.order}. {self.title}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(meeting__council__in=councils)


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("待機中")
    RUNNING = "running", _("作成中")
    DONE = "done", _("完了")
    FAILED = "failed", _("失敗")


ACTIVE_STATUSES = [JobStatus.QUEUED, JobStatus.RUNNING]


class Audience(models.TextChoices):
    NONE = "none", _("非公開（事務局のみ）")
    COUNCIL = "council", _("この社保協と下部組織の会員に公開")
    ALL = "all", _("全会員に公開")


def report_file_name(instance, filename):
    # Random and unrelated to the job's id or kind: the path alone reveals nothing and can't be guessed.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"reports/{timezone.now():%Y/%m}/{secrets.token_urlsafe(24)}.{extension}"


class ReportJob(models.Model):
    """One request for a document: its parameters, its progress, and when done, its file."""

    class Format(models.TextChoices):
        PDF = "pdf", _("PDF")
        XLSX = "xlsx", _("Excel (xlsx)")

    token = models.UUIDField(_("識別子"), default=uuid.uuid4, unique=True, editable=False)
    # Choices from the kind registry (a callable: a kind registered later needs no migration), so the admin
    # and get_kind_display() say 集約一覧表, not tally_table.
    kind = models.CharField(_("種類"), max_length=40, db_index=True, choices=kind_choices)
    title = models.CharField(_("題名"), max_length=200, blank=True)
    format = models.CharField(_("形式"), max_length=10, choices=Format.choices, default=Format.PDF)
    params = models.JSONField(_("パラメータ"), default=dict, blank=True)
    council = models.ForeignKey(
        Council,
        verbose_name=_("対象の社保協"),
        on_delete=models.PROTECT,
        related_name="report_jobs",
        help_text=_("この報告書が属する社保協。公開先もこの社保協が基準です"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("依頼者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report_jobs",
    )
    dedupe_key = models.CharField(_("重複判定キー"), max_length=64, db_index=True, editable=False)
    # What the document is made from: the date its figures are counted at (基準日, None when the kind has none)
    # and the fingerprint of the data it reads when requested (reports.selectors.data_version). A request is
    # the same as an earlier one only when this fingerprint is too: a corrected figure makes a new document.
    as_of = models.DateField(_("基準日"), null=True, blank=True)
    data_version = models.CharField(_("データの版"), max_length=32, blank=True, editable=False)

    status = models.CharField(_("状態"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("進捗（%）"), default=0)
    step = models.CharField(_("処理中の段階"), max_length=100, blank=True)
    steps = models.JSONField(_("段階の記録"), default=list, blank=True)
    attempt = models.PositiveSmallIntegerField(_("試行回数"), default=0)
    created_at = models.DateTimeField(_("依頼日時"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最終更新"), null=True, blank=True)
    # The outbox (reports.services.claim_send): when the message for the job's next attempt was handed to the
    # broker. Empty while a job 待機中 waits for its message (the broker was unreachable, or the sweep has just
    # requeued it): the sweep and a starting worker send every such job, one message per job.
    sent_at = models.DateTimeField(
        _("送信日時"),
        null=True,
        blank=True,
        help_text=_("処理サーバーに作成を依頼した日時。空欄の待機中の依頼は、定期の確認が送り直します"),
    )
    # Who holds the job while 作成中: the Celery node name and the process id (reports.tasks), so a worker
    # restarting under the same name can take back the jobs of its dead predecessor at once.
    worker = models.CharField(_("処理中のワーカー"), max_length=200, blank=True)
    worker_pid = models.PositiveIntegerField(_("ワーカーのプロセス番号"), null=True, blank=True)

    file = models.FileField(_("ファイル"), upload_to=report_file_name, blank=True, max_length=200)
    file_size = models.PositiveBigIntegerField(_("サイズ（バイト）"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("ページ数"), null=True, blank=True)
    sha256 = models.CharField(_("チェックサム（SHA-256）"), max_length=64, blank=True)
    warnings = models.JSONField(_("注意"), default=list, blank=True)
    error = models.TextField(_("エラー"), blank=True)
    web_html = models.TextField(
        _("ウェブ版"), blank=True, editable=False, help_text=_("ウェブ版のある種類（ニュース）: 作成時の本文")
    )

    audience = models.CharField(_("公開範囲"), max_length=20, choices=Audience.choices, default=Audience.NONE)
    published_at = models.DateTimeField(_("公開日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("報告書の作成")
        verbose_name_plural = _("報告書の作成")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_job_progress_0_100"),
            # Two identical requests while the first is still waiting or running make one job.
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=Q(status__in=["queued", "running"]), name="one_active_job_per_request"
            ),
            models.CheckConstraint(condition=~Q(status="done") | ~Q(file=""), name="report_job_done_has_file"),
        ]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"], name="report_job_status_heartbeat"),
            models.Index(fields=["status", "sent_at"], name="report_job_status_sent"),
        ]

    def __str__(self):
        return f"{self.title or self.kind}（{self.get_status_display()}）"

    @classmethod
    def scope_filter(cls, councils):
        return Q(council__in=councils)

    @property
    def is_published(self):
        return self.audience != Audience.NONE and self.published_at is not None

    @property
    def is_finished(self):
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def download_name(self):
        """The file's name when saved: its Japanese title and date (集約一覧表 … _20200831.pdf)."""
        stamp = timezone.localtime(self.finished_at or self.created_at)
        title = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", self.title or self.get_kind_display()).strip(" ._") or "report"
        return f"{title}_{stamp:%Y%m%d}.{self.format}"

    @property
    def ascii_download_name(self):
        """The same file's name for clients that cannot read a UTF-8 name: its kind and date."""
        stamp = timezone.localtime(self.finished_at or self.created_at)
        return f"{self.kind}_{stamp:%Y%m%d}.{self.format}"

    @property
    def content_type(self):
        return content_type_of(self.format)


# The newsletters' models live in their own sub-package; Django finds them here.
from .newsletters.models import Article, Newsletter, Photo, PhotoAudience  # noqa: E402

__all__ = ["Article", "Newsletter", "Photo", "PhotoAudience"]
