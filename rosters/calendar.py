"""A member's shifts as an iCalendar feed (.ics) behind a private link."""

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from icalendar import Calendar, Event

from rosters.models import Assignment
from rosters.problems import slot_times


def _slot(assignment: Assignment) -> dict[str, object]:
    for slot in assignment.post.slots or []:
        if slot.get("name") == assignment.slot:
            return slot
    return {"name": assignment.slot, "start": "00:00", "hours": 24}


def feed_ics(*, name: str, assignments: Iterable[Assignment], base_url: str = "") -> bytes:
    tz = ZoneInfo(settings.TIME_ZONE)
    cal = Calendar()
    cal.add("prodid", "-//党建工作平台//值班//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{name}的值班")
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = dt.datetime.now(tz=dt.UTC)
    for a in assignments:
        start, end = slot_times(a.date, _slot(a))
        post = a.post
        event = Event()
        event.add("uid", f"assignment-{a.pk}@dangjian")
        event.add("dtstamp", stamp)
        event.add("dtstart", start.replace(tzinfo=tz))
        event.add("dtend", end.replace(tzinfo=tz))
        event.add("summary", f"值班：{post.name} {a.slot}")
        place = " ".join(x for x in (post.campus.name if post.campus else "", post.place) if x)
        if place:
            event.add("location", place)
        if post.duties:
            event.add("description", post.duties)
        if base_url:
            event.add("url", f"{base_url}/duty/shifts/{a.pk}/")
        cal.add_component(event)
    return cal.to_ical()
