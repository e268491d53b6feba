"""Demo newsletters: Kanagawa's 神奈川社保協ニュース (seed 003) from the demo's records, and Tokyo's digest of its
local councils' newsletters (seed 002), each published to its council's members as a PDF and a web page.

神奈川社保協ニュース 第1号 (2023年12月10日): articles started from the records the demo has — the 11.25
桜木町 street action (its 11 organisations' rows, the tallies, the sticker poll), the 11.14 negotiation
with the prefecture (its demands and answers), the 11.11 consultation day (33 calls, 15 last year), the
茅ヶ崎 talk (item by item) — and one article in text, the talks with the 33 municipalities' 国保 offices.

東京社保協ニュース 地域版 第1号 (2024年10月10日): the digest of 渋谷社保協ニュース No.1 (第33回定期総会, and the
9.11 study session of 93 from its record), 板橋社保協ニュース No.13 (the letter to the ward mayor) and
西東京社保協's study session of 40 (from its record), after Tokyo's own article on the 9.26
いのちまもる総行動 (2,400 on site and 200 online viewing points, as the seed gives them: the demo's
record is the national council's, which Tokyo's staff do not see, so the figures are in the text).

Two photos are drawn here with Pillow (no image file in git): the 桜木町 action's (members only) and the
渋谷 general meeting's (公開可). The text is written in our own words from the seeds' facts. Idempotent: an
issue is looked up by council, title and number and made, with its articles and photos, only when missing.
"""

import datetime
import io

from django.db import transaction

from campaigns.models import Action
from consultations.models import ConsultationDay
from councils.models import Council, CouncilKind, User
from municipalities.models import Talk
from reports import services as report_services
from reports.models import Audience
from reports.newsletters import services
from reports.newsletters.models import Newsletter, PhotoAudience

D = datetime.date
KANAGAWA, TOKYO = "14", "13"
KANAGAWA_TITLE, TOKYO_TITLE = "神奈川社保協ニュース", "東京社保協ニュース 地域版"


def _font(size):
    from PIL import ImageFont

    from reports.documents import font_path

    try:
        return ImageFont.truetype(str(font_path()), size)
    except Exception:  # no font on this machine: the picture keeps its shapes, without words
        return None


def drawn_photo(scene):
    """A small demo picture as PNG bytes: a street action (banner, people) or a meeting hall (stage, rows)."""
    from PIL import Image, ImageDraw

    width, height = 960, 640
    image = Image.new("RGB", (width, height), (196, 222, 240) if scene == "street" else (238, 232, 220))
    draw = ImageDraw.Draw(image)
    if scene == "street":
        draw.rectangle([0, 430, width, height], fill=(160, 160, 150))  # the square
        for x in (40, 300, 620):
            draw.rectangle([x, 120, x + 220, 430], fill=(210, 205, 195), outline=(150, 150, 140))  # buildings
        draw.rectangle([180, 250, 780, 340], fill=(250, 250, 245), outline=(180, 30, 40), width=6)  # the banner
        text, colour = "保険証残して！", (180, 30, 40)
        people = [(110 + i * 95, 400 + (i % 3) * 18) for i in range(9)]
    else:
        draw.rectangle([0, 0, width, 250], fill=(120, 40, 40))  # the stage's backdrop
        draw.rectangle([160, 60, 800, 150], fill=(250, 250, 245))
        text, colour = "第33回定期総会", (60, 30, 30)
        people = [(80 + col * 100, 360 + row * 80) for row in range(3) for col in range(9)]
    font = _font(64)
    if font is not None:
        box = draw.textbbox((0, 0), text, font=font)
        top = 262 if scene == "street" else 72
        draw.text(((width - (box[2] - box[0])) // 2, top), text, fill=colour, font=font)
    for x, y in people:
        draw.ellipse([x, y - 70, x + 36, y - 34], fill=(90, 70, 60))  # head
        draw.rectangle([x - 6, y - 34, x + 42, y + 30], fill=(60, 90, 140))  # body
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _user(name):
    return User.objects.filter(username=name).first() or User.objects.filter(is_superuser=True).order_by("pk").first()


def _publish(newsletter, user, stdout):
    job = report_services.run_now(kind="newsletter", params={"newsletter": str(newsletter.pk)}, user=user)
    report_services.publish_job(job=job, audience=Audience.COUNCIL, user=user)
    stdout.write(f"{newsletter}: {job.page_count}ページのPDFとウェブ版を会員に公開")


# --- 神奈川社保協ニュース (seed 003) ------------------------------------------------------------

SAKURAGICHO = (
    "保険医協会のマスコットの着ぐるみに子どもたちが集まり、「周りの人20人の署名を集めてくる」と"
    "用紙を持ち帰った人もいました。12月14日14時からは伊勢佐木町有隣堂前で宣伝します。"
)
TALKS_33 = (
    "この秋、県の国保運営方針の改定が市町村の保険料（税）にどう響くか、また「健康保険証の廃止」と"
    "マイナ保険証への切り替えにどう備えるかについて、全33市町村の国保担当課と懇談しました。\n\n"
    "- 現行の保険証は2025年7月31日まで使えます。\n"
    "- 2025年8月以降の資格確認書は、マイナ保険証の有無にかかわらず被保険者全員に送る意向の自治体が多数でした。"
    "それなら「保険証を残せばよい」というのが私たちの結論です。"
)


def _kanagawa(stdout):
    council = Council.objects.filter(kind=CouncilKind.PREFECTURAL, prefecture__code=KANAGAWA).first()
    if council is None or Newsletter.objects.filter(council=council, title=KANAGAWA_TITLE, number=1).exists():
        return None
    user = _user("kanagawa")
    issue = services.newsletter_create(
        user=user,
        council=council,
        title=KANAGAWA_TITLE,
        number=1,
        date=D(2023, 12, 10),
        publisher="神奈川県社会保障推進協議会",
    )
    street = Action.objects.filter(organiser=council, starts_on=D(2023, 11, 25), kind__code="street").first()
    if street is not None:
        services.photo_add(
            user=user,
            data=drawn_photo("street"),
            name="sakuragicho.png",
            caption="桜木町駅前での宣伝（11月25日）",
            action=street,
        )
        services.article_from_record(
            user=user, newsletter=issue, kind="action", record=street, title="「保険証残して」署名42筆！",
            text=SAKURAGICHO,
        )  # fmt: skip
    talks = Talk.objects.filter(target__caravan__council=council, held_at__date__gte=D(2023, 11, 1))
    if talks.exists():
        services.article_add(
            user=user, newsletter=issue, title="「資格確認書は全員配布」!? 全33市町村の国保担当課と懇談", body=TALKS_33
        )
    negotiation = Action.objects.filter(organiser=council, starts_on=D(2023, 11, 14), kind__code="negotiation").first()
    if negotiation is not None:
        services.article_from_record(
            user=user, newsletter=issue, kind="action", record=negotiation, title="保健・医療・介護分野の県交渉",
            text="回答は「現状維持」にとどまりました。引き続き県に改善を求めます。",
        )  # fmt: skip
    day = ConsultationDay.objects.filter(date=D(2023, 11, 11), stations__council=council).first()
    if day is not None:
        services.article_from_record(
            user=user, newsletter=issue, kind="consultation", record=day, title="介護・認知症なんでも無料電話相談",
            text="昼のニュースで紹介されると電話が鳴りやまず、昨年の倍を超える相談が寄せられました。",
        )  # fmt: skip
    chigasaki = Talk.objects.filter(target__caravan__council=council, target__municipality__name="茅ヶ崎市").first()
    if chigasaki is not None:
        services.article_from_record(
            user=user, newsletter=issue, kind="talk", record=chigasaki, title="茅ヶ崎市と懇談 項目ごとの回答",
            text="茅ヶ崎社保協は、回答を受けて来年度の予算要望書を準備します。",
        )  # fmt: skip
    if issue.articles.exists():
        _publish(issue, user, stdout)
    return issue


# --- 東京社保協 digest (seed 002) ---------------------------------------------------------------

INOCHI = (
    "日本医労連・保団連・全日本民医連などの実行委員会が、9月26日に日比谷野外音楽堂で「いのちまもる総行動」を開き、"
    "2,400人が現地で、200か所でオンラインで参加しました。\n\n"
    "医療・介護・福祉の現場の低賃金と長時間労働が人手不足を生み、病棟や事業所の閉鎖にまで及んでいること、"
    "保険証の新規発行の停止が皆保険を揺るがしかねないことが語られ、集会の後は銀座をパレードしました。"
)
SHIBUYA_GENERAL = (
    "8月27日、東京土建渋谷支部の会議室で第33回定期総会を開きました。\n\n"
    "請願を重ねて学校給食の無償化が実現したこと、健康保険証の存続を求める意見書が区議会で採択されたこと、"
    "相談と食料支援が根づいたことを報告し、新しい年度は保険証廃止を実施させない運動と、国保・介護・保育の"
    "区民要求の実現に取り組む方針を決めました。議案はすべて承認され、総会アピールを採択しました。"
)
ITABASHI_LETTER = (
    "9月18日、保険証の切り替えで医療が受けられなくなるのではという不安の声を受けて、会長・副会長・事務局長が"
    "区長に「医療を受ける権利を守ることを求める申し入れ」を手渡しました。\n\n"
    "1. 現行の健康保険証の存続を政府に求めること。\n"
    "2. 資格証明書・短期証の新規発行の廃止にともなう新たな徴収強化をしないこと。\n"
    "3. 高すぎる国保料・後期高齢者医療保険料を引き下げること。"
)


def _local_issue(user, council, title, number, date, articles, stdout):
    if council is None:
        return None
    found = Newsletter.objects.filter(council=council, title=title, number=number).first()
    if found is not None:
        return found
    issue = services.newsletter_create(user=user, council=council, title=title, number=number, date=date)
    for kind, value, article_title, *rest in articles:
        follow = rest[0] if rest else ""
        if kind == "text":
            services.article_add(user=user, newsletter=issue, title=article_title, body=value)
        elif value is not None:
            services.article_from_record(
                user=user, newsletter=issue, kind=kind, record=value, title=article_title, text=follow
            )
    return issue


def _tokyo(stdout):
    tokyo = Council.objects.filter(kind=CouncilKind.PREFECTURAL, prefecture__code=TOKYO).first()
    if tokyo is None or Newsletter.objects.filter(council=tokyo, title=TOKYO_TITLE, number=1).exists():
        return None
    user = _user("chuo")
    local = {
        c.short_name.removesuffix("社保協"): c
        for c in Council.objects.filter(kind=CouncilKind.LOCAL, prefecture__code=TOKYO)
    }
    shibuya, itabashi, nishitokyo = local.get("渋谷"), local.get("板橋"), local.get("西東京")

    def study(council, day):
        return Action.objects.filter(organiser=council, starts_on=day, kind__code="study").first() if council else None

    shibuya_news = _local_issue(
        user, shibuya, "渋谷社保協ニュース", 1, D(2024, 9, 20),
        [("text", SHIBUYA_GENERAL, "渋谷社保協 第33回定期総会開催"),
         ("action", study(shibuya, D(2024, 9, 11)), "健康保険証緊急学習会",
          "講師は、保険証をなくしてマイナ保険証を押しつける政府のねらいを解き明かし、署名への協力を訴えました。")],
        stdout,
    )  # fmt: skip
    if shibuya_news is not None and not shibuya_news.articles.filter(photos__isnull=False).exists():
        services.photo_add(
            user=user,
            data=drawn_photo("hall"),
            name="shibuya.png",
            caption="渋谷社保協 第33回定期総会（8月27日）",
            article=shibuya_news.articles.order_by("order").first(),
            audience=PhotoAudience.PUBLIC,
        )
    _local_issue(
        user, itabashi, "板橋社保協ニュース", 13, D(2024, 9, 25),
        [("text", ITABASHI_LETTER, "区長へ、緊急申し入れ")], stdout,
    )  # fmt: skip
    _local_issue(
        user, nishitokyo, "西東京社保協ニュース", 1, D(2024, 10, 1),
        [("action", study(nishitokyo, D(2024, 9, 28)), "「あわててマイナ保険証つくらなくても大丈夫」学習会",
          "会場いっぱいの参加で、質問が相次ぎました。")],
        stdout,
    )  # fmt: skip
    start, end = D(2024, 9, 1), D(2024, 10, 10)
    chosen = [a.pk for a in services.digest_candidates(council=tokyo, start=start, end=end)]
    digest = services.digest_compile(
        user=user,
        council=tokyo,
        title=TOKYO_TITLE,
        number=1,
        date=end,
        start=start,
        end=end,
        articles=chosen,
        publisher="東京社会保障推進協議会",
        own=[("医療・介護・福祉に国の予算を増やせ！ 9.26いのちまもる総行動", INOCHI)],
    )
    _publish(digest, user, stdout)
    return digest


def seed(*, stdout):
    """Kanagawa's newsletter and Tokyo's digest, made and published once (idempotent)."""
    if not Council.objects.filter(kind=CouncilKind.NATIONAL).exists():
        stdout.write("newsletters: 中央社保協がないためニュースを作成しません（社保協のデモを先に）。")
        return
    with transaction.atomic():
        _kanagawa(stdout)
        _tokyo(stdout)
    digests = Newsletter.objects.filter(is_digest=True).count()
    stdout.write(f"ニュース {Newsletter.objects.count()}号（うち抜粋号 {digests}）")
