"""One-record blocks and figures for newsletter articles: an action, a talk, a consultation day, a
questionnaire, a photo, each written out from its record when the newsletter is made.

    {{ record.action action=12 }}              the action's facts: date, place, organisers, 「n団体m人」, …
    {{ record.talk talk=3 }}                   a talk with a municipality: who came, each demand and answer
    {{ record.consultation day=5 }}            a consultation day's calls against the year before
    {{ record.questionnaire questionnaire=7 }} a questionnaire's answers received
    {{ record.photo photo=9 }}                 a photo with its caption
    … {{ record.participants action=12 }}人が参加 …   a figure inside a sentence

An article 「started from a record」 begins with these lines, so its facts stay tied to the record:
correcting the action and making the newsletter again prints the corrected figures. Each argument type
looks only among what `ctx.user` may see (None: a system run) and says the same for "there is none"
and "not yours". The rows come from each app's selectors; the reports app reads every app, so these
blocks are registered here (ReportsConfig.ready()), not by the apps.
"""

from django.utils import timezone

from campaigns import selectors as campaigns
from campaigns.models import Action
from consultations import selectors as consultations
from consultations.models import ConsultationDay
from municipalities.caravans import selectors as caravans
from municipalities.caravans.models import Answer, Talk
from shaho.core.blocks import Block, register
from shaho.core.figures import number, register_argument_type
from shaho.core.figures import register as register_figure
from shaho.core.japanese import format_date, format_time
from shaho.core.scoping import restrict, system_user

from . import selectors


def _record_id(value, what):
    try:
        return int(str(value).strip().lstrip("#"))
    except ValueError:
        raise ValueError(f"{what}は番号で指定してください（例: 12）。") from None


def _none(what, pk):
    return ValueError(f"{what} {pk} はありません（または見る権限がありません）。")


def _action(value, ctx):
    pk = _record_id(value, "行動")
    found = campaigns.visible_actions(user=ctx.user) if not system_user(ctx.user) else Action.objects.all()
    action = found.filter(pk=pk).first()
    if action is None:
        raise _none("行動", pk)
    return action


def _talk(value, ctx):
    pk = _record_id(value, "懇談")
    talks = Talk.objects.select_related("target__caravan__prefecture")
    talk = (talks if system_user(ctx.user) else restrict(talks, ctx.user)).filter(pk=pk).first()
    if talk is None:
        raise _none("懇談", pk)
    return talk


def _consultation_day(value, ctx):
    pk = _record_id(value, "相談日")
    days = ConsultationDay.objects.all() if system_user(ctx.user) else consultations.days_for(user=ctx.user)
    day = days.filter(pk=pk).first()
    if day is None:
        raise _none("相談日", pk)
    return day


def _questionnaire(value, ctx):
    pk = _record_id(value, "アンケート")
    questionnaire = caravans.visible_questionnaires(user=ctx.user).filter(pk=pk).first()
    if questionnaire is None:
        raise _none("アンケート", pk)
    return questionnaire


def _photo(value, ctx):
    pk = _record_id(value, "写真")
    photo = selectors.photo_for(pk=pk, user=ctx.user)
    if photo is None:
        raise _none("写真", pk)
    return photo


register_argument_type("action", _action)
register_argument_type("talk", _talk)
register_argument_type("consultation_day", _consultation_day)
register_argument_type("questionnaire", _questionnaire)
register_argument_type("photo", _photo)


def _report(ctx, action):
    return ctx.cached(("record.action", action.pk), lambda: campaigns.action_report(action))


def headcount(report):
    """The people an action gathered: its organisations' rows, else the stated total, else those at the venue."""
    action = report.action
    if report.participations:
        return report.participants
    if action.stated_participants is not None:
        return action.stated_participants
    return action.onsite_count


def when(action):
    """「2025年9月26日 13:30〜15:00」: the action's day and, when it has them, its hours."""
    text = format_date(action.starts_on)
    if action.ends_on and action.ends_on != action.starts_on:
        text += f"〜{format_date(action.ends_on)}"
    if action.start_time:
        text += f" {format_time(action.start_time)}"
        if action.end_time:
            text += f"〜{format_time(action.end_time)}"
    return text


@register(
    "record.action",
    label="行動1件の事実（日時・場所・主催・n団体m人・配布・署名・シール投票・発言・要求と回答）。action=行動の番号",
    params={"action": "action"},
    example="{{ record.action action=12 }}",
)
def record_action(ctx, *, action=None):
    if action is None:
        raise ValueError("action= に行動の番号を指定してください。")
    report = _report(ctx, action)
    co = [c.name for c in action.co_organisers.all()] + [o.name for o in action.co_organisations.all()]
    if action.co_organiser_names:
        co.append(action.co_organiser_names)
    return Block(
        template="reports/newsletters/blocks/action.html",
        context={"r": report, "when": when(action), "headcount": headcount(report), "co_organisers": co},
    )


@register_figure(
    "record.participants",
    label="行動1件の参加者数（参加団体の行の合計、なければ報告の人数・会場参加）。action=行動の番号",
    params={"action": "action"},
    example="{{ record.participants action=12 }}",
)
def record_participants(ctx, *, action=None, date=None):
    if action is None:
        raise ValueError("action= に行動の番号を指定してください。")
    count = headcount(_report(ctx, action))
    if count is None:
        raise ValueError(f"行動「{action.title}」には参加者数の記録がありません。")
    return number(count)


@register_figure(
    "record.organisations",
    label="行動1件の参加団体数（参加団体の行の数）。action=行動の番号",
    params={"action": "action"},
    example="{{ record.organisations action=12 }}",
)
def record_organisations(ctx, *, action=None, date=None):
    if action is None:
        raise ValueError("action= に行動の番号を指定してください。")
    report = _report(ctx, action)
    return number(report.organisations if report.participations else (action.stated_organisations or 0))


@register(
    "record.talk",
    label="自治体との懇談1件（日時・参加・要望ごとの回答と評価。内部メモは出ません）。talk=懇談の番号",
    params={"talk": "talk"},
    example="{{ record.talk talk=3 }}",
)
def record_talk(ctx, *, talk=None):
    if talk is None:
        raise ValueError("talk= に懇談の番号を指定してください。")
    day = timezone.localdate(talk.held_at)  # the day in Japan, as prefecture_talks counts it (not UTC's)
    prefecture = talk.target.caravan.prefecture
    rows = caravans.prefecture_talks(prefecture=prefecture, start=day, end=day, user=ctx.user)
    found = next((t for t in rows.filter(pk=talk.pk)), None)
    if found is None:
        raise _none("懇談", talk.pk)
    return Block(template="reports/newsletters/blocks/talk.html", context={"talk": found})


@register(
    "record.consultation",
    label="電話相談日1日の件数（昨年比・分野別）。day=相談日の番号",
    params={"day": "consultation_day"},
    example="{{ record.consultation day=5 }}",
)
def record_consultation(ctx, *, day=None):
    if day is None:
        raise ValueError("day= に相談日の番号を指定してください。")
    stations = None if system_user(ctx.user) else consultations.stations_for(user=ctx.user)
    totals = consultations.day_totals(day=day, stations=stations)
    return Block(template="reports/newsletters/blocks/consultation.html", context={"t": totals})


@register(
    "record.questionnaire",
    label="自治体アンケート1件の回答数（回答のあった自治体の数と設問数）。questionnaire=アンケートの番号",
    params={"questionnaire": "questionnaire"},
    example="{{ record.questionnaire questionnaire=7 }}",
)
def record_questionnaire(ctx, *, questionnaire=None):
    if questionnaire is None:
        raise ValueError("questionnaire= にアンケートの番号を指定してください。")
    answers = Answer.objects.filter(question__questionnaire=questionnaire)
    respondents = answers.values("municipality").distinct().count()
    return Block(
        template="reports/newsletters/blocks/questionnaire.html",
        context={
            "q": questionnaire,
            "respondents": respondents,
            "questions": questionnaire.questions.count(),
        },
    )


@register(
    "record.photo",
    label="写真1枚と説明（キャプション）。photo=写真の番号",
    params={"photo": "photo"},
    example="{{ record.photo photo=9 }}",
)
def record_photo(ctx, *, photo=None):
    if photo is None:
        raise ValueError("photo= に写真の番号を指定してください。")
    return Block(template="reports/newsletters/blocks/photo.html", context={"photo": photo})
