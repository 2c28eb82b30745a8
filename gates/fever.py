"""The fever path: an entry at or above the threshold alerts the shift leader and the duty
office at once, and a member's fever also raises a 紧急 situation report to their branch
(escalations.services.raise_fever: once per member and day, whatever the source)."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from access.models import Grant, Role
from escalations.services import raise_fever
from gates.models import Entry
from members.models import CadreRank
from notices.models import Notice
from notices.services import notify
from rosters.models import Assignment, Roster

KIND = "gate.fever"


def shift_leader_user_ids(entry: Entry) -> list[int]:
    """Who leads the shift at the gate when the entry was made: the leaders on 24-hour duty
    that day (on the gate's campus, or school-wide), and the cadres on the gate post's shift
    that day. Only people with a login can be told."""
    day = timezone.localdate(entry.at)
    on_duty = Assignment.objects.filter(
        date=day, roster__state=Roster.State.PUBLISHED, member__user__isnull=False
    )
    leaders = on_duty.filter(post__is_leader_duty=True).filter(
        Q(post__campus_id=entry.gate.campus_id) | Q(post__campus__isnull=True)
    )
    ids = list(leaders.values_list("member__user_id", flat=True))
    if entry.gate.post_id is not None:
        cadres = on_duty.filter(post_id=entry.gate.post_id).exclude(
            member__cadre_rank=CadreRank.NONE
        )
        ids += list(cadres.values_list("member__user_id", flat=True))
    return ids


def duty_office_user_ids() -> list[int]:
    return list(Grant.objects.filter(role=Role.DUTY_OFFICE).values_list("user_id", flat=True))


def on_fever(*, entry: Entry) -> list[Notice]:
    """Alert the shift leader and the duty office about a fever at a gate (at once, one
    notice each); a member's fever also goes to their branch as a situation report."""
    at = timezone.localtime(entry.at)
    who = entry.who
    title = f"发热预警：{entry.gate} {who} {entry.temperature} ℃"
    body = (
        f"{at:%Y-%m-%d %H:%M} {entry.gate}（{entry.get_direction_display()}）测得 {who} 体温 "
        f"{entry.temperature} ℃，已达发热标准。请立即按预案处置并上报。"
    )
    url = reverse("gate_entries") + f"?gate={entry.gate_id}&date={at:%Y-%m-%d}&fever=1"
    recipients = shift_leader_user_ids(entry) + duty_office_user_ids()
    if entry.member is not None and entry.temperature is not None:
        raise_fever(
            member=entry.member,
            temperature=entry.temperature,
            measured_at=entry.at,
            source="门岗",
            detail=f"{entry.gate}（{entry.get_direction_display()}）测温。",
        )
    return notify(user_ids=recipients, kind=KIND, title=title, body=body, url=url)
