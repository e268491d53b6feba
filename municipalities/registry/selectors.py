"""Read side of the municipalities app: the registry of Japan as it stood on a date."""

from django.db.models import Count, Q

from shaho.core.japanese import normalize

from .models import Municipality, Prefecture


def municipalities_valid_on(*, date):
    """Municipalities and 行政区 that exist on `date` (valid_from <= date < valid_until)."""
    return Municipality.objects.filter(Municipality.valid_on(date))


def municipality_counts(*, date):
    """Counts of the registry's rows valid on `date`, computed in one aggregate query.

    Returns a dict with one key per `Municipality.Kind` value ("city" is 市 other than
    政令指定都市), plus "cities" (all 市, 政令指定都市 included) and "municipalities"
    (the national 市区町村 total: everything but 行政区).
    """
    Kind = Municipality.Kind
    aggregates = {kind.value: Count("pk", filter=Q(kind=kind)) for kind in Kind}
    aggregates["cities"] = Count("pk", filter=Q(kind__in=[Kind.CITY, Kind.DESIGNATED_CITY]))
    aggregates["municipalities"] = Count("pk", filter=~Q(kind=Kind.WARD))
    return municipalities_valid_on(date=date).aggregate(**aggregates)


def prefecture_count():
    """Number of prefectures in the registry (47 once loaded)."""
    return Prefecture.objects.count()


def _prefecture_code_from_digits(digits):
    """'14', '8', '14000' (5-digit local government code) or '140007' (6-digit, check digit) → '14'; else None."""
    if len(digits) <= 2:
        return f"{int(digits):02d}"
    if len(digits) in (5, 6) and digits[2:5] == "000":
        return digits[:2]
    return None


def prefecture_from_input(text):
    """The Prefecture a person typed, or None: a code or a name, 全角 or 半角.

    Accepts '14', '１４', '8' / '08', the prefecture's local government code ('14000', '140007'),
    and its name with or without 都・道・府・県 ('神奈川県', '神奈川', '東京', '北海道'). One query.
    This is the one lookup every form, command, report parameter and placeholder uses.
    """
    value = normalize(text or "").replace(" ", "")
    if not value:
        return None
    if value.isdigit():
        code = _prefecture_code_from_digits(value)
        return Prefecture.objects.filter(code=code).first() if code else None
    names = [value] + [value + suffix for suffix in ("都", "道", "府", "県")]
    return Prefecture.objects.filter(name__in=names).order_by("code").first()
