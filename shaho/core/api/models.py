"""API tokens bound to a council, and the log of their uses.

A token is `shaho_<key>.<secret>`: the key is a public lookup value stored in clear (it names the token in
lists and logs), the secret is stored only as HMAC-SHA256(pepper, secret) with the pepper from the environment
(`SHAHO_API_TOKEN_PEPPER`), so a copy of the database alone verifies nothing. The secret is shown once, when
the token is made (`shaho.core.api.services.api_token_create`), and never again.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiAccess(models.TextChoices):
    # What the token's principal is: a member of its council, or its staff (who see who entered a row).
    MEMBER = "member", _("会員向け")
    STAFF = "staff", _("事務局")


class ApiToken(models.Model):
    name = models.CharField(_("名前"), max_length=100, help_text=_("どこで使うトークンか（例：県社保協ウェブサイト）"))
    council = models.ForeignKey(
        "councils.Council", verbose_name=_("社保協"), on_delete=models.PROTECT, related_name="api_tokens"
    )
    access = models.CharField(
        _("権限"),
        max_length=10,
        choices=ApiAccess.choices,
        default=ApiAccess.MEMBER,
        help_text=_("「事務局」のトークンだけが、記録を入力した人の名前を読めます。"),
    )
    key = models.CharField(_("識別キー"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(_("秘密部分のハッシュ"), max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作成者"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("作成日時"), editable=False)
    expires_at = models.DateTimeField(_("有効期限"), null=True, blank=True, help_text=_("空欄なら期限なし"))
    allowed_addresses = models.JSONField(
        _("接続元の制限"),
        default=list,
        blank=True,
        help_text=_("このトークンを使える IP アドレスまたは範囲（CIDR）。空なら制限なし"),
    )
    revoked_at = models.DateTimeField(_("失効日時"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("失効させた人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    last_used_at = models.DateTimeField(_("最終利用日時"), null=True, blank=True, editable=False)

    class Meta:
        app_label = "core"
        verbose_name = _("APIトークン")
        verbose_name_plural = _("APIトークン")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name}（{self.key}）"

    @classmethod
    def scope_filter(cls, councils):
        return models.Q(council__in=councils)

    @property
    def display_prefix(self):
        """What lists show of a token: its public key, enough to tell tokens apart, nothing to use."""
        return f"shaho_{self.key}.…"


class ApiTokenUse(models.Model):
    """One request made with a token (or with a token that did not authenticate: `token` empty or set, 401)."""

    token = models.ForeignKey(
        ApiToken, verbose_name=_("APIトークン"), on_delete=models.CASCADE, null=True, blank=True, related_name="uses"
    )
    council = models.ForeignKey(
        "councils.Council",
        verbose_name=_("社保協"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    used_at = models.DateTimeField(_("日時"), db_index=True)
    method = models.CharField(_("メソッド"), max_length=10)
    endpoint = models.CharField(_("エンドポイント"), max_length=120, help_text=_("URL の名前"))
    path = models.CharField(_("パス"), max_length=300)
    status = models.PositiveSmallIntegerField(_("応答コード"))
    address = models.GenericIPAddressField(_("接続元"), null=True, blank=True)

    class Meta:
        app_label = "core"
        verbose_name = _("APIトークンの利用記録")
        verbose_name_plural = _("APIトークンの利用記録")
        ordering = ["-used_at", "-pk"]
        indexes = [models.Index(fields=["token", "-used_at"], name="core_apiuse_token_used")]

    def __str__(self):
        return f"{self.used_at:%Y-%m-%d %H:%M:%S} {self.method} {self.endpoint} {self.status}"

    @classmethod
    def scope_filter(cls, councils):
        return models.Q(council__in=councils)
