"""One matcher for the councils and organisations a spreadsheet names, for every importer.

The app passes a queryset already restricted to what the user may name (the core does not know
councils), so a name outside the scope reads exactly like a name that does not exist. Names are
compared loosely (`name_key`): 全角/半角 and spaces do not matter, 社会保障推進協議会 ≡ 社保協, and a
prefecture's 都/府/県 is optional (神奈川県社保協 ≡ 神奈川社保協). A number is the row's 番号 (the primary
key, listed on the templates). Two candidates for one name are a row error naming the candidates —
never a silent pick — unless the importer says which one it prefers (the record's current value).
"""

import re

from .japanese import normalize

PREFECTURES = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
)  # fmt: skip
_SUFFIXED = tuple(p for p in PREFECTURES if p[-1] in "都府県")


def name_key(value):
    """A name as compared: NFKC, no white space, 社会保障推進協議会 → 社保協, a leading prefecture without 都/府/県."""
    text = re.sub(r"\s+", "", normalize("" if value is None else str(value)))
    text = text.replace("社会保障推進協議会", "社保協")
    for prefecture in _SUFFIXED:
        if text.startswith(prefecture):
            return prefecture[:-1] + text[len(prefecture) :]
    return text


def _text(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


class Matcher:
    """Names and 番号 → objects among `queryset` (one query, when first used).

    `what` names the kind in messages (社保協, 団体); `names` are the fields compared by `name_key`.
    """

    def __init__(self, queryset, *, what, names=("name", "short_name")):
        self.queryset = queryset
        self.what = what
        self.names = names
        self._by_key = None
        self._by_pk = None

    def _load(self):
        self._by_key, self._by_pk = {}, {}
        for obj in self.queryset:
            self._by_pk[obj.pk] = obj
            for attr in self.names:
                name = getattr(obj, attr, "")
                if name:
                    found = self._by_key.setdefault(name_key(name), [])
                    if obj not in found:
                        found.append(obj)

    def not_found(self, text):
        # The one message for a name that does not exist and for one outside the user's scope.
        return f"「{text}」という{self.what}は見つかりません（名称・略称・番号で指定してください）。"

    def candidates(self, value):
        """Every object `value` may name (none, one, or several)."""
        if self._by_key is None:
            self._load()
        key = name_key(_text(value))
        if key.isdigit():
            found = self._by_pk.get(int(key))
            return [found] if found is not None else []
        return list(self._by_key.get(key, []))

    def match(self, value, *, prefer=()):
        """(object, None) or (None, Japanese message). `prefer`: predicates tried in turn on several candidates."""
        text = _text(value)
        if not name_key(text):
            return None, f"{self.what}を入力してください。"  # a blank cell is not a name that does not exist
        candidates = self.candidates(value)
        for predicate in prefer:
            if len(candidates) < 2:
                break
            narrowed = [c for c in candidates if predicate(c)]
            if narrowed:
                candidates = narrowed
        if len(candidates) == 1:
            return candidates[0], None
        if not candidates:
            return None, self.not_found(text)
        names = "、".join(f"{getattr(c, self.names[0], c)}（番号 {c.pk}）" for c in candidates[:5])
        more = f" ほか{len(candidates) - 5}件" if len(candidates) > 5 else ""
        return None, f"「{text}」に当てはまる{self.what}が複数あります: {names}{more}。番号で指定してください。"
