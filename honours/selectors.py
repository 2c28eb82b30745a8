"""Reads of 表彰评比: the records a nominee's evidence may be drawn from, the quotas in use,
the honours of a member or a branch. Each a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from campaigns.models import COUNTED_STATES, Submission
from duty.models import DutyCheck, PledgeSignature
from honours.models import CommendationRound, EvidenceKind, Nomination, NominationState
from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingState
from members.models import Member
from orgs.models import Org

# Evidence is drawn from the last year and a half, the most recent first.
LOOK_BACK = dt.timedelta(days=548)
PER_KIND = 40


@dataclass(frozen=True)
class Candidate:
    kind: str
    object_id: int
    on: dt.date | None
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.object_id}"


def _since() -> dt.date:
    return timezone.localdate() - LOOK_BACK


def candidates(*, member: Member | None = None, branch: Org | None = None) -> list[Candidate]:
    """Records of the platform that may back a nomination: a member's shifts checked in,
    meetings attended and pledges signed; a branch's approved meetings and counted
    submissions. Four queries at most."""
    since = _since()
    found: list[Candidate] = []
    if member is not None:
        checks = (
            DutyCheck.objects.filter(member=member, date__gte=since)
            .select_related("post")
            .order_by("-date")[:PER_KIND]
        )
        found += [
            Candidate(
                EvidenceKind.DUTY,
                c.pk,
                c.date,
                f"{c.date:%Y年%m月%d日} {c.post.name} {c.slot} 值守签到"
                f"{' · 已签退' if c.checked_out_at else ''}",
            )
            for c in checks
        ]
        attended = (
            Attendance.objects.filter(
                member=member,
                status=AttendanceStatus.PRESENT,
                meeting__state=MeetingState.APPROVED,
                meeting__held_at__date__gte=since,
            )
            .select_related("meeting")
            .order_by("-meeting__held_at")[:PER_KIND]
        )
        found += [
            Candidate(
                EvidenceKind.MEETING,
                a.meeting_id,
                timezone.localtime(a.meeting.held_at).date() if a.meeting.held_at else None,
                f"出席{a.meeting.get_kind_display()}：{a.meeting.topic}",
            )
            for a in attended
        ]
        signed = PledgeSignature.objects.filter(member=member).select_related("pledge")
        found += [
            Candidate(
                EvidenceKind.PLEDGE,
                s.pledge_id,
                timezone.localtime(s.signed_at).date(),
                f"签署承诺：{s.pledge.title}",
            )
            for s in signed.order_by("-signed_at")[:PER_KIND]
        ]
    if branch is not None:
        meetings = Meeting.objects.filter(
            org=branch, state=MeetingState.APPROVED, held_at__date__gte=since
        ).order_by("-held_at")[:PER_KIND]
        found += [
            Candidate(
                EvidenceKind.MEETING,
                m.pk,
                timezone.localtime(m.held_at).date() if m.held_at else None,
                f"{m.get_kind_display()}：{m.topic}",
            )
            for m in meetings
        ]
        submissions = (
            Submission.objects.filter(org=branch, state__in=COUNTED_STATES)
            .select_related("deliverable")
            .order_by("-submitted_at")[:PER_KIND]
        )
        found += [
            Candidate(
                EvidenceKind.SUBMISSION,
                s.pk,
                timezone.localtime(s.submitted_at).date() if s.submitted_at else None,
                f"{s.deliverable.name}：{s.title}（{s.get_state_display()}）",
            )
            for s in submissions
        ]
    return found


def quota_of(round_: CommendationRound, unit: Org) -> int:
    row = round_.quotas.filter(unit=unit).values_list("quota", flat=True).first()
    return round_.default_quota if row is None else int(row)


@dataclass
class UnitQuota:
    unit: Org
    quota: int
    used: int


def quota_table(*, round_: CommendationRound, units: QuerySet[Org]) -> list[UnitQuota]:
    """Each unit's quota and the nominations it has used: three queries."""
    quotas = dict(round_.quotas.values_list("unit_id", "quota"))
    used = dict(
        round_.nominations.exclude(state=NominationState.WITHDRAWN)
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    return [
        UnitQuota(u, quotas.get(u.pk, round_.default_quota), used.get(u.pk, 0))
        for u in units.order_by("path")
    ]


def nomination_list(*, nominations: QuerySet[Nomination]) -> QuerySet[Nomination]:
    return nominations.select_related("unit", "member", "member__branch", "branch").annotate(
        evidence_count=Count("evidence", distinct=True),
        open_objections=Count("objections", filter=Q(objections__state="open"), distinct=True),
    )


def honours_of(*, member: Member | None = None, branch: Org | None = None) -> Any:
    """The honours (已表彰) of a member or a branch, newest first."""
    q = Q(member=member) if member is not None else Q(branch=branch)
    return (
        Nomination.objects.filter(q, state=NominationState.AWARDED)
        .select_related("round", "unit")
        .order_by("-round__year", "-id")
    )


def manager_todo_counts() -> tuple[int, int]:
    """Nominations waiting for review in rounds whose review is open, and objections not yet
    answered: one query."""
    today = timezone.localdate()
    counts = Nomination.objects.aggregate(
        review=Count(
            "id",
            filter=Q(
                state=NominationState.NOMINATED,
                round__nominate_until__lt=today,
                round__review_until__gte=today,
                round__publicity_from__isnull=True,
            ),
        ),
        objections=Count("objections", filter=Q(objections__state="open")),
    )
    return counts["review"], counts["objections"]


def open_round_count() -> int:
    today = timezone.localdate()
    return CommendationRound.objects.filter(
        nominate_from__lte=today, nominate_until__gte=today
    ).count()
