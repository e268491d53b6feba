"""Read side of the municipalities app: the registry of Japan as it stood on a date."""

from django.db.models import Count, Q

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
