"""The public answer map (issue 17): one published question of a published questionnaire, per municipality.

Reads only through `selectors.published_answers` (published questionnaire, published question, the typed
value): what /public/ already shows as a table, drawn on the prefecture's municipality map with the MLIT
credit. Classes by the question's kind: はい / いいえ; each choice; numbers in four bins at fixed quartile
cut points of the answers; otherwise 回答あり. Municipalities without an answer are 回答なし.
"""

from municipalities.caravans.models import AnswerKind
from municipalities.registry import maps
from shaho.core.pictures import Table

from . import selectors

NO_ANSWER = "回答なし"
MAX_CHOICES = 5  # with その他, the six classes a grayscale print can tell apart (maps.MAX_CATEGORIES)


def _number(value):
    return f"{int(value):,}" if value == int(value) else f"{value.normalize():f}"


def _bins(values, unit):
    """Up to four bins at the answers' quartiles: [(upper bound or None, label)]."""
    values = sorted(values)
    if not values:
        return []
    cuts = sorted({values[min(len(values) - 1, (len(values) * q) // 4)] for q in (1, 2, 3)})
    bins, lower = [], None
    for cut in cuts:
        label = f"{_number(lower)}{unit}超〜{_number(cut)}{unit}" if lower is not None else f"〜{_number(cut)}{unit}"
        bins.append((cut, label))
        lower = cut
    if lower is not None and values[-1] > lower:
        bins.append((None, f"{_number(lower)}{unit}超"))
    return bins


def classify(question, answers):
    """(labels, {municipality id: class index}) for the answers to `question` (回答なし is no class)."""
    kind = question.kind
    classes = {}
    if kind == AnswerKind.YES_NO:
        labels = ["はい", "いいえ"]
        for a in answers:
            if a.number is not None:
                classes[a.municipality_id] = 0 if a.number else 1
    elif kind == AnswerKind.CHOICE:
        labels = list(question.choices[:MAX_CHOICES])
        other = len(question.choices) > MAX_CHOICES
        if other:
            labels.append("その他")
        for a in answers:
            if a.text:
                classes[a.municipality_id] = labels.index(a.text) if a.text in labels else len(labels) - 1
    elif kind in (AnswerKind.INTEGER, AnswerKind.MONEY, AnswerKind.PERCENT, AnswerKind.AGE):
        unit = {AnswerKind.MONEY: "円", AnswerKind.PERCENT: "%", AnswerKind.AGE: "歳"}.get(kind, question.unit)
        bins = _bins([a.number for a in answers if a.number is not None], unit)
        labels = [label for _cut, label in bins]
        for a in answers:
            if a.number is None:
                continue
            for i, (cut, _label) in enumerate(bins):
                if cut is None or a.number <= cut:
                    classes[a.municipality_id] = i
                    break
    else:
        labels = ["回答あり"]
        for a in answers:
            if not a.is_blank:
                classes[a.municipality_id] = 0
    return labels or ["回答あり"], classes


def answer_picture(*, questionnaire, question):
    """The map and table of `question`'s published answers in `questionnaire`'s prefecture (three queries)."""
    answers = list(selectors.published_answers(question=question))
    for answer in answers:
        answer.question = question  # printed without asking the database again
    labels, classes = classify(question, answers)
    by_municipality = {a.municipality_id: a for a in answers}
    municipalities = list(
        selectors.prefecture_municipalities(prefecture=questionnaire.prefecture, fiscal_year=questionnaire.fiscal_year)
    )
    ids = {m.pk: m for m in municipalities}
    cells, rows = {}, []
    for m in municipalities:
        # A ward without its own answer shows its designated city's.
        own = m.pk if m.pk in by_municipality or m.parent_id not in ids else m.parent_id
        answer = by_municipality.get(own)
        category = classes.get(own)
        display = answer.display() if answer is not None else ""
        cells[m.code] = maps.Cell(category, f"{m.name}：{display or NO_ANSWER}")
        if m.kind != m.Kind.WARD or m.pk in by_municipality:
            rows.append([m.code, m.name, display, labels[category] if category is not None else NO_ANSWER])
    legend = maps.Legend(categories=[maps.Category(label) for label in labels], none_label=NO_ANSWER)
    drawing = maps.prefecture_map(questionnaire.prefecture.code, cells, legend=legend, title=question.header)
    answered = len({a.municipality_id for a in answers})
    return drawing.picture(
        key=f"caravans.answers.{question.pk}",
        title=f"{questionnaire.prefecture.name} {question.header}（回答 {answered:,}自治体）",
        table=Table(columns=["市区町村コード", "市区町村", "回答", "区分"], rows=rows),
    )
