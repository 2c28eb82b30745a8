"""Reads of 干部纪实台账: a cadre's entries, the duty records that may back one, and the
entries the duty data suggests ("2月3日至2月28日 北门值班 12 班，签到准时")."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from duty.models import DutyCheck, DutyLog, PledgeSignature
from ledger.models import CadreRecord, CadreRecordSource, SourceKind
from members.models import Member

MOST_CHECKS = 2000
# Checked in up to five minutes after the shift began is on time.
GRACE = dt.timedelta(minutes=5)
PER_KIND = 60


def shift_start(check: Any) -> dt.datetime | None:
    """When the check's shift began (its post's slot of that name), aware; None if unknown."""
    for slot in check.post.slots or []:
        if slot.get("name") == check.slot:
            try:
                hour, minute = (int(x) for x in str(slot.get("start", "")).split(":"))
            except ValueError:
                return None
            naive = dt.datetime.combine(check.date, dt.time(hour, minute))
            return timezone.make_aware(naive)
    return None


def on_time(check: Any) -> bool | None:
    start = shift_start(check)
    if start is None:
        return None
    return bool(check.checked_in_at <= start + GRACE)


def record_list(*, member: Member) -> QuerySet[CadreRecord]:
    return member.cadre_records.select_related("recorded_by", "unit").prefetch_related("sources")


def cadre_list(*, cadres: QuerySet[Member]) -> QuerySet[Member]:
    return (
        cadres.select_related("branch")
        .annotate(
            outstanding=Count("cadre_records", filter=Q(cadre_records__kind="outstanding")),
            accountable=Count("cadre_records", filter=Q(cadre_records__kind="accountability")),
        )
        .order_by("branch__path", "number")
    )


@dataclass(frozen=True)
class Source:
    kind: str
    object_id: int
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.object_id}"


def sources_for(*, member: Member, limit: int | None = PER_KIND) -> list[Source]:
    """The duty records, logs and pledges of the cadre (the latest `limit` of each kind, or
    all): three queries."""
    checks = (
        DutyCheck.objects.filter(member=member).select_related("post").order_by("-date")[:limit]
    )
    found = [
        Source(
            SourceKind.CHECK,
            c.pk,
            f"{c.date:%Y-%m-%d} {c.post.name} {c.slot}"
            + {True: " 签到准时", False: " 签到迟到", None: ""}[on_time(c)],
        )
        for c in checks
    ]
    logs = DutyLog.objects.filter(member=member).select_related("post").order_by("-date")[:limit]
    found += [
        Source(SourceKind.LOG, g.pk, f"{g.date:%Y-%m-%d} {g.post.name} 值班日志") for g in logs
    ]
    signed = PledgeSignature.objects.filter(member=member).select_related("pledge")
    found += [
        Source(SourceKind.PLEDGE, s.pledge_id, f"签署承诺：{s.pledge.title}")
        for s in signed.order_by("-signed_at")[:limit]
    ]
    return found


@dataclass
class Suggestion:
    """An entry the duty data suggests: the shifts of one post the cadre checked in to."""

    post: str
    first: dt.date
    last: dt.date
    shifts: int
    late: int
    keys: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        days = f"{self.first:%-m月%-d日}至{self.last:%-m月%-d日}"
        if self.first == self.last:
            days = f"{self.first:%-m月%-d日}"
        manner = "签到准时" if not self.late else f"迟到 {self.late} 次"
        return f"{days} {self.post} {self.shifts} 班，{manner}"

    @property
    def key(self) -> str:
        return ",".join(self.keys)


def suggestions(*, member: Member) -> list[Suggestion]:
    """Per post and phase, the cadre's checked-in shifts not yet linked to an entry (the
    latest MOST_CHECKS): two queries."""
    used = set(
        CadreRecordSource.objects.filter(record__member=member, kind=SourceKind.CHECK).values_list(
            "object_id", flat=True
        )
    )
    by_post: dict[tuple[int, int], list[Any]] = defaultdict(list)
    latest = (DutyCheck.objects.filter(member=member).select_related("post").order_by("-date"))[
        :MOST_CHECKS
    ]
    for c in sorted(latest, key=lambda c: (c.date, c.pk)):
        if c.pk not in used:
            by_post[(c.post_id, c.phase_id)].append(c)
    found = []
    for checks in by_post.values():
        found.append(
            Suggestion(
                post=checks[0].post.name,
                first=checks[0].date,
                last=checks[-1].date,
                shifts=len(checks),
                late=sum(1 for c in checks if on_time(c) is False),
                keys=[f"{SourceKind.CHECK}:{c.pk}" for c in checks],
            )
        )
    return sorted(found, key=lambda s: s.first)
