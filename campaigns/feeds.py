"""The iCalendar feed of a council's calendar (当面の日程), built with the `icalendar` package.

A bounded window (30 days back, a year ahead), times in Asia/Tokyo with the zone's VTIMEZONE,
an all-day action as dates (DTEND the day after its last day, as RFC 5545 wants), and in every
event a link back to the action's page. The UID is stable per action, so a calendar program
updates an event instead of adding it twice.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from . import selectors

DAYS_BACK = 30
DAYS_AHEAD = 366
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def feed_window(today=None):
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=DAYS_BACK), today + datetime.timedelta(days=DAYS_AHEAD)


def _event(action, base_url):
    event = Event()
    event.add("uid", f"action-{action.pk}@shaho")
    event.add("summary", f"{action.title}（{action.kind.name}）")
    if action.start_time is None:
        event.add("dtstart", action.starts_on)
        event.add("dtend", action.last_day + datetime.timedelta(days=1))
    else:
        start = datetime.datetime.combine(action.starts_on, action.start_time, tzinfo=TOKYO)
        event.add("dtstart", start)
        if action.end_time is not None:
            event.add("dtend", datetime.datetime.combine(action.last_day, action.end_time, tzinfo=TOKYO))
        else:
            event.add("dtend", start + datetime.timedelta(hours=1))
    if action.place:
        event.add("location", action.place)
    url = base_url.rstrip("/") + reverse("campaigns:action", args=[action.pk])
    event.add("url", url)
    event.add("description", f"主催: {action.organiser.name}\n{url}")
    if action.status == action.Status.CANCELLED:
        event.add("status", "CANCELLED")
    event.add("dtstamp", timezone.now())
    return event


def council_feed(*, council, base_url, today=None):
    """The feed's bytes: the council's, its upper and its lower councils' actions in the window."""
    start, end = feed_window(today)
    calendar = Calendar()
    calendar.add("prodid", "-//shaho//当面の日程//JA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{council.short_name or council.name} 当面の日程")
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for action in selectors.calendar_actions(council=council, start=start, end=end):
        calendar.add_component(_event(action, base_url))
    calendar.add_missing_timezones()
    return calendar.to_ical()
