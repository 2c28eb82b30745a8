"""Reads of ratings and 述职评议, each a fixed number of queries."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from access.scope import Perm, orgs_for_user
from assessment.models import PostRating
from campaigns.models import COUNTED_STATES, Submission
from duty.models import DutyCheck, DutyLog
from honours.models import Nomination, NominationState
from ledger.selectors import on_time
from meetings.compliance import Compliance, compliance_rows
from meetings.models import Meeting, MeetingState
from members.models import Member
from orgs.models import Org
from rosters.models import Allocation, Phase
from talks.models import Talk


@dataclass
class Participant:
    member: Member
    shifts: int
    punctual: int
    logs: int
    my_score: int | None
    my_comment: str


def participants(*, phase: Phase, rater: Any) -> list[Participant]:
    """Everyone allocated to the phase or checked in under it, with their shifts, punctuality,
    logs and the rater's score: five queries."""
    ids = set(Allocation.objects.filter(phase=phase).values_list("member_id", flat=True))
    checks = list(DutyCheck.objects.filter(phase=phase).select_related("post"))
    ids |= {c.member_id for c in checks}
    shifts: dict[int, int] = defaultdict(int)
    punctual: dict[int, int] = defaultdict(int)
    for c in checks:
        shifts[c.member_id] += 1
        punctual[c.member_id] += 1 if on_time(c) else 0
    logs = dict(
        DutyLog.objects.filter(phase=phase)
        .values("member_id")
        .annotate(n=Count("id"))
        .values_list("member_id", "n")
    )
    mine = {r.member_id: r for r in PostRating.objects.filter(phase=phase, rated_by=rater)}
    members = (
        Member.objects.filter(pk__in=ids)
        .select_related("branch")
        .order_by("branch__path", "number")
    )
    return [
        Participant(
            m,
            shifts[m.pk],
            punctual[m.pk],
            logs.get(m.pk, 0),
            mine[m.pk].score if m.pk in mine else None,
            mine[m.pk].comment if m.pk in mine else "",
        )
        for m in members
    ]


def is_participant(*, phase: Phase, member: Member) -> bool:
    return (
        Allocation.objects.filter(phase=phase, member=member).exists()
        or DutyCheck.objects.filter(phase=phase, member=member).exists()
    )


@dataclass
class DutyRecord:
    checks: list[Any]
    punctual: int
    logs: int
    ratings: QuerySet[PostRating]
    average: float | None


def duty_record(*, member: Member) -> DutyRecord:
    """A participant's shifts (with punctuality), logs and ratings: four queries."""
    checks = list(
        DutyCheck.objects.filter(member=member)
        .select_related("post", "phase")
        .order_by("-date")[:200]
    )
    punctual = 0
    for c in checks:
        c.on_time = on_time(c)  # type: ignore[attr-defined]
        punctual += 1 if c.on_time else 0  # type: ignore[attr-defined]
    ratings = PostRating.objects.filter(member=member).select_related("phase", "rated_by")
    return DutyRecord(
        checks=checks,
        punctual=punctual,
        logs=DutyLog.objects.filter(member=member).count(),
        ratings=ratings,
        average=ratings.aggregate(a=Avg("score"))["a"],
    )


@dataclass
class Evidence:
    members: int
    served: int
    person_times: int
    logs: int
    meetings: dict[str, int]
    talk_covered: int
    submissions: int
    average_rating: float | None
    honours: list[Any]
    compliance_met: int = 0
    compliance_missing: int = 0
    missing_text: str = ""

    @property
    def talk_rate(self) -> int:
        return round(100 * self.talk_covered / self.members) if self.members else 0


def compliance(*, user: Any, org: Org, year: int) -> tuple[int, int, str]:
    """Required meetings of the year met and missing in the org's branches, and the first
    ones missing in words (meetings.compliance, as the user sees them)."""
    rows = compliance_rows(user=user, year=year, within=org)
    cells = [c for row in rows for c in row.cells]
    met = sum(1 for c in cells if c.status == Compliance.MET)
    missing = [row for row in rows if row.missing]
    words = "；".join(f"{row.branch.name}：{row.missing_text}" for row in missing[:3])
    return met, sum(len(row.missing) for row in rows), words


def evidence(*, org: Org, year: int, user: Any = None) -> Evidence:
    """The year's record of an org's subtree, from the platform: nine queries (and the
    compliance's four when `user` is given)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    under = Q(member__branch__path__startswith=org.path)
    checks = DutyCheck.objects.filter(under, date__range=(start, end))
    meetings = (
        Meeting.objects.filter(
            org__path__startswith=org.path,
            state=MeetingState.APPROVED,
            held_at__date__range=(start, end),
        )
        .values("kind")
        .annotate(n=Count("id"))
    )
    kinds = dict(Meeting._meta.get_field("kind").choices or [])  # type: ignore[arg-type]
    met, missing, words = compliance(user=user, org=org, year=year) if user else (0, 0, "")
    return Evidence(
        compliance_met=met,
        compliance_missing=missing,
        missing_text=words,
        members=Member.objects.filter(branch__path__startswith=org.path).count(),
        served=checks.values("member_id").distinct().count(),
        person_times=checks.count(),
        logs=DutyLog.objects.filter(under, date__range=(start, end)).count(),
        meetings={str(kinds.get(m["kind"], m["kind"])): m["n"] for m in meetings},
        talk_covered=Talk.objects.filter(
            branch__path__startswith=org.path, talked_on__range=(start, end)
        )
        .values("member_id")
        .distinct()
        .count(),
        submissions=Submission.objects.filter(
            org__path__startswith=org.path, state__in=COUNTED_STATES, submitted_at__year=year
        ).count(),
        average_rating=PostRating.objects.filter(under, phase__starts_on__year=year).aggregate(
            a=Avg("score")
        )["a"],
        honours=list(
            Nomination.objects.filter(
                Q(branch__path__startswith=org.path) | Q(member__branch__path__startswith=org.path),
                state=NominationState.AWARDED,
                round__year=year,
            ).select_related("round", "member", "branch")
        ),
    )


def appraisal_orgs(*, user: Any) -> Any:
    """Branches and units the user sees for 述职评议."""
    return (
        orgs_for_user(user, Perm.APPRAISAL_VIEW)
        .filter(Q(depth=2) | Q(kind="branch"))
        .order_by("path")
    )
