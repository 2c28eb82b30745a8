"""The demo university's study (called by seed_demo, after meetings.demo): an annual plan per
branch for this year and last, a self-study item each month that most members did, and each
quarterly 党课 held as a study session with those present. Written with bulk_create."""

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingKind
from members.models import Member, PoliticalStatus
from orgs.models import Org, OrgKind
from study.models import PlanKind, SessionKind, StudyAttendance, StudyPlan, StudySession

TOPICS = [
    "学习习近平总书记关于疫情防控的重要讲话精神",
    "学习《中国共产党章程》",
    "学习《关于新形势下党内政治生活的若干准则》",
    "观看抗疫英雄先进事迹报告会",
    "学习学校疫情防控工作方案",
    "学习《中国共产党纪律处分条例》",
]


def seed(*, school: Org) -> None:
    """Create this app's demo records under `school` (inside seed_demo's transaction)."""
    branches = list(
        Org.objects.filter(path__startswith=school.path, kind=OrgKind.BRANCH).order_by("path")
    )
    if not branches or StudyPlan.objects.filter(org__in=branches).exists():
        return
    rng = random.Random(1921)
    today = timezone.localdate()
    members: dict[int, list[int]] = defaultdict(list)
    for pk, branch_id in Member.objects.filter(
        branch__in=branches,
        political_status__in=(PoliticalStatus.FULL, PoliticalStatus.PROBATIONARY),
    ).values_list("pk", "branch_id"):
        members[branch_id].append(pk)
    plans = [
        StudyPlan(
            org=b,
            kind=PlanKind.ANNUAL,
            title=f"{b.name}{year}年党员学习计划",
            starts_on=dt.date(year, 1, 1),
            ends_on=dt.date(year, 12, 31),
            content="每月一次集中学习或自学；每季度一次党课。",
            hours_target=Decimal("24"),
        )
        for b in branches
        for year in (today.year - 1, today.year)
    ]
    StudyPlan.objects.bulk_create(plans)
    plan_of = {(p.org_id, p.starts_on.year): p for p in plans}
    sessions: list[StudySession] = []
    for b in branches:
        for back in range(11, -1, -1):
            month = (today.replace(day=1) - dt.timedelta(days=31 * back)).replace(day=5)
            sessions.append(
                StudySession(
                    org=b,
                    plan=plan_of[(b.pk, month.year)],
                    kind=SessionKind.SELF_STUDY,
                    title=TOPICS[back % len(TOPICS)],
                    held_on=month,
                    due_on=month + dt.timedelta(days=25),
                    hours=Decimal("2"),
                    notes="阅读原文并撰写学习体会。",
                )
            )
    lectures = list(
        Meeting.objects.filter(
            org__in=branches,
            kind=MeetingKind.LECTURE,
            held_at__gte=timezone.now() - dt.timedelta(days=365),
        ).select_related("org")
    )
    for m in lectures:
        held = timezone.localdate(m.held_at) if m.held_at else today
        sessions.append(
            StudySession(
                org=m.org,
                plan=plan_of.get((m.org_id, held.year)),
                kind=SessionKind.MEETING,
                title=m.topic,
                held_on=held,
                hours=Decimal("1.5"),
                meeting=m,
            )
        )
    StudySession.objects.bulk_create(sessions)
    present: dict[int, list[int]] = defaultdict(list)
    for meeting_id, member_id in Attendance.objects.filter(
        meeting__in=lectures, status=AttendanceStatus.PRESENT
    ).values_list("meeting_id", "member_id"):
        present[meeting_id].append(member_id)
    rows = []
    for s in sessions:
        if s.kind == SessionKind.MEETING:
            assert s.meeting_id is not None
            people = present.get(s.meeting_id, [])
        elif s.held_on > today:
            people = []
        else:  # most members did the month's self-study; the current one is still open
            share = 0.4 if (s.due_on or today) >= today else 0.85
            people = [pk for pk in members.get(s.org_id, []) if rng.random() < share]
        rows += [
            StudyAttendance(
                session=s,
                member_id=pk,
                hours=s.hours,
                on=min(s.held_on + dt.timedelta(days=rng.randint(0, 20)), today),
            )
            for pk in people
        ]
    StudyAttendance.objects.bulk_create(rows, batch_size=5000)
