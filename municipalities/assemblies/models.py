"""Local assemblies: 陳情・請願・議員発議, their committee and plenary outcomes, each party group's vote, 意見書.

The work layer beside the registry: an assembly is a municipality's (or a prefecture's) from
`registry`; petitions hang off a council and a campaign by string references, so nothing here
imports the federation or the campaigns. Every row is scoped through its assembly: prefectural
staff see their prefecture's assemblies, a local council's staff the assemblies of the
municipalities it covers (and what it submitted itself).

Writes go through `municipalities.assemblies.services`; `clean()` holds the checks the database
cannot (dates within the sitting, votes adding up), `Meta.constraints` the ones it can.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from municipalities.registry.models import Municipality, Prefecture


def municipalities_in_scope(councils):
    """Q on Municipality: those whose assembly `councils` work on (the rule of Assembly.scope_filter).

    Every municipality of a prefecture whose prefectural council is in scope, and those a council in
    scope covers; a council covering wards of a designated city works on that city's assembly.
    """
    covered = councils.values("municipalities")
    return (
        Q(prefecture__in=councils.filter(kind="prefectural").values("prefecture"))
        | Q(pk__in=covered)
        | Q(pk__in=Municipality.objects.filter(wards__in=covered).values("pk"))
    )


def prefectural_assemblies_in_scope(councils):
    """Q on Prefecture: those whose prefectural assembly `councils` work on (their prefectural council's)."""
    return Q(pk__in=councils.filter(kind="prefectural").values("prefecture"))


def _assemblies_in_scope(councils):
    """Q on Assembly: see `municipalities_in_scope`; a prefectural assembly by its prefectural council."""
    return Q(municipality__in=Municipality.objects.filter(municipalities_in_scope(councils)).values("pk")) | Q(
        municipality__isnull=True, prefecture__in=councils.filter(kind="prefectural").values("prefecture")
    )


class Assembly(models.Model):
    """The assembly (議会) of a municipality, a Tokyo ward, or a prefecture (municipality empty)."""

    prefecture = models.ForeignKey(
        Prefecture, verbose_name=_("都道府県"), on_delete=models.PROTECT, related_name="assemblies"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("市区町村"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assemblies",
        help_text=_("空欄なら都道府県議会"),
    )
    note = models.TextField(_("備考"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("議会")
        verbose_name_plural = _("議会")
        ordering = ["prefecture__code", "municipality__code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality"], name="assembly_one_per_municipality"),
            models.UniqueConstraint(
                fields=["prefecture"], condition=Q(municipality__isnull=True), name="assembly_one_per_prefecture"
            ),
        ]

    def __str__(self):
        if self.municipality_id:
            return f"{self.municipality.name}議会"
        return f"{self.prefecture.name}議会"

    @property
    def is_prefectural(self):
        return self.municipality_id is None

    def clean(self):
        if self.municipality_id:
            if self.municipality.kind == Municipality.Kind.WARD:
                raise ValidationError({"municipality": "行政区には議会がありません。市の議会を指定してください。"})
            self.prefecture_id = self.municipality.prefecture_id

    @classmethod
    def scope_filter(cls, councils):
        return _assemblies_in_scope(councils)


class PartyGroup(models.Model):
    """A 会派 of an assembly, valid over a period (groups form, merge and dissolve)."""

    assembly = models.ForeignKey(Assembly, verbose_name=_("議会"), on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("会派名"), max_length=60)
    party = models.CharField(_("政党"), max_length=40, blank=True, help_text=_("集計用の政党名（自民、共産など）"))
    seats = models.PositiveSmallIntegerField(_("議員数"), null=True, blank=True)
    valid_from = models.DateField(_("結成日"), null=True, blank=True)
    valid_until = models.DateField(_("解散日"), null=True, blank=True, help_text=_("この日から存在しない"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("会派")
        verbose_name_plural = _("会派")
        ordering = ["assembly", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gt=models.F("valid_from")),
                name="party_group_valid_range",
            ),
        ]

    def __str__(self):
        return self.name

    def exists_on(self, date):
        return (self.valid_from is None or self.valid_from <= date) and (
            self.valid_until is None or date < self.valid_until
        )

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": "解散日は結成日より後の日付にしてください。"})

    @classmethod
    def scope_filter(cls, councils):
        return Q(assembly__in=Assembly.objects.filter(_assemblies_in_scope(councils)).values("pk"))


class Season(models.TextChoices):
    """The regular sittings by the month they are called (12月議会 …), and the extraordinary ones."""

    MARCH = "03", _("3月議会")
    JUNE = "06", _("6月議会")
    SEPTEMBER = "09", _("9月議会")
    DECEMBER = "12", _("12月議会")
    EXTRAORDINARY = "xx", _("臨時会")


def season_of(date):
    """The regular sitting a date falls in: Feb–Apr 3月, May–Jul 6月, Aug–Oct 9月, Nov–Jan 12月."""
    return {2: "03", 3: "03", 4: "03", 5: "06", 6: "06", 7: "06", 8: "09", 9: "09", 10: "09"}.get(date.month, "12")


def sitting_year_of(date, season):
    """The year a sitting is named by: a 12月議会 whose date falls in January is the previous year's."""
    return date.year - 1 if season == Season.DECEMBER and date.month == 1 else date.year


class Sitting(models.Model):
    """A sitting (定例会・臨時会) of an assembly: named by its season and year, dated by its session."""

    assembly = models.ForeignKey(Assembly, verbose_name=_("議会"), on_delete=models.CASCADE, related_name="sittings")
    season = models.CharField(_("定例会"), max_length=2, choices=Season.choices)
    year = models.PositiveSmallIntegerField(_("年"), help_text=_("2019年12月議会なら2019"))
    starts_on = models.DateField(_("会期の初日"))
    ends_on = models.DateField(_("会期の最終日"), null=True, blank=True)
    name = models.CharField(_("名称"), max_length=60, blank=True, help_text=_("例: 令和元年第4回定例会"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("会期（定例会・臨時会）")
        verbose_name_plural = _("会期（定例会・臨時会）")
        ordering = ["assembly", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="sitting_dates_order"
            ),
            models.UniqueConstraint(
                fields=["assembly", "year", "season"],
                condition=~Q(season="xx"),
                name="sitting_one_regular_per_season",
            ),
        ]
        indexes = [models.Index(fields=["year", "season"])]

    def __str__(self):
        label = f"{self.year}年{self.get_season_display()}"
        return f"{label}（{self.name}）" if self.name else label

    def contains(self, date):
        return self.starts_on <= date and (self.ends_on is None or date <= self.ends_on)

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "会期の最終日は初日より後の日付にしてください。"})

    @classmethod
    def scope_filter(cls, councils):
        return Q(assembly__in=Assembly.objects.filter(_assemblies_in_scope(councils)).values("pk"))


class Outcome(models.TextChoices):
    PENDING = "pending", _("審査中")
    ADOPTED = "adopted", _("採択")
    PARTLY_ADOPTED = "partly", _("一部採択")
    ADOPTED_IN_SPIRIT = "spirit", _("趣旨採択")
    NOTED_IN_SPIRIT = "noted", _("趣旨了承")
    REJECTED = "rejected", _("不採択")
    CONTINUED = "continued", _("継続審議")
    LAPSED = "lapsed", _("審議未了")
    WITHDRAWN = "withdrawn", _("取り下げ")


# What counts as adopted in a campaign's count (趣旨了承 is not: no 意見書 can follow from it).
ADOPTED_OUTCOMES = (Outcome.ADOPTED, Outcome.PARTLY_ADOPTED, Outcome.ADOPTED_IN_SPIRIT)
# Still to be decided: listed with their next committee date.
OPEN_OUTCOMES = (Outcome.PENDING, Outcome.CONTINUED)


class Stage(models.TextChoices):
    COMMITTEE = "committee", _("委員会")
    PLENARY = "plenary", _("本会議")


class AssemblyPetition(models.Model):
    """A 陳情, 請願 or 議員発議 to an assembly, with its deliberation and outcomes."""

    class Kind(models.TextChoices):
        CHINJO = "chinjo", _("陳情")
        SEIGAN = "seigan", _("請願")
        MEMBERS = "members", _("議員発議")

    assembly = models.ForeignKey(Assembly, verbose_name=_("議会"), on_delete=models.PROTECT, related_name="petitions")
    sitting = models.ForeignKey(Sitting, verbose_name=_("会期"), on_delete=models.PROTECT, related_name="petitions")
    kind = models.CharField(_("種別"), max_length=10, choices=Kind.choices, default=Kind.CHINJO)
    title = models.CharField(_("件名"), max_length=200)
    theme = models.CharField(_("テーマ"), max_length=60, blank=True, help_text=_("国保、保険証、病院など"))
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("運動"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assembly_petitions",
    )
    text = models.TextField(_("本文"), blank=True)
    attachment = models.FileField(_("添付ファイル"), upload_to="assemblies/%Y/", blank=True)
    submitted_by = models.ForeignKey(
        "councils.Council",
        verbose_name=_("提出した社保協"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assembly_petitions",
    )
    organisations = models.ManyToManyField(
        "councils.Organisation",
        verbose_name=_("提出した団体"),
        blank=True,
        related_name="assembly_petitions",
    )
    introducing_members = models.CharField(
        _("紹介議員・提出議員"), max_length=200, blank=True, help_text=_("請願の紹介議員、議員発議の提出者")
    )
    submitted_on = models.DateField(_("提出日"), null=True, blank=True)
    committee = models.CharField(_("付託委員会"), max_length=60, blank=True)
    committee_on = models.DateField(_("委員会の審査日"), null=True, blank=True)
    statement_made = models.BooleanField(_("陳述した"), default=False)
    committee_outcome = models.CharField(
        _("委員会の結果"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    committee_for = models.PositiveSmallIntegerField(_("委員会の賛成数"), null=True, blank=True)
    committee_against = models.PositiveSmallIntegerField(_("委員会の反対数"), null=True, blank=True)
    committee_chair_decided = models.BooleanField(
        _("委員長決裁"), default=False, help_text=_("可否同数で委員長が決した")
    )
    plenary_on = models.DateField(_("本会議の議決日"), null=True, blank=True)
    plenary_outcome = models.CharField(
        _("本会議の結果"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    plenary_for = models.PositiveSmallIntegerField(_("本会議の賛成数"), null=True, blank=True)
    plenary_against = models.PositiveSmallIntegerField(_("本会議の反対数"), null=True, blank=True)
    plenary_chair_decided = models.BooleanField(_("議長決裁"), default=False)
    # The outcome that counts (plenary when decided there, else committee) and its date: set by the services.
    outcome = models.CharField(
        _("結果"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING, editable=False, db_index=True
    )
    decided_on = models.DateField(_("結果の日"), null=True, blank=True, editable=False)
    note = models.TextField(_("備考"), blank=True)
    entered_by = models.ForeignKey(
        "councils.User", verbose_name=_("登録者"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(_("登録日時"), null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(
        "councils.User", verbose_name=_("更新者"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新日時"), null=True, blank=True, editable=False)

    history = HistoricalRecords(m2m_fields=[organisations])

    class Meta:
        verbose_name = _("議会への陳情・請願")
        verbose_name_plural = _("議会への陳情・請願")
        ordering = ["-sitting__starts_on", "assembly"]
        constraints = [
            models.CheckConstraint(
                condition=Q(committee_on__isnull=True)
                | Q(submitted_on__isnull=True)
                | Q(committee_on__gte=models.F("submitted_on")),
                name="assembly_petition_committee_after_submission",
            ),
            models.CheckConstraint(
                condition=Q(plenary_on__isnull=True)
                | Q(submitted_on__isnull=True)
                | Q(plenary_on__gte=models.F("submitted_on")),
                name="assembly_petition_plenary_after_submission",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "outcome", "decided_on"])]

    def __str__(self):
        return f"{self.assembly}「{self.title}」（{self.get_kind_display()}）"

    def final_outcome(self):
        """(outcome, date): the plenary's once decided there, else the committee's."""
        if self.plenary_outcome != Outcome.PENDING:
            return self.plenary_outcome, self.plenary_on
        return self.committee_outcome, self.committee_on

    @property
    def is_adopted(self):
        return self.outcome in ADOPTED_OUTCOMES

    def clean(self):
        """The rules one row can check: dates in order and within the sitting, a decided outcome has its date."""
        errors = {}
        # An importer checks rows against a sitting (and an assembly) it will only create on commit.
        sitting = self.sitting if self.sitting_id or "sitting" in self._state.fields_cache else None
        assembly = self.assembly if self.assembly_id or "assembly" in self._state.fields_cache else None
        if sitting is not None and sitting.assembly_id and self.assembly_id and sitting.assembly_id != self.assembly_id:
            errors["sitting"] = f"会期「{sitting}」は{self.assembly}の会期ではありません。"
        for name, label in (("committee_on", "委員会の審査日"), ("plenary_on", "本会議の議決日")):
            day = getattr(self, name)
            if day and self.submitted_on and day < self.submitted_on:
                errors[name] = f"{label}（{_jdate(day)}）が提出日（{_jdate(self.submitted_on)}）より前です。"
            elif day and sitting is not None and "sitting" not in errors and not sitting.contains(day):
                end = _jdate(sitting.ends_on) if sitting.ends_on else ""
                errors[name] = (
                    f"{label}（{_jdate(day)}）が会期「{sitting}」（{_jdate(sitting.starts_on)}〜{end}）の外です。"
                )
        if self.committee_on and self.plenary_on and self.plenary_on < self.committee_on and "plenary_on" not in errors:
            errors["plenary_on"] = "本会議の議決日が委員会の審査日より前です。"
        if self.committee_outcome not in (Outcome.PENDING, Outcome.WITHDRAWN) and not self.committee_on:
            errors.setdefault("committee_on", "委員会の結果を入れるには審査日を入力してください。")
        if self.plenary_outcome not in (Outcome.PENDING, Outcome.WITHDRAWN) and not self.plenary_on:
            errors.setdefault("plenary_on", "本会議の結果を入れるには議決日を入力してください。")
        municipality = assembly.municipality if assembly is not None else None
        day = self.submitted_on or (sitting.starts_on if sitting is not None else None)
        if municipality is not None and day and not _valid_on(municipality, day):
            errors["assembly"] = f"{municipality.name}は{_jdate(day)}には存在しません（市区町村の有効期間の外です）。"
        if self.kind == self.Kind.MEMBERS and self.submitted_by_id is None and not self.introducing_members:
            errors.setdefault("introducing_members", "議員発議には提出した議員を入力してください。")
        for stage in ("committee", "plenary"):
            ayes, noes = getattr(self, f"{stage}_for"), getattr(self, f"{stage}_against")
            decided = getattr(self, f"{stage}_chair_decided")
            label = "委員長決裁" if stage == "committee" else "議長決裁"
            if decided and ayes is not None and noes is not None and ayes != noes:
                errors[f"{stage}_chair_decided"] = f"{label}は可否同数のときだけです（賛成{ayes}・反対{noes}）。"
        if errors:
            raise ValidationError(errors)

    @classmethod
    def scope_filter(cls, councils):
        return Q(assembly__in=Assembly.objects.filter(_assemblies_in_scope(councils)).values("pk")) | Q(
            submitted_by__in=councils.values("pk")
        )


def _valid_on(municipality, day):
    return (municipality.valid_from is None or municipality.valid_from <= day) and (
        municipality.valid_until is None or day < municipality.valid_until
    )


def _jdate(day):
    return f"{day.year}年{day.month}月{day.day}日" if isinstance(day, datetime.date) else ""


class AssemblyVote(models.Model):
    """One party group's position on one decision (committee or plenary) of a petition."""

    class Position(models.TextChoices):
        FOR = "for", _("賛成")
        AGAINST = "against", _("反対")
        ABSTAIN = "abstain", _("棄権")
        LEFT = "left", _("退席")
        SPLIT = "split", _("分かれた")

    petition = models.ForeignKey(
        AssemblyPetition, verbose_name=_("陳情・請願"), on_delete=models.CASCADE, related_name="votes"
    )
    stage = models.CharField(_("議決の場"), max_length=10, choices=Stage.choices, default=Stage.COMMITTEE)
    group = models.ForeignKey(PartyGroup, verbose_name=_("会派"), on_delete=models.PROTECT, related_name="votes")
    position = models.CharField(_("態度"), max_length=10, choices=Position.choices)
    members_for = models.PositiveSmallIntegerField(_("賛成の人数"), null=True, blank=True)
    members_against = models.PositiveSmallIntegerField(_("反対の人数"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("会派の態度")
        verbose_name_plural = _("会派の態度")
        ordering = ["petition", "stage", "group__name"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "stage", "group"], name="assembly_vote_once_per_group"),
        ]

    def __str__(self):
        return f"{self.group} {self.get_position_display()}"

    def clean(self):
        errors = {}
        # The petition may be one being saved with its votes (not in the database yet).
        petition = self.petition if self.petition_id or "petition" in self._state.fields_cache else None
        if petition is not None and self.group_id:
            if petition.assembly_id and self.group.assembly_id != petition.assembly_id:
                errors["group"] = f"会派「{self.group}」は{petition.assembly}の会派ではありません。"
            else:
                day = petition.committee_on if self.stage == Stage.COMMITTEE else petition.plenary_on
                if day and not self.group.exists_on(day):
                    errors["group"] = f"会派「{self.group}」は{_jdate(day)}には存在しません。"
        if self.position == self.Position.FOR and self.members_against:
            errors["members_against"] = "賛成の会派に反対の人数は入れられません（「分かれた」を選んでください）。"
        if self.position == self.Position.AGAINST and self.members_for:
            errors["members_for"] = "反対の会派に賛成の人数は入れられません（「分かれた」を選んでください）。"
        if errors:
            raise ValidationError(errors)

    @classmethod
    def scope_filter(cls, councils):
        return Q(petition__in=AssemblyPetition.objects.filter(AssemblyPetition.scope_filter(councils)).values("pk"))


class OpinionStatement(models.Model):
    """An 意見書 an assembly adopts (or was to adopt) and sends to the national government."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("提出予定")
        ADOPTED = "adopted", _("可決・送付")
        REJECTED = "rejected", _("否決")
        NOT_PROPOSED = "not_proposed", _("提出できず")

    assembly = models.ForeignKey(
        Assembly, verbose_name=_("議会"), on_delete=models.PROTECT, related_name="opinion_statements"
    )
    petition = models.ForeignKey(
        AssemblyPetition,
        verbose_name=_("もとの陳情・請願・議員発議"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opinion_statements",
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("運動"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opinion_statements",
        help_text=_("空欄ならもとの陳情・請願の運動"),
    )
    title = models.CharField(_("件名"), max_length=200)
    addressees = models.TextField(
        _("提出先"), blank=True, help_text=_("一行に一つ（内閣総理大臣、厚生労働大臣、衆議院議長など）")
    )
    status = models.CharField(_("状態"), max_length=20, choices=Status.choices, default=Status.ADOPTED)
    adopted_on = models.DateField(_("可決日"), null=True, blank=True)
    text = models.TextField(_("本文"), blank=True)
    attachment = models.FileField(_("添付ファイル"), upload_to="assemblies/opinions/%Y/", blank=True)
    note = models.TextField(_("備考"), blank=True)
    entered_by = models.ForeignKey(
        "councils.User", verbose_name=_("登録者"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(_("登録日時"), null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("意見書")
        verbose_name_plural = _("意見書")
        ordering = ["-adopted_on", "assembly"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="adopted") | Q(adopted_on__isnull=False), name="opinion_statement_adopted_dated"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status", "adopted_on"])]

    def __str__(self):
        return f"{self.assembly}「{self.title}」"

    @property
    def addressee_list(self):
        return [line.strip() for line in self.addressees.splitlines() if line.strip()]

    def clean(self):
        errors = {}
        if self.status == self.Status.ADOPTED and not self.adopted_on:
            errors["adopted_on"] = "可決した意見書には可決日を入力してください。"
        if self.petition_id and self.assembly_id and self.petition.assembly_id != self.assembly_id:
            errors["petition"] = f"「{self.petition}」は{self.assembly}への陳情・請願ではありません。"
        elif self.petition_id and self.adopted_on:
            submitted = self.petition.submitted_on
            if submitted and self.adopted_on < submitted:
                errors["adopted_on"] = f"可決日（{_jdate(self.adopted_on)}）がもとの陳情の提出日より前です。"
        if errors:
            raise ValidationError(errors)

    @classmethod
    def scope_filter(cls, councils):
        return Q(assembly__in=Assembly.objects.filter(_assemblies_in_scope(councils)).values("pk")) | Q(
            petition__submitted_by__in=councils.values("pk")
        )
