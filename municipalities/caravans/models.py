"""The municipal work: caravans (自治体キャラバン), their questionnaires and typed answers, talks and written answers.

A caravan belongs to a council (a prefectural council, or a local council for its own
municipalities) and a fiscal year; its targets are municipalities of its prefecture, each with
its progress. A questionnaire (事前アンケート) has sections and typed questions; an answer is one
municipality's value for one question, stored typed (`number` sums and sorts) with who entered it,
when and from which source. A question may continue a question of an earlier year: figures are
compared across years only along that chain, and only where the meaning did not change.

The link up to the federation (a caravan's council, an answer's enterer) is a string model
reference: nothing here imports councils (STYLE.md rule 16).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from municipalities.registry.models import Municipality, Prefecture
from shaho.core.japanese import with_fiscal_year
from shaho.core.vocabulary import Evaluation

MAX_AGE = 22  # 子ども医療費助成: up to 22 (大学生世代) in the most generous municipalities


class Questionnaire(models.Model):
    """A questionnaire of one council and fiscal year (or the national council's template)."""

    council = models.ForeignKey(
        "councils.Council", verbose_name=_("社保協"), on_delete=models.PROTECT, related_name="questionnaires"
    )
    prefecture = models.ForeignKey(
        Prefecture,
        verbose_name=_("都道府県"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questionnaires",
        help_text=_("空欄は全国のひな形"),
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), help_text=_("例: 2023（2023年度）"))
    title = models.CharField(_("表題"), max_length=200)
    is_template = models.BooleanField(_("全国のひな形"), default=False)
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("複製元"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
    )
    published_at = models.DateTimeField(_("公開日時"), null=True, blank=True, help_text=_("空欄は非公開"))
    public_note = models.TextField(_("公開ページの説明"), blank=True)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("アンケート")
        verbose_name_plural = _("アンケート")
        ordering = ["-fiscal_year", "prefecture__code", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=1990, fiscal_year__lte=2100), name="questionnaire_year"
            ),
        ]

    def __str__(self):
        return with_fiscal_year(self.fiscal_year, self.title)

    @classmethod
    def scope_filter(cls, councils):
        return Q(council__in=councils)


class QuestionnaireSection(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("アンケート"), on_delete=models.CASCADE, related_name="sections"
    )
    number = models.PositiveSmallIntegerField(_("番号"))
    title = models.CharField(_("見出し"), max_length=100)

    class Meta:
        verbose_name = _("アンケートの章")
        verbose_name_plural = _("アンケートの章")
        ordering = ["questionnaire", "number"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "number"], name="section_number_once")]

    def __str__(self):
        return f"{self.number}. {self.title}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(questionnaire__council__in=councils)


class AnswerKind(models.TextChoices):
    INTEGER = "integer", _("整数")
    MONEY = "money", _("金額（円）")
    PERCENT = "percent", _("割合（%）")
    YES_NO = "yes_no", _("はい・いいえ")
    CHOICE = "choice", _("選択（一つ）")
    CHOICES = "choices", _("選択（複数）")
    AGE = "age", _("年齢・学年")
    DATE = "date", _("日付")
    TEXT = "text", _("自由記述")


NUMERIC_KINDS = {AnswerKind.INTEGER, AnswerKind.MONEY, AnswerKind.PERCENT, AnswerKind.YES_NO, AnswerKind.AGE}


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("アンケート"), on_delete=models.CASCADE, related_name="questions"
    )
    section = models.ForeignKey(
        QuestionnaireSection, verbose_name=_("章"), on_delete=models.CASCADE, related_name="questions"
    )
    code = models.CharField(_("設問番号"), max_length=12, help_text=_("例: 2-3（章-番号）"))
    order = models.PositiveSmallIntegerField(_("並び順"), default=0)
    text = models.CharField(_("設問"), max_length=300)
    kind = models.CharField(_("回答の型"), max_length=12, choices=AnswerKind.choices)
    choices = models.JSONField(_("選択肢"), default=list, blank=True, help_text=_("選択の設問の選択肢（一行に一つ）"))
    unit = models.CharField(_("単位"), max_length=20, blank=True)
    help_text = models.CharField(_("記入の説明"), max_length=300, blank=True)
    required = models.BooleanField(_("必須"), default=False, help_text=_("空欄を認めない"))
    is_indicator = models.BooleanField(_("指標"), default=False, help_text=_("年ごと・自治体ごとに比べる数字"))
    indicator_key = models.SlugField(
        _("指標の識別名"), max_length=40, blank=True, help_text=_("例: shikaku_all（年をまたいで同じ指標）")
    )
    continues = models.ForeignKey(
        "self",
        verbose_name=_("前年度の設問"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continued_by",
        help_text=_("この設問が引き継ぐ前の年度の設問"),
    )
    meaning_changed = models.BooleanField(
        _("意味が変わった"), default=False, help_text=_("前年度と比べられない（設問の意味が変わった）")
    )
    published = models.BooleanField(_("公開する"), default=False, help_text=_("公開ページにこの設問の回答を出す"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("設問")
        verbose_name_plural = _("設問")
        ordering = ["questionnaire", "section__number", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="question_code_once")]
        indexes = [models.Index(fields=["indicator_key"])]

    def __str__(self):
        return f"{self.code} {self.text}"

    @property
    def header(self):
        """The column header of the questionnaire's spreadsheet: 「2-3 国保料（円）」."""
        unit = f"（{self.unit}）" if self.unit else ""
        return f"{self.code} {self.text}{unit}"

    @property
    def comparable_with_previous(self):
        return bool(self.continues_id) and not self.meaning_changed

    def clean(self):
        errors = {}
        if self.section_id and self.questionnaire_id and self.section.questionnaire_id != self.questionnaire_id:
            errors["section"] = "章は同じアンケートのものを選んでください。"
        if self.kind in (AnswerKind.CHOICE, AnswerKind.CHOICES) and not self.choices:
            errors["choices"] = "選択の設問には選択肢を入れてください。"
        if self.continues_id and self.questionnaire_id:
            if self.continues.questionnaire.fiscal_year >= self.questionnaire.fiscal_year:
                errors["continues"] = "前年度の設問は、これより前の年度のアンケートから選んでください。"
        if self.is_indicator and not self.indicator_key:
            errors["indicator_key"] = "指標には識別名を入れてください。"
        if errors:
            raise ValidationError(errors)

    @classmethod
    def scope_filter(cls, councils):
        return Q(questionnaire__council__in=councils)


class Caravan(models.Model):
    """One council's caravan of one fiscal year: its targets, courses, talks and questionnaire."""

    council = models.ForeignKey(
        "councils.Council", verbose_name=_("社保協"), on_delete=models.PROTECT, related_name="caravans"
    )
    prefecture = models.ForeignKey(Prefecture, verbose_name=_("都道府県"), on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("事前アンケート"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="caravans",
    )
    visits_planned = models.BooleanField(
        _("訪問あり"), default=True, help_text=_("アンケートのみの年（2020年度など）は外す")
    )
    # Totals as the caravan's report states them ("延べ約500団体、1,500人、行政側約900人"); when blank,
    # the figures are summed from the courses and talks.
    organisations_total = models.PositiveIntegerField(_("参加団体数（延べ）"), null=True, blank=True)
    participants_total = models.PositiveIntegerField(_("参加者数（延べ）"), null=True, blank=True)
    officials_total = models.PositiveIntegerField(_("行政側の参加者数（延べ）"), null=True, blank=True)
    note = models.TextField(_("内部メモ"), blank=True, help_text=_("公開しません"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("自治体キャラバン")
        verbose_name_plural = _("自治体キャラバン")
        ordering = ["-fiscal_year", "prefecture__code"]
        constraints = [
            models.UniqueConstraint(fields=["council", "fiscal_year"], name="one_caravan_per_council_and_year"),
        ]

    def __str__(self):
        return with_fiscal_year(self.fiscal_year, self.title)

    @classmethod
    def scope_filter(cls, councils):
        return Q(council__in=councils)


class CaravanCourse(models.Model):
    caravan = models.ForeignKey(Caravan, verbose_name=_("キャラバン"), on_delete=models.CASCADE, related_name="courses")
    number = models.PositiveSmallIntegerField(_("コース番号"))
    name = models.CharField(_("コース名"), max_length=100)
    starts_on = models.DateField(_("開始日"), null=True, blank=True)
    ends_on = models.DateField(_("終了日"), null=True, blank=True)
    organisations = models.ManyToManyField(
        "councils.Organisation", verbose_name=_("参加団体"), blank=True, related_name="caravan_courses"
    )
    organisation_count = models.PositiveIntegerField(_("参加団体数"), default=0)
    participants = models.PositiveIntegerField(_("参加者数"), default=0)

    class Meta:
        verbose_name = _("キャラバンのコース")
        verbose_name_plural = _("キャラバンのコース")
        ordering = ["caravan", "number"]
        constraints = [models.UniqueConstraint(fields=["caravan", "number"], name="course_number_once")]

    def __str__(self):
        return f"{self.number} {self.name}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(caravan__council__in=councils)


class CaravanTarget(models.Model):
    """One municipality (or body) of a caravan and how far it has got.

    Questionnaire sent, answered, demand letter handed over, visit held, written answer received."""

    caravan = models.ForeignKey(Caravan, verbose_name=_("キャラバン"), on_delete=models.CASCADE, related_name="targets")
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("市区町村"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="caravan_targets",
    )
    other_body = models.CharField(
        _("その他の訪問先"), max_length=100, blank=True, help_text=_("広域連合など、市区町村でない訪問先")
    )
    course = models.ForeignKey(
        CaravanCourse,
        verbose_name=_("コース"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="targets",
    )
    questionnaire_sent_on = models.DateField(_("アンケート送付日"), null=True, blank=True)
    answered_on = models.DateField(_("アンケート回答日"), null=True, blank=True)
    demands_handed_on = models.DateField(_("要望書提出日"), null=True, blank=True)
    visited_on = models.DateField(_("懇談日"), null=True, blank=True)
    written_answer_on = models.DateField(_("文書回答日"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("キャラバンの訪問先")
        verbose_name_plural = _("キャラバンの訪問先")
        ordering = ["caravan", "municipality__code"]
        constraints = [
            models.UniqueConstraint(fields=["caravan", "municipality"], name="target_once_per_caravan"),
            models.CheckConstraint(
                condition=Q(municipality__isnull=False) | ~Q(other_body=""), name="target_municipality_or_body"
            ),
        ]

    def __str__(self):
        return f"{self.caravan}: {self.name}"

    @property
    def name(self):
        return str(self.municipality) if self.municipality_id else self.other_body

    @property
    def is_municipality(self):
        """A 市町村 counted in the caravan's figures (not a ward of a designated city, not a 広域連合)."""
        return self.municipality_id is not None and self.municipality.kind != Municipality.Kind.WARD

    def clean(self):
        if not self.municipality_id and not self.other_body:
            raise ValidationError({"municipality": "市区町村か、その他の訪問先を入れてください。"})
        if self.caravan_id and self.municipality_id and self.municipality.prefecture_id != self.caravan.prefecture_id:
            raise ValidationError(
                {"municipality": f"{self.municipality.name}は{self.caravan.prefecture.name}の市区町村ではありません。"}
            )
        if self.course_id and self.caravan_id and self.course.caravan_id != self.caravan_id:
            raise ValidationError({"course": "コースは同じキャラバンのものを選んでください。"})

    @classmethod
    def scope_filter(cls, councils):
        return Q(caravan__council__in=councils)


class Answer(models.Model):
    """One municipality's answer to one question, typed: `number` for integer, money, %, yes/no (1/0) and age."""

    class Source(models.TextChoices):
        PAPER = "paper", _("紙の回答")
        XLSX = "xlsx", _("自治体のExcel")
        TALK = "talk", _("懇談")
        FORM = "form", _("画面で入力")

    question = models.ForeignKey(Question, verbose_name=_("設問"), on_delete=models.CASCADE, related_name="answers")
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("市区町村"), on_delete=models.PROTECT, related_name="caravan_answers"
    )
    number = models.DecimalField(_("数値"), max_digits=16, decimal_places=2, null=True, blank=True)
    text = models.TextField(_("回答（文字）"), blank=True)
    date = models.DateField(_("日付"), null=True, blank=True)
    choices = models.JSONField(_("選んだ選択肢"), default=list, blank=True)
    source = models.CharField(_("出典"), max_length=10, choices=Source.choices, default=Source.FORM)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("入力者"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("入力日時"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("アンケートの回答")
        verbose_name_plural = _("アンケートの回答")
        ordering = ["question", "municipality__code"]
        constraints = [models.UniqueConstraint(fields=["question", "municipality"], name="one_answer_per_question")]
        indexes = [models.Index(fields=["municipality", "question"])]

    def __str__(self):
        return f"{self.municipality}: {self.question.code}"

    @property
    def is_blank(self):
        return self.number is None and not self.text and self.date is None and not self.choices

    def display(self):
        """The answer as printed: 「はい」, 「18歳」, 「52,000円」, 「12.5%」."""
        kind = self.question.kind
        if kind == AnswerKind.YES_NO:
            return "" if self.number is None else ("はい" if self.number else "いいえ")
        if kind == AnswerKind.AGE:
            return "" if self.number is None else f"{int(self.number)}歳"
        if kind in (AnswerKind.INTEGER, AnswerKind.MONEY):
            if self.number is None:
                return ""
            unit = "円" if kind == AnswerKind.MONEY else self.question.unit
            return f"{int(self.number):,}{unit}"
        if kind == AnswerKind.PERCENT:
            return "" if self.number is None else f"{self.number.normalize():f}%"
        if kind == AnswerKind.DATE:
            return "" if self.date is None else f"{self.date.year}年{self.date.month}月{self.date.day}日"
        if kind == AnswerKind.CHOICES:
            return "・".join(self.choices)
        return self.text

    def clean(self):
        if self.number is not None and self.question_id:
            kind = self.question.kind
            if kind == AnswerKind.PERCENT and not (Decimal(0) <= self.number <= Decimal(100)):
                raise ValidationError({"number": "割合は0から100までです。"})
            if kind == AnswerKind.AGE and not (0 <= self.number <= MAX_AGE):
                raise ValidationError({"number": f"年齢は0歳から{MAX_AGE}歳までです。"})
            if kind == AnswerKind.YES_NO and self.number not in (0, 1):
                raise ValidationError({"number": "はい・いいえの回答は 1（はい）か 0（いいえ）です。"})

    @classmethod
    def scope_filter(cls, councils):
        return Q(question__questionnaire__council__in=councils)


class Talk(models.Model):
    """A talk (懇談) with a municipality on a caravan: who came, which demands, what they answered."""

    target = models.ForeignKey(CaravanTarget, verbose_name=_("訪問先"), on_delete=models.CASCADE, related_name="talks")
    held_at = models.DateTimeField(_("日時"))
    place = models.CharField(_("場所"), max_length=200, blank=True)
    our_participants = models.PositiveIntegerField(_("こちらの参加者数"), default=0)
    officials = models.PositiveIntegerField(_("行政側の参加者数"), default=0)
    summary = models.TextField(_("概要"), blank=True)
    internal_note = models.TextField(_("内部メモ"), blank=True, help_text=_("公開しません"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("懇談")
        verbose_name_plural = _("懇談")
        ordering = ["-held_at"]

    def __str__(self):
        return f"{self.target.name} {self.held_at:%Y-%m-%d}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(target__caravan__council__in=councils)


class TalkParticipation(models.Model):
    """Our participants of a talk, per organisation."""

    talk = models.ForeignKey(Talk, verbose_name=_("懇談"), on_delete=models.CASCADE, related_name="participations")
    organisation_name = models.CharField(_("団体"), max_length=100)
    count = models.PositiveIntegerField(_("人数"))

    class Meta:
        verbose_name = _("懇談の参加団体")
        verbose_name_plural = _("懇談の参加団体")

    def __str__(self):
        return f"{self.organisation_name} {self.count}人"

    @classmethod
    def scope_filter(cls, councils):
        return Q(talk__target__caravan__council__in=councils)


class TalkOfficial(models.Model):
    """Officials present at a talk: department, title, how many."""

    talk = models.ForeignKey(Talk, verbose_name=_("懇談"), on_delete=models.CASCADE, related_name="official_rows")
    department = models.CharField(_("部署"), max_length=100)
    title = models.CharField(_("役職"), max_length=60, blank=True)
    count = models.PositiveIntegerField(_("人数"), default=1)

    class Meta:
        verbose_name = _("懇談の行政側出席者")
        verbose_name_plural = _("懇談の行政側出席者")

    def __str__(self):
        return f"{self.department} {self.title} {self.count}人"

    @classmethod
    def scope_filter(cls, councils):
        return Q(talk__target__caravan__council__in=councils)


class TalkItem(models.Model):
    """One demand discussed at a talk, the municipality's answer, our evaluation and the follow-up."""

    talk = models.ForeignKey(Talk, verbose_name=_("懇談"), on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("番号"))
    demand = models.TextField(_("要望・質問"))
    answer = models.TextField(_("回答"), blank=True)
    evaluation = models.CharField(_("評価"), max_length=10, choices=Evaluation.choices, default=Evaluation.NO_ANSWER)
    follow_up = models.CharField(_("今後の対応"), max_length=300, blank=True)
    follow_up_due = models.DateField(_("対応の期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("懇談の項目")
        verbose_name_plural = _("懇談の項目")
        ordering = ["talk", "number"]
        constraints = [models.UniqueConstraint(fields=["talk", "number"], name="talk_item_number_once")]

    def __str__(self):
        return f"{self.number}. {self.demand[:30]}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(talk__target__caravan__council__in=councils)


class DemandLetter(models.Model):
    """A written demand letter (要望書) handed to a municipality, answered in writing item by item."""

    target = models.ForeignKey(
        CaravanTarget, verbose_name=_("訪問先"), on_delete=models.CASCADE, related_name="demand_letters"
    )
    title = models.CharField(_("表題"), max_length=200)
    handed_on = models.DateField(_("提出日"), null=True, blank=True)
    answered_on = models.DateField(_("回答日"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("要望書")
        verbose_name_plural = _("要望書")
        ordering = ["target", "handed_on"]

    def __str__(self):
        return f"{self.target.name} {self.title}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(target__caravan__council__in=councils)


class DemandItem(models.Model):
    letter = models.ForeignKey(DemandLetter, verbose_name=_("要望書"), on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField(_("項目番号"))
    text = models.TextField(_("要望"))
    answer = models.TextField(_("文書回答"), blank=True)
    evaluation = models.CharField(_("評価"), max_length=10, choices=Evaluation.choices, blank=True)
    continues = models.ForeignKey(
        "self",
        verbose_name=_("前年度の項目"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continued_by",
        help_text=_("この項目が引き継ぐ前年度の要望項目"),
    )

    class Meta:
        verbose_name = _("要望項目")
        verbose_name_plural = _("要望項目")
        ordering = ["letter", "number"]
        constraints = [models.UniqueConstraint(fields=["letter", "number"], name="demand_item_number_once")]

    def __str__(self):
        return f"{self.number}. {self.text[:30]}"

    @classmethod
    def scope_filter(cls, councils):
        return Q(letter__target__caravan__council__in=councils)
