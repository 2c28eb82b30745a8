"""The demo university's organisational life (called by seed_demo, after duty.demo.seed).

Every branch gets a committee (the demo secretary's branch has terms ending within two months,
so 换届 is reminded) and a year of meetings: 支委会 and 主题党日 monthly, 支部党员大会 and
党课 each quarter, a 组织生活会 in June, with attendance; older ones approved, last month's
waiting for the unit or 组织部, one returned. Every fifth branch skips some months, so the
compliance list has branches falling short. A draft 主题党日 is held today in the demo
branch, so members can check in; its 组织生活会 has three stories. Written with bulk_create
to keep seed_demo fast.
"""

import datetime as dt
import random
import secrets
from collections import defaultdict

from django.utils import timezone

from meetings.models import (
    Attendance,
    AttendanceStatus,
    CommitteeSeat,
    ComplianceRule,
    Frequency,
    Meeting,
    MeetingEvent,
    MeetingKind,
    MeetingMode,
    MeetingState,
    MeetingStory,
    SeatTitle,
)
from meetings.services import quorum_counts
from members.models import Member, PoliticalStatus
from orgs.models import BranchKind, Org, OrgKind

TOPICS = {
    MeetingKind.COMMITTEE: [
        "研究本月疫情防控工作安排",
        "讨论党员先锋岗人员推荐",
        "研究发展对象培养考察",
    ],
    MeetingKind.THEME_DAY: [
        "线上主题党日：讲评战“疫”故事",
        "学习抗疫英雄事迹",
        "志愿服务：校园消杀",
    ],
    MeetingKind.GENERAL_ASSEMBLY: [
        "讨论接收预备党员",
        "选举出席上级党代会代表",
        "通报支部半年工作",
    ],
    MeetingKind.LECTURE: ["专题党课：坚定信心 同舟共济", "党课：党员如何在疫情防控中发挥作用"],
    MeetingKind.ORG_LIFE: ["组织生活会：人人讲述战“疫”故事", "组织生活会：对照检查 相互批评"],
}
PLATFORMS = ["腾讯会议", "钉钉", "学习强国"]
MINUTES = """一、书记传达学校党委关于疫情防控工作的部署。
二、与会党员结合本职工作交流体会。
三、会议对下一阶段工作作出安排。"""


def _month_start(today: dt.date, back: int) -> dt.date:
    y, m = today.year, today.month - back
    while m < 1:
        y, m = y - 1, m + 12
    return dt.date(y, m, 1)


def _kinds_and_groups(branches: list[Org]) -> None:
    """Each branch's kind from its name (学生 / 离退休 / 教工), and its members dealt round
    the branch's 党小组, so a 党小组会 expects its group. 离退休支部 hold 主题党日 quarterly
    (a rule for that kind of branch)."""
    for kind, word in ((BranchKind.STUDENT, "学生"), (BranchKind.RETIRED, "离退休")):
        Org.objects.filter(pk__in=[b.pk for b in branches], name__contains=word).update(
            branch_kind=kind
        )
    Org.objects.filter(pk__in=[b.pk for b in branches], branch_kind="").update(
        branch_kind=BranchKind.STAFF
    )
    groups: dict[str, list[int]] = defaultdict(list)
    for pk, path in Org.objects.filter(
        path__startswith=branches[0].path[: Org.steplen], kind=OrgKind.GROUP
    ).values_list("pk", "path"):
        groups[path[: -Org.steplen]].append(pk)
    moves: dict[int, list[int]] = defaultdict(list)
    for n, (pk, branch_path) in enumerate(
        Member.objects.filter(branch__in=branches).values_list("pk", "branch__path")
    ):
        if groups.get(branch_path):
            options = groups[branch_path]
            moves[options[n % len(options)]].append(pk)
    for group_id, ids in moves.items():
        Member.objects.filter(pk__in=ids).update(party_group_id=group_id)
    ComplianceRule.objects.get_or_create(
        kind=MeetingKind.THEME_DAY,
        frequency=Frequency.QUARTERLY,
        branch_kind=BranchKind.RETIRED,
        org=None,
        defaults={"min_count": 1, "starts_on": dt.date(2020, 1, 1)},
    )


def seed(*, school: Org, demo_branch: Org | None = None) -> None:
    """Create this app's demo records under `school` (inside seed_demo's transaction)."""
    branches = list(
        Org.objects.filter(path__startswith=school.path, kind=OrgKind.BRANCH).order_by("path")
    )
    if not branches or Meeting.objects.filter(org__in=branches).exists():
        return
    rng = random.Random(1921)
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    _kinds_and_groups(branches)
    members: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, branch_id, status in Member.objects.filter(
        branch__in=branches,
        political_status__in=(PoliticalStatus.FULL, PoliticalStatus.PROBATIONARY),
    ).values_list("pk", "branch_id", "political_status"):
        members[branch_id].append((pk, status))

    seats = []
    committees: dict[int, list[tuple[int, str]]] = {}
    for branch in branches:
        people = members.get(branch.pk, [])[:3]
        ending = today + dt.timedelta(days=45) if branch == demo_branch else None
        start = today - dt.timedelta(days=700 if ending else rng.randint(100, 600))
        titles = [SeatTitle.SECRETARY, SeatTitle.ORGANISATION, SeatTitle.PROPAGANDA]
        for (pk, _), title in zip(people, titles, strict=False):
            seats.append(
                CommitteeSeat(
                    branch=branch, member_id=pk, title=title, term_start=start, term_end=ending
                )
            )
        committees[branch.pk] = [
            (pk, SeatTitle(t).label) for (pk, _), t in zip(people, titles, strict=False)
        ]
    CommitteeSeat.objects.bulk_create(seats)

    plans: list[tuple[Org, str, dt.datetime, str]] = []
    for n, branch in enumerate(branches):
        lax = n % 5 == 4  # every fifth branch skips meetings
        for back in range(12, 0, -1):
            month = _month_start(today, back)
            month_state: str = (
                MeetingState.APPROVED
                if back > 1
                else MeetingState.SUBMITTED
                if rng.random() < 0.1
                else MeetingState.UNIT_APPROVED
            )
            kinds: list[str] = [MeetingKind.COMMITTEE, MeetingKind.THEME_DAY]
            if month.month in (1, 4, 7, 10):
                kinds += [MeetingKind.GENERAL_ASSEMBLY, MeetingKind.LECTURE]
            if month.month == 6:  # around 七一
                kinds.append(MeetingKind.ORG_LIFE)
            for kind in kinds:
                if lax and rng.random() < 0.5:
                    continue
                day = dt.datetime.combine(
                    month + dt.timedelta(days=rng.randint(2, 25)), dt.time(15, 0), tzinfo=tz
                )
                plans.append((branch, kind, day, month_state))
    returned_done = False
    meetings = []
    for branch, what, held, state in plans:
        if not returned_done and branch == demo_branch and state != MeetingState.APPROVED:
            state, returned_done = MeetingState.RETURNED, True
        online = rng.random() < 0.5
        meetings.append(
            Meeting(
                org=branch,
                kind=what,
                topic=rng.choice(TOPICS[MeetingKind(what)]),
                planned_at=held,
                held_at=held,
                mode=MeetingMode.ONLINE if online else MeetingMode.OFFLINE,
                platform=rng.choice(PLATFORMS) if online else "",
                place="" if online else "党员活动室",
                agenda="学习上级文件\n研究部署近期工作",
                minutes=MINUTES,
                decisions="同意接收一名预备党员" if what == MeetingKind.GENERAL_ASSEMBLY else "",
                state=state,
                checkin_code=f"{secrets.randbelow(10**6):06d}",
            )
        )
    # today's draft 主题党日 in the demo branch, for check-in
    if demo_branch is not None:
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        meetings.append(
            Meeting(
                org=demo_branch,
                kind=MeetingKind.THEME_DAY,
                topic="线上主题党日：我身边的战“疫”故事",
                planned_at=now,
                held_at=now,
                mode=MeetingMode.ONLINE,
                platform="腾讯会议",
                link="会议号 123 456 789",
                agenda="讲评战“疫”故事",
                state=MeetingState.DRAFT,
                checkin_code=f"{secrets.randbelow(10**6):06d}",
            )
        )
    Meeting.objects.bulk_create(meetings)
    meetings = list(Meeting.objects.filter(org__in=branches).order_by("id"))

    rows, events = [], []
    chain = {
        MeetingState.DRAFT: [MeetingState.DRAFT],
        MeetingState.SUBMITTED: [MeetingState.DRAFT, MeetingState.SUBMITTED],
        MeetingState.RETURNED: [MeetingState.DRAFT, MeetingState.SUBMITTED, MeetingState.RETURNED],
        MeetingState.UNIT_APPROVED: [
            MeetingState.DRAFT,
            MeetingState.SUBMITTED,
            MeetingState.UNIT_APPROVED,
        ],
        MeetingState.APPROVED: [
            MeetingState.DRAFT,
            MeetingState.SUBMITTED,
            MeetingState.UNIT_APPROVED,
            MeetingState.APPROVED,
        ],
    }
    for m in meetings:
        if m.kind == MeetingKind.COMMITTEE:
            roll = [(pk, True, title) for pk, title in committees.get(m.org_id, [])]
        else:
            roll = [(pk, st == PoliticalStatus.FULL, "") for pk, st in members.get(m.org_id, [])]
        counted: list[tuple[str, str, bool]] = []
        for pk, vote, seat in roll:
            r = rng.random()
            if m.state == MeetingState.DRAFT:
                status, reason = AttendanceStatus.ABSENT, ""
            elif r < 0.85:
                status, reason = AttendanceStatus.PRESENT, ""
            elif r < 0.95:
                status, reason = (
                    AttendanceStatus.LEAVE,
                    rng.choice(["滞留外地", "居家隔离", "出差"]),
                )
            else:
                status, reason = AttendanceStatus.ABSENT, ""
            rows.append(
                Attendance(
                    meeting=m,
                    member_id=pk,
                    status=status,
                    reason=reason,
                    has_vote=vote,
                    seat_title=seat,
                )
            )
            counted.append((status, reason, vote))
        m.quorum_base, m.quorum_present = quorum_counts(kind=m.kind, rows=counted)
        previous = ""
        for step in chain[MeetingState(m.state)]:
            events.append(
                MeetingEvent(
                    meeting=m,
                    from_state=previous,
                    to_state=step,
                    comment="请补充会议议题和出席人员请假原因"
                    if step == MeetingState.RETURNED
                    else "",
                )
            )
            previous = step
    Attendance.objects.bulk_create(rows, batch_size=2000)
    _stories(meetings, members, demo_branch)
    MeetingEvent.objects.bulk_create(events, batch_size=2000)
    Meeting.objects.bulk_update(meetings, ["quorum_base", "quorum_present"], batch_size=1000)


STORIES = [
    ("守护校门的七天", "疫情期间我在北门值守，每天为返校师生测温登记……"),
    ("云端课堂里的坚持", "居家期间我每天按时在线答疑，学生们说这是最安心的时刻……"),
    ("志愿者的一封信", "报名社区志愿者后，我负责楼栋的物资配送……"),
]


def _stories(
    meetings: list[Meeting], members: dict[int, list[tuple[int, str]]], branch: Org | None
) -> None:
    """Three stories told at the demo branch's 组织生活会, two picked for its 故事汇."""
    if branch is None:
        return
    org_life = [m for m in meetings if m.org_id == branch.pk and m.kind == MeetingKind.ORG_LIFE]
    people = members.get(branch.pk, [])
    if not org_life or len(people) < len(STORIES):
        return
    MeetingStory.objects.bulk_create(
        MeetingStory(meeting=org_life[-1], member_id=pk, title=title, text=text, picked=i < 2)
        for i, ((pk, _), (title, text)) in enumerate(zip(people, STORIES, strict=False))
    )
