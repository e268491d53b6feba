"""A newsletter (ニュース) of a council, its articles, and the photos of an article or an action.

A photo is a managed image (shaho.core.images): stored re-encoded, without metadata, under a random
name, and only ever read back through a permission check (the members' page) or the document
fetcher (a `shaho-photo:<id>` reference resolved within the job's scope). It belongs to a council
(its scope) and to an action or an article; 「会員向けのみ」 by default, 公開可 when the people in it
agreed to appear on public pages.
"""

import secrets

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from councils.models import Council


class Newsletter(models.Model):
    """One issue (第N号) of a council's newsletter, or of a prefectural council's digest of its local councils'."""

    council = models.ForeignKey(
        Council, verbose_name=_("発行する社保協"), on_delete=models.PROTECT, related_name="newsletters"
    )
    title = models.CharField(_("紙名"), max_length=100, help_text=_("例: 神奈川社保協ニュース"))
    number = models.PositiveIntegerField(_("号数"), help_text=_("第123号なら 123"))
    date = models.DateField(_("発行日"))
    publisher = models.CharField(
        _("発行者"), max_length=200, blank=True, help_text=_("空欄なら社保協の名称。例: 神奈川県社会保障推進協議会")
    )
    is_digest = models.BooleanField(
        _("地域社保協ニュースの抜粋号"), default=False, help_text=_("下部の社保協の記事を集めた号")
    )
    period_start = models.DateField(_("抜粋の対象期間（開始）"), null=True, blank=True)
    period_end = models.DateField(_("抜粋の対象期間（終了）"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ニュース")
        verbose_name_plural = _("ニュース")
        ordering = ["-date", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["council", "title", "number"], name="newsletter_number_once_per_title")
        ]

    def __str__(self):
        return f"{self.title} 第{self.number}号"

    @classmethod
    def scope_filter(cls, councils):
        return Q(council__in=councils)

    @property
    def publisher_name(self):
        return self.publisher or self.council.name


class Article(models.Model):
    """An article of a newsletter: Markdown with figures and blocks, as a chapter is; its author council kept.

    A digest's article is a copy of a local council's (`source`), its author council unchanged.
    """

    newsletter = models.ForeignKey(
        Newsletter, verbose_name=_("ニュース"), on_delete=models.CASCADE, related_name="articles"
    )
    order = models.PositiveSmallIntegerField(_("順番"))
    title = models.CharField(_("見出し"), max_length=200)
    body = models.TextField(
        _("本文（Markdown）"),
        blank=True,
        help_text=_(
            "記録から始めると、行動などの事実が {{ record.action action=12 }} のような差し込みで入ります。"
            "数字は {{ record.participants action=12 }} のように書くと作成時の記録から埋まります。HTML は使えません。"
        ),
    )
    author_council = models.ForeignKey(
        Council, verbose_name=_("執筆した社保協"), on_delete=models.PROTECT, related_name="newsletter_articles"
    )
    source = models.ForeignKey(
        "self",
        verbose_name=_("元の記事"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="digest_copies",
        help_text=_("抜粋号の記事: 地域社保協ニュースの元の記事"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ニュースの記事")
        verbose_name_plural = _("ニュースの記事")
        ordering = ["newsletter", "order"]
        constraints = [
            models.UniqueConstraint(fields=["newsletter", "order"], name="article_order_once_per_newsletter")
        ]

    def __str__(self):
        return f"{self.order}. {self.title}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(newsletter__council__in=councils)


class PhotoAudience(models.TextChoices):
    MEMBERS = "members", _("会員向けのみ")
    PUBLIC = "public", _("公開可")


def photo_file_name(instance, filename):
    # Random, unrelated to the upload's name, the council or the record: the path reveals nothing.
    return f"photos/{timezone.now():%Y/%m}/{secrets.token_urlsafe(24)}.{instance.extension}"


class Photo(models.Model):
    """A managed photo of an action or an article (shaho.core.images made it: no metadata, print size)."""

    council = models.ForeignKey(Council, verbose_name=_("社保協"), on_delete=models.PROTECT, related_name="photos")
    action = models.ForeignKey(
        "campaigns.Action",
        verbose_name=_("行動"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
    )
    article = models.ForeignKey(
        Article, verbose_name=_("記事"), on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    image = models.FileField(_("画像"), upload_to=photo_file_name, max_length=200)
    extension = models.CharField(_("形式"), max_length=5, editable=False)
    width = models.PositiveIntegerField(_("幅（画素）"), editable=False)
    height = models.PositiveIntegerField(_("高さ（画素）"), editable=False)
    caption = models.CharField(_("説明（キャプション）"), max_length=200, help_text=_("例: 桜木町駅前での宣伝"))
    audience = models.CharField(
        _("公開範囲"),
        max_length=10,
        choices=PhotoAudience.choices,
        default=PhotoAudience.MEMBERS,
        help_text=_("写っている人の同意が取れたものだけ「公開可」に。公開のページには公開可の写真だけが載ります"),
    )
    order = models.PositiveSmallIntegerField(_("並び順"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登録者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("写真")
        verbose_name_plural = _("写真")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__isnull=False) | Q(article__isnull=False), name="photo_belongs_to_a_record"
            )
        ]

    def __str__(self):
        return self.caption

    @classmethod
    def scope_filter(cls, councils):
        return Q(council__in=councils)

    @property
    def reference(self):
        """What a document names the photo by: the fetcher resolves it from storage, never a URL."""
        return f"shaho-photo:{self.pk}"

    @property
    def is_public(self):
        return self.audience == PhotoAudience.PUBLIC


@receiver(post_delete, sender=Photo)
def _photo_file_goes_with_its_row(sender, instance, **kwargs):
    # A photo deleted with its article or action (a cascade, not photo_delete) leaves no file behind either;
    # the file goes once the deletion is committed, so a rolled-back deletion keeps it.
    name, storage = instance.image.name, instance.image.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))
