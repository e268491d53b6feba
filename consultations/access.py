"""Who may open a station's calls: the rules beside the data they guard (views only ask).

Three circles, from the widest:
- `selectors.stations_for` / `days_for`: the stations and days a user sees (their scope's, and the
  stations they answer at) — the day pages and their totals;
- `may_list_calls` here: who may open a station's call list and a call's statistical fields — the
  station's responders, the national coordinators, and staff whose scope holds the station;
- `privacy.may_read_free_text`: who reads a call's free text (its station's responders and the
  coordinators; every read logged by `services.free_text_read_log`).

Every function answers from the database (no rule is left to a template or a view); a station or
call the user may not open reads as one that does not exist (None), so a view answers 404.
"""

from shaho.core.roles import is_staff_user

from .models import CallRecord, Station
from .privacy import is_coordinator, responder_station_ids
from .selectors import sees_all_calls, stations_for


def may_list_calls(*, user, station):
    """Whether `user` may open `station`'s call list: a coordinator, its responder, or staff whose scope holds it.

    A member of the station's council who does not answer there sees the day's totals, not the calls.
    """
    if is_coordinator(user) or station.pk in responder_station_ids(user):
        return True
    return is_staff_user(user) and stations_for(user=user).filter(pk=station.pk).exists()


def listable_station_ids(*, user, day):
    """The ids of `day`'s stations whose call list `user` may open (the rule of `may_list_calls`, in one query)."""
    day_stations = Station.objects.filter(day=day)
    if is_coordinator(user):
        return set(day_stations.values_list("pk", flat=True))
    mine = set(responder_station_ids(user))
    if is_staff_user(user):
        mine |= set(stations_for(user=user).filter(day=day).values_list("pk", flat=True))
    return mine


def listable_station(*, user, pk):
    """The station `pk` with its day and council when `user` may open its calls; None otherwise (or missing)."""
    station = stations_for(user=user).select_related("day", "council__prefecture").filter(pk=pk).first()
    if station is None or not may_list_calls(user=user, station=station):
        return None
    return station


def listable_call(*, user, pk):
    """The call `pk` (statistical fields for the page) when `user` may open its station's calls; else None."""
    call = (
        CallRecord.objects.filter(station__in=stations_for(user=user))
        .select_related("station__day", "station__council", "responder__user", "municipality")
        .filter(pk=pk)
        .first()
    )
    if call is None or not may_list_calls(user=user, station=call.station):
        return None
    return call


def stations_answered_by(*, user):
    """The stations where `user` answers calls, with their day and council (their own list of stations)."""
    return Station.objects.filter(pk__in=responder_station_ids(user)).select_related("day", "council")


def counted_stations(*, user, day):
    """The stations whose calls `day`'s totals add up for `user`: None for every station (national staff and
    coordinators), else the stations the user sees (their scope's and the ones they answer at)."""
    if sees_all_calls(user):
        return None
    return stations_for(user=user).filter(day=day)
