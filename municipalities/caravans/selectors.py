"""Reads of the municipal work: caravan figures, indicators across years, the published answers.

Counts and sums come from the database (`aggregate`/`annotate`); pages pivot a constant number
of querysets (answers × years) into rows. `user=None` is a system run (the policy draft made by a
management command), which sees everything; otherwise every queryset goes through `restrict()`.
"""

from collections import Counter
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, Greatest

from municipalities.caravans.models import (
    Answer,
    AnswerKind,
    Caravan,
    CaravanCourse,
    CaravanTarget,
    Question,
    Questionnaire,
    Talk,
    TalkItem,
)
from municipalities.registry.models import Municipality
from municipalities.registry.selectors import Registry
from shaho.core.scoping import restrict, system_user
from shaho.core.vocabulary import Evaluation

from .services import fiscal_year_start


def _scoped(queryset, user):
    return queryset if system_user(user) else restrict(queryset, user)


def visible_caravans(*, user):
    return _scoped(Caravan.objects.select_related("prefecture", "council", "questionnaire"), user)


def visible_questionnaires(*, user):
    return _scoped(Questionnaire.objects.select_related("prefecture", "council"), user)


# --- caravan figures ---------------------------------------------------------------------------


@dataclass
class CaravanFigures:
    caravan: object
    targets: int  # 市町村 targeted (wards of designated cities and 広域連合 not counted)
    wards: int
    other_bodies: int
    answered: int
    visited: int
    visited_wards: int
    visited_other: int
    courses: int
    organisations: int
    participants: int
    officials: int


def caravan_figures(*, caravan):
    """What the draft says of a caravan: targeted, answered, visited, courses, organisations, participants, officials.

    Organisations, participants and officials are the caravan's stated totals when it has them
    ("延べ約500団体、1,500人、行政側約900人"), else summed from its courses and talks.
    """
    ward = Q(municipality__kind=Municipality.Kind.WARD)
    body = Q(municipality__isnull=True)
    plain = ~ward & ~body
    t = CaravanTarget.objects.filter(caravan=caravan).aggregate(
        targets=Count("pk", filter=plain),
        wards=Count("pk", filter=ward),
        other_bodies=Count("pk", filter=body),
        visited=Count("pk", filter=plain & Q(visited_on__isnull=False)),
        visited_wards=Count("pk", filter=ward & Q(visited_on__isnull=False)),
        visited_other=Count("pk", filter=body & Q(visited_on__isnull=False)),
    )
    courses = caravan.courses.aggregate(
        n=Count("pk"), orgs=Coalesce(Sum("organisation_count"), 0), people=Coalesce(Sum("participants"), 0)
    )
    talks = Talk.objects.filter(target__caravan=caravan).aggregate(
        ours=Coalesce(Sum("our_participants"), 0), officials=Coalesce(Sum("officials"), 0)
    )
    return CaravanFigures(
        caravan=caravan,
        courses=courses["n"],
        organisations=caravan.organisations_total if caravan.organisations_total is not None else courses["orgs"],
        participants=caravan.participants_total
        if caravan.participants_total is not None
        else max(courses["people"], talks["ours"]),
        officials=caravan.officials_total if caravan.officials_total is not None else talks["officials"],
        answered=answered_count(questionnaire=caravan.questionnaire, caravan=caravan),
        **t,
    )


def caravan_of(*, prefecture, year, user=None):
    """The prefectural council's caravan of `prefecture` and fiscal `year` (the first one, by council), or None."""
    return (
        visible_caravans(user=user)
        .filter(prefecture=prefecture, fiscal_year=year)
        .order_by("council__kind", "council__sort_key")
        .first()
    )


def caravan_list(*, user, year=None):
    """Caravans the user may see with their progress counts (one query)."""
    qs = visible_caravans(user=user).annotate(
        n_targets=Count("targets", filter=Q(targets__municipality__isnull=False), distinct=True),
        n_answered=Count("targets", filter=Q(targets__answered_on__isnull=False), distinct=True),
        n_visited=Count("targets", filter=Q(targets__visited_on__isnull=False), distinct=True),
    )
    if year:
        qs = qs.filter(fiscal_year=year)
    return qs.order_by("-fiscal_year", "prefecture__code")


def target_rows(*, caravan):
    """The caravan's targets with their course, in registry order (one query)."""
    return caravan.targets.select_related("municipality__prefecture", "course").order_by(
        F("municipality__code").asc(nulls_last=True), "other_body"
    )


# --- indicators across years ---------------------------------------------------------------------


def format_change(question, change):
    """A change since the year before, printed like the answers: 「＋12,000円」「−2歳」「＋1.5ポイント」「±0円」.

    Empty for yes/no questions (a change of はい to いいえ is not a number) and when there is none.
    """
    if change is None or question.kind == AnswerKind.YES_NO:
        return ""
    kind = question.kind
    if kind == AnswerKind.PERCENT:
        number, unit = f"{abs(change).normalize():f}", "ポイント"
    else:
        number = f"{abs(int(change)):,}"
        unit = {AnswerKind.MONEY: "円", AnswerKind.AGE: "歳"}.get(kind, question.unit)
    sign = "＋" if change > 0 else "−" if change < 0 else "±"
    return f"{sign}{number}{unit}"


@dataclass
class YearValue:
    year: int
    answer: object  # Answer or None
    comparable: bool  # compared with the year before (same question, meaning unchanged)
    change: object = None  # Decimal change since the year before, when comparable

    @property
    def display(self):
        return self.answer.display() if self.answer is not None else ""

    @property
    def change_display(self):
        return format_change(self.answer.question, self.change) if self.answer is not None else ""


@dataclass
class IndicatorRow:
    key: str
    label: str
    unit: str
    years: list = field(default_factory=list)


def _comparable(question, previous_question):
    """Whether `question`'s figure compares with `previous_question`'s: it continues it and kept its meaning."""
    return (
        previous_question is not None and question.continues_id == previous_question.pk and not question.meaning_changed
    )


def indicator_keys(*, prefecture=None, user=None):
    """(key, label) of the indicators asked in questionnaires the user may see (the newest label of each)."""
    qs = _scoped(Question.objects.filter(is_indicator=True), user)
    if prefecture is not None:
        qs = qs.filter(questionnaire__prefecture=prefecture)
    seen = {}
    for key, text, unit in qs.order_by("indicator_key", "-questionnaire__fiscal_year").values_list(
        "indicator_key", "text", "unit"
    ):
        seen.setdefault(key, (text, unit))
    return [(key, text) for key, (text, _unit) in seen.items()]


def municipality_indicators(*, municipality, user=None):
    """Each indicator of `municipality`, year by year: [IndicatorRow] (two queries)."""
    questions = list(
        _scoped(Question.objects.filter(is_indicator=True, questionnaire__prefecture=municipality.prefecture), user)
        .select_related("questionnaire")
        .order_by("indicator_key", "questionnaire__fiscal_year")
    )
    answers = {
        a.question_id: a
        for a in _scoped(
            Answer.objects.filter(municipality=municipality, question__in=[q.pk for q in questions]), user
        ).select_related("question")
    }
    rows = {}
    for question in questions:
        row = rows.setdefault(
            question.indicator_key, IndicatorRow(question.indicator_key, question.text, question.unit)
        )
        row.label, row.unit = question.text, question.unit
        previous = row.years[-1] if row.years else None
        answer = answers.get(question.pk)
        comparable = previous is not None and _comparable(question, previous.question)
        value = YearValue(question.questionnaire.fiscal_year, answer, comparable)
        value.question = question
        if comparable and answer is not None and previous.answer is not None:
            if answer.number is not None and previous.answer.number is not None:
                value.change = answer.number - previous.answer.number
        row.years.append(value)
    return list(rows.values())


@dataclass
class PrefectureIndicator:
    prefecture: object
    key: str
    label: str
    unit: str
    years: list  # fiscal years, oldest first
    questions: dict  # year → Question
    rows: list  # [MunicipalityIndicatorRow]
    comparable_last: bool  # the newest year compares with the one before
    count: object = None  # IndicatorCount of the newest year (はい, or at least `at_least`)
    at_least: object = None


@dataclass
class MunicipalityIndicatorRow:
    municipality: object
    values: dict  # year → Answer
    change: object = None
    change_display: str = ""  # 「＋12,000円」

    def value(self, year):
        answer = self.values.get(year)
        return answer.number if answer is not None else None


def prefecture_indicator(*, prefecture, key, user=None, years=5, sort="code", at_least=None):
    """One indicator for every municipality of `prefecture` over its last `years` fiscal years.

    Rows are the 市町村 valid on April 1 of the newest year (a merged municipality appears under
    the new one; a designated city is one row, its wards are not counted); `sort` is "code",
    "value" (the newest year, largest first) or "change" (since the year before, largest first).
    The prefecture's figure counts はい for a yes/no indicator and values of at least `at_least`
    otherwise (an age indicator defaults to 18, the end of high school).
    Four queries whatever the number of municipalities and years.
    """
    questions = list(
        _scoped(
            Question.objects.filter(is_indicator=True, indicator_key=key, questionnaire__prefecture=prefecture), user
        )
        .select_related("questionnaire")
        .order_by("-questionnaire__fiscal_year", "pk")
    )
    by_year = {}
    for question in questions:
        by_year.setdefault(question.questionnaire.fiscal_year, question)
    chosen_years = sorted(by_year)[-years:]
    if not chosen_years:
        return None
    newest = chosen_years[-1]
    chosen = {year: by_year[year] for year in chosen_years}
    municipalities = list(
        Municipality.objects.filter(prefecture=prefecture)
        .filter(Municipality.valid_on(fiscal_year_start(newest)))
        .exclude(kind=Municipality.Kind.WARD)
        .order_by("code")
    )
    year_of = {q.pk: year for year, q in chosen.items()}
    # No default ordering: Answer's ordering follows Question's and Questionnaire's into four joins.
    answers = Answer.objects.filter(question__in=list(year_of)).order_by()
    question_of = {q.pk: q for q in chosen.values()}
    values = {}
    for answer in answers:
        answer.question = question_of[answer.question_id]  # the questions in hand, not joined again
        values.setdefault(answer.municipality_id, {})[year_of[answer.question_id]] = answer
    newest_q = chosen[newest]
    previous_year = chosen_years[-2] if len(chosen_years) > 1 else None
    comparable_last = previous_year is not None and _comparable(newest_q, chosen[previous_year])
    if newest_q.kind == AnswerKind.AGE and at_least is None:
        at_least = 18
    counted = newest_q.kind == AnswerKind.YES_NO or at_least is not None
    rows = []
    for municipality in municipalities:
        row = MunicipalityIndicatorRow(municipality, values.get(municipality.pk, {}))
        row.cells = [row.values.get(year) for year in chosen_years]
        if comparable_last:
            now, before = row.value(newest), row.value(previous_year)
            if now is not None and before is not None:
                row.change = now - before
                row.change_display = format_change(newest_q, row.change)
        rows.append(row)
    if sort in ("value", "change"):
        attr = (lambda r: r.value(newest)) if sort == "value" else (lambda r: r.change)
        rows.sort(key=lambda r: (attr(r) is None, -(attr(r) or 0), r.municipality.code))
    return PrefectureIndicator(
        prefecture=prefecture,
        key=key,
        label=newest_q.text,
        unit=newest_q.unit,
        years=chosen_years,
        questions=chosen,
        rows=rows,
        comparable_last=comparable_last,
        count=indicator_count(key=key, year=newest, prefecture=prefecture, at_least=at_least, user=user)
        if counted
        else None,
        at_least=at_least,
    )


@dataclass
class IndicatorCount:
    matching: int  # municipalities whose answer meets the condition (はい, or at least `at_least`)
    answered: int
    municipalities: int  # 市町村 of the prefecture (or the country) on April 1 of the year

    def text(self):
        """「33市町村中29」."""
        return f"{self.municipalities:,}市町村中{self.matching:,}"


def indicator_count(*, key, year, prefecture=None, at_least=None, user=None):
    """How many municipalities answer indicator `key` of fiscal `year` with はい (or a value ≥ `at_least`).

    Counted in the database over the 市町村 valid on April 1 of the year (wards excluded); nationally
    when `prefecture` is None.
    """
    answers = _scoped(
        Answer.objects.filter(
            question__is_indicator=True, question__indicator_key=key, question__questionnaire__fiscal_year=year
        ),
        user,
    ).exclude(municipality__kind=Municipality.Kind.WARD)
    municipalities = Municipality.objects.filter(Municipality.valid_on(fiscal_year_start(year))).exclude(
        kind=Municipality.Kind.WARD
    )
    if prefecture is not None:
        answers = answers.filter(municipality__prefecture=prefecture)
        municipalities = municipalities.filter(prefecture=prefecture)
    condition = Q(number__gte=at_least) if at_least is not None else Q(number=1)
    counts = answers.aggregate(
        matching=Count("municipality", filter=condition, distinct=True), answered=Count("municipality", distinct=True)
    )
    return IndicatorCount(
        matching=counts["matching"], answered=counts["answered"], municipalities=municipalities.count()
    )


# --- the published answers (/public/) ----------------------------------------------------------


def published_questionnaires(*, prefecture=None):
    """Questionnaires whose council published them and that have at least one published question.

    `prefecture`: only that prefecture's (filtered by the database).
    """
    questionnaires = Questionnaire.objects.all()
    if prefecture is not None:
        questionnaires = questionnaires.filter(prefecture=prefecture)
    return (
        questionnaires.filter(published_at__isnull=False)
        .filter(Exists(Question.objects.filter(questionnaire=OuterRef("pk"), published=True)))
        .select_related("prefecture", "council")
        .annotate(
            n_answered=Count("questions__answers__municipality", filter=Q(questions__published=True), distinct=True)
        )
        .order_by("prefecture__code", "-fiscal_year", "title")
    )


@dataclass
class PublishedTable:
    questionnaire: object
    questions: list
    rows: list  # [(municipality, [display text per question])]


def answer_sheet(*, questionnaire, municipality):
    """[(question, `municipality`'s answer to it or None)] in the questionnaire's order, for the entry page.

    Two queries whatever the number of questions and answers (the answers are prefetched, each
    carrying its question so that reading it as a cell asks nothing more).
    """
    questions = (
        questionnaire.questions.select_related("section")
        .order_by("section__number", "order", "pk")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.filter(municipality=municipality), to_attr="answers_here")
        )
    )
    sheet = []
    for question in questions:
        answer = question.answers_here[0] if question.answers_here else None
        if answer is not None:
            answer.question = question
        sheet.append((question, answer))
    return sheet


def published_table(*, questionnaire, municipality=None):
    """The published questions of `questionnaire` and the answers to them, per municipality that answered.

    Only questions marked published; only the answer's typed value (never who entered it, nor a talk).
    """
    questions = list(questionnaire.questions.filter(published=True).select_related("section"))
    answers = Answer.objects.filter(question__in=[q.pk for q in questions]).select_related("municipality__prefecture")
    if municipality is not None:
        answers = answers.filter(municipality=municipality)
    by_municipality = {}
    question_of = {q.pk: q for q in questions}
    for answer in answers.order_by("municipality__code"):
        answer.question = question_of[answer.question_id]
        by_municipality.setdefault(answer.municipality, {})[answer.question_id] = answer
    rows = [
        (m, [a.display() if (a := values.get(q.pk)) else "" for q in questions])
        for m, values in by_municipality.items()
    ]
    return PublishedTable(questionnaire=questionnaire, questions=questions, rows=rows)


def compilation_sections(*, questionnaire, municipalities=None):
    """Per section: (section, questions, [(municipality, [display per question])]) for the 資料集 (two queries)."""
    sections = list(
        questionnaire.sections.prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("order", "pk"))
        )
    )
    answers = Answer.objects.filter(question__questionnaire=questionnaire).select_related("municipality__prefecture")
    cells = {}
    municipality_set = {}
    for answer in answers:
        cells[(answer.municipality_id, answer.question_id)] = answer
        municipality_set[answer.municipality_id] = answer.municipality
    if municipalities is None:
        municipalities = sorted(municipality_set.values(), key=lambda m: m.code)
    questions_by_pk = {q.pk: q for s in sections for q in s.questions.all()}
    for answer in cells.values():
        answer.question = questions_by_pk[answer.question_id]
    out = []
    for section in sections:
        questions = list(section.questions.all())
        rows = [(m, [a.display() if (a := cells.get((m.pk, q.pk))) else "" for q in questions]) for m in municipalities]
        out.append((section, questions, rows))
    return out


def compilation_questionnaire(*, prefecture, year, user):
    """The questionnaire of `prefecture`'s caravan of fiscal `year` (or its questionnaire of that year)."""
    caravan = caravan_of(prefecture=prefecture, year=year, user=user)
    if caravan is not None and caravan.questionnaire_id:
        return caravan.questionnaire, caravan
    questionnaire = (
        visible_questionnaires(user=user).filter(prefecture=prefecture, fiscal_year=year).order_by("pk").first()
    )
    return questionnaire, caravan


# --- the caravan map: answered and visited, per municipality and per prefecture -----------------------


class CaravanStatus:
    """A municipality's cell on the caravan map (the legend's order)."""

    BOTH = "both"
    ANSWERED = "answered"
    VISITED = "visited"
    NEITHER = "neither"
    LABELS = {BOTH: "回答・懇談済", ANSWERED: "回答のみ", VISITED: "懇談のみ", NEITHER: "未回答"}
    ORDER = (BOTH, ANSWERED, VISITED, NEITHER)

    @classmethod
    def of(cls, answered, visited):
        if answered and visited:
            return cls.BOTH
        return cls.ANSWERED if answered else cls.VISITED if visited else cls.NEITHER


def _year_targets(*, user, fiscal_year):
    return _scoped(CaravanTarget.objects.filter(caravan__fiscal_year=fiscal_year, municipality__isnull=False), user)


def _with_progress(queryset, targets):
    """Municipalities annotated with targeted / answered / visited: by their own target, their city's or a ward's."""

    # A ward of a designated city shares its city's progress, and a city that was visited ward by ward counts.
    # Uncorrelated sets (the database computes each once, a hashed subplan on PostgreSQL), not a subquery a row.
    def mine(of):
        ids = of.values("municipality")
        return ExpressionWrapper(
            Q(pk__in=ids) | Q(pk__in=of.values("municipality__parent")) | Q(parent__in=ids),
            output_field=BooleanField(),
        )

    return queryset.annotate(
        targeted=mine(targets),
        answered=mine(targets.filter(answered_on__isnull=False)),
        visited=mine(targets.filter(visited_on__isnull=False)),
    )


class MunicipalityProgress(NamedTuple):
    """One municipality's row of the caravan map (a tuple: a national map has some 1,900 of them)."""

    code: str
    name: str
    kind: str
    parent_code: str
    prefecture_code: str
    prefecture_name: str
    status: str  # CaravanStatus

    @property
    def status_label(self):
        return CaravanStatus.LABELS[self.status]

    @property
    def is_ward(self):
        return self.kind == Municipality.Kind.WARD


def caravan_map(*, user, fiscal_year, prefecture=None, registry=None):
    """The municipalities targeted by the caravans of `fiscal_year` that `user` may see, with their progress.

    Municipalities existing on April 1 of the year, 行政区 included (a ward shares its city's progress);
    those no caravan targets are left out. `prefecture` narrows to one prefecture. `user=None` is a
    system run. `registry` is the page's `municipalities.registry.selectors.Registry` when it has one (read
    for April 1), else the registry is read here. Returns [MunicipalityProgress] in code order: two queries
    (the targets and the registry; one with the page's registry), whatever the number of targets.
    """
    year_start = fiscal_year_start(fiscal_year)
    prefecture_code = None if prefecture is None else prefecture.code
    # Each target's municipality, its city (a ward's) and its progress: the rule of `_with_progress`, applied
    # here to the registry's rows, so that the database reads the targets once instead of nine times.
    targets = _year_targets(user=user, fiscal_year=fiscal_year)
    if prefecture is not None:
        # A ward's city is in its prefecture: the targets of other prefectures touch none of these rows.
        targets = targets.filter(municipality__prefecture=prefecture)
    own, through_wards = {}, {}  # municipality id → TARGETED | ANSWERED | VISITED of its targets
    for municipality_id, parent_id, answered_on, visited_on in targets.values_list(
        "municipality_id", "municipality__parent_id", "answered_on", "visited_on"
    ).order_by():
        bits = _TARGETED | (_ANSWERED if answered_on else 0) | (_VISITED if visited_on else 0)
        own[municipality_id] = own.get(municipality_id, 0) | bits
        if parent_id is not None:
            through_wards[parent_id] = through_wards.get(parent_id, 0) | bits
    if not own:
        return []
    if registry is None:
        registry = Registry.read(dates=(year_start,), prefecture_code=prefecture_code)
    out = []
    for r in registry.on(year_start, prefecture_code=prefecture_code):
        # Targeted itself, through one of its wards (a city visited ward by ward), or through its city (a ward).
        bits = own.get(r.pk, 0) | through_wards.get(r.pk, 0) | own.get(r.parent_id, 0)
        if bits:
            out.append(
                MunicipalityProgress(
                    r.code,
                    r.name,
                    r.kind,
                    r.parent_code or "",
                    r.prefecture_code,
                    r.prefecture_name,
                    _STATUS_OF_BITS[bits],
                )
            )
    return out


_TARGETED, _ANSWERED, _VISITED = 1, 2, 4
_STATUS_OF_BITS = {_TARGETED | a | v: CaravanStatus.of(a, v) for a in (0, _ANSWERED) for v in (0, _VISITED)}


@dataclass(frozen=True)
class PrefectureProgress:
    code: str
    name: str
    targets: int  # 市区町村 targeted (a designated city once, its wards not counted)
    answered: int
    visited: int
    both: int

    def percent(self, part):
        return round(100 * part / self.targets, 1) if self.targets else 0.0

    @property
    def answered_percent(self):
        return self.percent(self.answered)

    @property
    def visited_percent(self):
        return self.percent(self.visited)


def caravan_progress(*, user, fiscal_year, prefecture=None):
    """Per prefecture: 市区町村 targeted by the caravans of `fiscal_year`, answered, visited, both. One query.

    Counted in the database over the municipalities existing on April 1 of the year, wards excluded (a
    designated city counts once, answered or visited when it or one of its wards was); only the caravans
    `user` may see. Prefectures without a target are left out; code order.
    """
    qs = Municipality.objects.filter(Municipality.valid_on(fiscal_year_start(fiscal_year))).exclude(
        kind=Municipality.Kind.WARD
    )
    if prefecture is not None:
        qs = qs.filter(prefecture=prefecture)
    rows = (
        _with_progress(qs, _year_targets(user=user, fiscal_year=fiscal_year))
        .filter(targeted=True)
        .values(pref_code=F("prefecture__code"), pref_name=F("prefecture__name"))
        .annotate(
            targets=Count("pk"),
            answered_n=Count("pk", filter=Q(answered=True)),
            visited_n=Count("pk", filter=Q(visited=True)),
            both=Count("pk", filter=Q(answered=True, visited=True)),
        )
        .order_by("pref_code")
    )
    return [
        PrefectureProgress(r["pref_code"], r["pref_name"], r["targets"], r["answered_n"], r["visited_n"], r["both"])
        for r in rows
    ]


def progress_by_prefecture(municipalities):
    """`caravan_progress`'s rows counted from `caravan_map`'s rows, without a query: the same rule (wards not
    counted, a city answered or visited through its wards; prefectures without a target left out), for a page
    that has the map's rows already."""
    # One counting pass in C over the 1,900 rows, then the ≤ 47 × 4 × 6 counts in Python.
    counted = Counter(map(attrgetter("prefecture_code", "prefecture_name", "kind", "status"), municipalities))
    counts = {}
    for (code, name, kind, status), n in counted.items():
        if kind == Municipality.Kind.WARD:
            continue
        row = counts.setdefault(code, [name, 0, 0, 0, 0])
        row[1] += n
        row[2] += n if status in (CaravanStatus.BOTH, CaravanStatus.ANSWERED) else 0
        row[3] += n if status in (CaravanStatus.BOTH, CaravanStatus.VISITED) else 0
        row[4] += n if status == CaravanStatus.BOTH else 0
    return [PrefectureProgress(code, *row) for code, row in sorted(counts.items())]


def unanswered_targets(*, user, fiscal_year, prefecture=None):
    """The targets of `fiscal_year`'s caravans (with a questionnaire) whose questionnaire is not answered yet.

    Only caravans `user` may see; each target carries its caravan, questionnaire and municipality (one
    query), in prefecture and municipality code order.
    """
    qs = _year_targets(user=user, fiscal_year=fiscal_year).filter(
        answered_on__isnull=True, caravan__questionnaire__isnull=False
    )
    if prefecture is not None:
        qs = qs.filter(caravan__prefecture=prefecture)
    return qs.select_related("caravan__questionnaire", "caravan__prefecture", "municipality").order_by(
        "caravan__prefecture__code", "municipality__code", "pk"
    )


# --- the public answer map: one published question, per municipality ----------------------------------


def published_question(*, questionnaire, pk):
    """The published question `pk` of a published questionnaire (None when it is not one)."""
    if questionnaire.published_at is None:
        return None
    return questionnaire.questions.filter(published=True, pk=pk).first()


def published_answers(*, question):
    """The answers to a published question of a published questionnaire, each with its municipality (one query).

    Nothing for a question or questionnaire not published: the public map reads only through here.
    """
    if not question.published or question.questionnaire.published_at is None:
        return Answer.objects.none()
    return (
        Answer.objects.filter(question=question)
        .select_related("municipality")
        .only("number", "text", "date", "choices", "question", "municipality__code", "municipality__name")
        .order_by("municipality__code")
    )


def prefecture_municipalities(*, prefecture, fiscal_year):
    """The municipalities of `prefecture` on April 1 of `fiscal_year`, wards included, in code order (one query)."""
    return (
        Municipality.objects.filter(prefecture=prefecture)
        .filter(Municipality.valid_on(fiscal_year_start(fiscal_year)))
        .only("code", "name", "kind", "parent")
        .order_by("code")
    )


def compilation_map(*, questionnaire=None, caravan=None):
    """The 資料集's answer map: each municipality of the questionnaire's prefecture and how far it got. One query.

    A caravan without a questionnaire of its own (Saitama 2020: a survey whose answers were only dated on
    its targets) is mapped from its targets alone.

    Municipalities existing on April 1 of the questionnaire's year, 行政区 included (a ward shares its
    city's status, as on the caravan map). Answered: it has an answer in `questionnaire` or its target of
    `caravan` has an answer date; visited: its target has a talk date. With a caravan, only its targets
    and the municipalities that answered are listed; without one, every municipality of the prefecture.
    No scope argument: the document's request was checked (`compilation_questionnaire`).
    Returns [MunicipalityProgress] in code order.
    """
    source = questionnaire if questionnaire is not None else caravan
    year_start = fiscal_year_start(source.fiscal_year)
    qs = Municipality.objects.filter(prefecture_id=source.prefecture_id).filter(Municipality.valid_on(year_start))
    mine = Q(municipality=OuterRef("pk")) | Q(municipality__parent=OuterRef("pk")) | Q(municipality=OuterRef("parent"))
    targets = CaravanTarget.objects.filter(caravan=caravan) if caravan is not None else CaravanTarget.objects.none()
    answers = Answer.objects.filter(question__questionnaire=questionnaire) if questionnaire else Answer.objects.none()
    rows = qs.annotate(
        targeted=Exists(targets.filter(mine)),
        has_answer=Exists(answers.filter(mine)),
        target_answered=Exists(targets.filter(mine, answered_on__isnull=False)),
        visited=Exists(targets.filter(mine, visited_on__isnull=False)),
    )
    if caravan is not None:
        rows = rows.filter(Q(targeted=True) | Q(has_answer=True))
    values = rows.values(
        "code",
        "name",
        "kind",
        "parent__code",
        "prefecture__code",
        "prefecture__name",
        "has_answer",
        "target_answered",
        "visited",
    ).order_by("code")
    return [
        MunicipalityProgress(
            code=r["code"],
            name=r["name"],
            kind=r["kind"],
            parent_code=r["parent__code"] or "",
            prefecture_code=r["prefecture__code"],
            prefecture_name=r["prefecture__name"],
            status=CaravanStatus.of(r["has_answer"] or r["target_answered"], r["visited"]),
        )
        for r in values
    ]


# --- a prefecture's talks of a period (the prefecture report's block) ------------------------------------


def prefecture_talks(*, prefecture, start, end, user=None):
    """The talks with municipalities of `prefecture`'s caravans held from `start` to `end` (dates in Japan).

    Each talk carries its target's municipality, our participants per organisation, the officials present,
    its items (demand, answer, evaluation, follow-up) in order, and its items counted per evaluation
    (`n_<evaluation>`, by the database). Only the caravans `user` may see (None: everything); in date order.
    Four queries, whatever the number of talks and items. The talk's internal note is not read.
    """
    talks = _scoped(Talk.objects.filter(target__caravan__prefecture=prefecture), user)
    counts = {f"n_{value}": Count("items", filter=Q(items__evaluation=value)) for value, _label in Evaluation.choices}
    return (
        talks.filter(held_at__date__gte=start, held_at__date__lte=end)
        .select_related("target__municipality", "target__caravan")
        .prefetch_related(
            "participations", "official_rows", Prefetch("items", queryset=TalkItem.objects.order_by("number"))
        )
        .defer("internal_note")
        .annotate(**counts)
        .order_by("held_at", "pk")
    )


@dataclass(frozen=True)
class PrefectureCaravans:
    code: str
    name: str
    targets: int
    answered: int
    visited: int
    participants: int  # 延べ: each caravan's stated total, else the larger of its courses' and its talks' sums


def caravan_totals_by_prefecture(*, fiscal_year, user=None):
    """Per prefecture with a caravan of `fiscal_year` that `user` may see: targets, answered, visited, participants.

    Targets, answered and visited are `caravan_progress`'s (市町村 counted once, wards not counted); the
    participants add up each caravan's as `caravan_figures` says them. Two queries, in the database;
    prefecture code order.
    """
    progress = {row.code: row for row in caravan_progress(user=user, fiscal_year=fiscal_year)}
    courses = (
        CaravanCourse.objects.filter(caravan=OuterRef("pk"))
        .order_by()
        .values("caravan")
        .annotate(n=Sum("participants"))
        .values("n")
    )
    talks = (
        Talk.objects.filter(target__caravan=OuterRef("pk"))
        .order_by()
        .values("target__caravan")
        .annotate(n=Sum("our_participants"))
        .values("n")
    )
    people = (
        visible_caravans(user=user)
        .filter(fiscal_year=fiscal_year)
        .annotate(
            people=Coalesce(
                "participants_total",
                Greatest(
                    Coalesce(Subquery(courses, output_field=IntegerField()), 0),
                    Coalesce(Subquery(talks, output_field=IntegerField()), 0),
                ),
            )
        )
        .order_by()
        .values(code=F("prefecture__code"), name=F("prefecture__name"))
        .annotate(participants=Sum("people"))
    )
    rows = {row["code"]: row for row in people}
    out = []
    for code in sorted(set(rows) | set(progress)):
        p, row = progress.get(code), rows.get(code, {})
        out.append(
            PrefectureCaravans(
                code=code,
                name=p.name if p else row["name"],
                targets=p.targets if p else 0,
                answered=p.answered if p else 0,
                visited=p.visited if p else 0,
                participants=row.get("participants") or 0,
            )
        )
    return out


def answered_count(*, questionnaire=None, caravan=None):
    """How many 市町村 answered: the one count that the draft's `{{ caravan.answered }}`, the 資料集's cover
    and its map print (wards of designated cities not counted, as on the map).

    A municipality answered when it has an answer in `questionnaire` or its target of `caravan` has an
    answer date. The draft counted only the dates and the 資料集 only the answers, so Saitama 2020
    (dates, no answers entered) read 「63市町村中63が回答」 in one and 「アンケートはありません」 in the other.
    """
    rows = compilation_map(questionnaire=questionnaire, caravan=caravan)
    return sum(1 for r in rows if not r.is_ward and r.status in (CaravanStatus.BOTH, CaravanStatus.ANSWERED))
