"""The demo university's duty data (called by seed_demo, after rosters.demo.seed).

Check-ins and duty logs for the past shifts of the published rosters (most worked, a few
missed); a shift for the `dangyuan` login today and tomorrow so the demo can check in;
a school-wide pledge signed by about two thirds of the members and a unit's 责任状;
responsibility zones and a vanguard and a commando team.
"""

import datetime as dt
import random

from django.utils import timezone

from duty.models import (
    DutyCheck,
    DutyLog,
    Pledge,
    PledgeSignature,
    ResponsibilityZone,
    Team,
    TeamKind,
    ZoneKind,
)
from duty.services import shift_times
from members.models import Member
from orgs.models import Campus, Org, OrgKind
from rosters.models import Assignment, Phase, Post, PostKind, PostLevel, Roster

ANOMALIES = [
    "",
    "",
    "",
    "一名外来人员未持健康码，已劝返。",
    "一名学生体温37.4℃，复测正常后放行。",
    "快递车辆在校门口聚集，已协调分流。",
]
HANDOVERS = [
    "",
    "",
    "测温枪电池电量低，请带备用电池。",
    "登记本已用完，新本放在值班室抽屉。",
    "明早有一批防疫物资送达，请联系后勤处接收。",
]
PLEDGE_BODY = """我是一名中国共产党党员，在疫情防控的关键时刻，我郑重承诺：
一、坚决服从学校党委统一指挥、统一调度，守土有责、守土担责、守土尽责；
二、严格遵守各项防控规定，带头做好个人防护，如实报告健康状况和行程；
三、主动亮明党员身份，在党员先锋岗上冲锋在前，认真做好体温检测、信息登记等工作；
四、不信谣、不传谣，积极宣传防疫知识，做好师生思想引导；
五、发现异常情况及时报告，按学校预案处置。"""


def seed(*, school: Org) -> None:
    """Create this app's demo records under `school` (inside seed_demo's transaction)."""
    if Pledge.objects.filter(org=school).exists():
        return
    rng = random.Random(917)
    _check_ins_and_logs(rng)
    _demo_member_shifts(school)
    _pledges(school, rng)
    _zones_and_teams(rng)


def _check_ins_and_logs(rng: random.Random) -> None:
    past = list(
        Assignment.objects.filter(
            roster__state=Roster.State.PUBLISHED, date__lt=timezone.localdate()
        )
        .select_related("post", "member", "roster")
        .order_by("date", "post_id", "slot")
    )
    checks = []
    logs = []
    for a in past:
        if rng.random() < 0.06:
            continue  # missed: scheduled but not worked
        times = shift_times(a)
        checked_in = times.start - dt.timedelta(minutes=rng.randint(0, 25))
        checks.append(
            DutyCheck(
                **DutyCheck.shift_fields(a),
                checked_in_at=checked_in,
                checked_out_at=times.end + dt.timedelta(minutes=rng.randint(0, 40)),
                ip=f"10.20.{rng.randint(1, 254)}.{rng.randint(1, 254)}",
            )
        )
        if rng.random() < 0.4:
            logs.append(
                DutyLog(
                    **DutyLog.shift_fields(a),
                    temperatures_taken=rng.randint(20, 300),
                    people_registered=rng.randint(0, 40),
                    anomalies=rng.choice(ANOMALIES),
                    handover=rng.choice(HANDOVERS),
                    written_by_id=a.member.user_id,
                )
            )
    DutyCheck.objects.bulk_create(checks, batch_size=1000)
    DutyLog.objects.bulk_create(logs, batch_size=1000)
    # Worked shifts are frozen, as a check-in through the pages leaves them.
    Assignment.objects.filter(duty_check__isnull=False).update(pinned=True)


def _demo_member_shifts(school: Org) -> None:
    """Today's and tomorrow's shifts for `dangyuan`, covering the clock, so check-in works."""
    member = Member.objects.filter(user__username="dangyuan").first()
    if member is None:
        return
    today = timezone.localdate()
    post = Post.objects.create(
        name="演示：校门临时值守岗",
        kind=PostKind.GATE_DUTY,
        level=PostLevel.SCHOOL,
        org=school,
        campus=member.campus or Campus.objects.order_by("pk").first(),
        place="正门",
        duties="配合做好体温检测、信息登记；发现异常情况及时报告。",
        slots=[
            {"name": "08–20", "start": "08:00", "hours": 12},
            {"name": "20–08", "start": "20:00", "hours": 12},
        ],
        headcount=1,
    )
    phase = Phase.objects.create(
        name="演示：本周校门临时值守",
        org=school,
        starts_on=today - dt.timedelta(days=1),
        ends_on=today + dt.timedelta(days=1),
    )
    phase.posts.set([post])
    roster = Roster.objects.create(
        phase=phase, org=school, state=Roster.State.PUBLISHED, published_at=timezone.now()
    )
    yesterday = Assignment.objects.create(
        roster=roster, post=post, member=member, date=today - dt.timedelta(days=1), slot="08–20"
    )
    times = shift_times(yesterday)
    DutyCheck.objects.create(
        **DutyCheck.shift_fields(yesterday), checked_in_at=times.start, checked_out_at=times.end
    )
    DutyLog.objects.create(
        **DutyLog.shift_fields(yesterday),
        temperatures_taken=128,
        people_registered=17,
        handover="正门测温枪需充电，充电器在值班室。",
        written_by_id=member.user_id,
    )
    for day in (today - dt.timedelta(days=1), today, today + dt.timedelta(days=1)):
        for slot in ("08–20", "20–08"):
            if day == yesterday.date and slot == "08–20":
                continue
            Assignment.objects.create(roster=roster, post=post, member=member, date=day, slot=slot)


def _pledges(school: Org, rng: random.Random) -> None:
    pledge = Pledge.objects.create(
        title="党员疫情防控承诺书",
        body=PLEDGE_BODY,
        org=school,
        closes_on=timezone.localdate() + dt.timedelta(days=30),
    )
    members = list(
        Member.objects.filter(branch__path__startswith=school.path)
        .exclude(user__username="dangyuan")
        .only("pk", "name")
    )
    signed_at = timezone.now() - dt.timedelta(days=3)
    signatures = [
        PledgeSignature(
            pledge=pledge,
            member=m,
            signed_name=m.name,
            ip=f"10.30.{rng.randint(1, 254)}.{rng.randint(1, 254)}",
        )
        for m in members
        if rng.random() < 0.65
    ]
    PledgeSignature.objects.bulk_create(signatures, batch_size=1000)
    PledgeSignature.objects.filter(pledge=pledge).update(signed_at=signed_at)
    unit = Org.objects.filter(depth=2).order_by("path").first()
    if unit is not None:
        Pledge.objects.create(
            title=f"{unit.name}党员先锋岗责任状",
            body="本人自愿加入党员先锋岗，对照职责要求，承诺践诺，恪尽职守。",
            org=unit,
        )


def _zones_and_teams(rng: random.Random) -> None:
    units = list(Org.objects.filter(depth=2).order_by("path")[:3])
    for index, unit in enumerate(units):
        branches = list(
            Org.objects.filter(path__startswith=unit.path, kind=OrgKind.BRANCH).order_by("path")[:2]
        )
        people = list(Member.objects.filter(branch__path__startswith=unit.path).order_by("number"))
        if not people:
            continue
        kinds = [
            (ZoneKind.DORMITORY, f"{index + 1}号学生公寓"),
            (ZoneKind.DEPARTMENT, f"{unit.short_name or unit.name}办公室"),
        ]
        for branch in branches:
            kinds.append((ZoneKind.BRANCH, f"{branch.name}责任区"))
        for kind, name in kinds:
            zone = ResponsibilityZone.objects.create(
                name=name,
                kind=kind,
                org=unit,
                description="包干区域内的防疫宣传、人员排查和秩序维护。",
            )
            zone.members.set(rng.sample(people, min(3, len(people))))
        for team_kind, label in (
            (TeamKind.VANGUARD, "党员先锋队"),
            (TeamKind.COMMANDO, "党员突击队"),
        ):
            crew = rng.sample(people, min(6, len(people)))
            team = Team.objects.create(
                name=f"{unit.short_name or unit.name}{label}",
                kind=team_kind,
                org=unit,
                leader=crew[0],
                description="校门值守、物资配送、协助快递消杀和分发。",
            )
            team.members.set(crew)
