"""The demo university's rosters data (called by seed_demo).

Posts at the three campuses' gates (school level: 4 people a shift, 4 shifts a day, at least one
cadre a shift), the leaders' 24-hour duty, a unit's dormitory post (men only); a phase over a
fixed fortnight with sign-ups from ~80 members (the `dangyuan` login's member and cadres among
them), recommendations, allocations and a roster solved and published.
"""

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from lib.roster import solve
from members.models import CadreRank, Category, Gender, Member
from orgs.models import Campus, Org
from rosters.models import (
    Allocation,
    Phase,
    Post,
    PostKind,
    PostLevel,
    Roster,
    SignUp,
    default_slots,
)
from rosters.problems import problem_build, roster_settings
from rosters.services import roster_store_result

PHASE_START = dt.date(2020, 9, 17)  # 003: "9月17日至今"
PHASE_DAYS = 14
SOLVE_SECONDS = 5
GATE_SUFFIXES = ("正门", "北门")
LEADER_SLOTS = [{"name": "24小时", "start": "08:00", "hours": 24}]
DUTIES = "落实值班安排，配合做好体温检测、信息登记；发现异常情况，及时按学校预案处置。"


def seed(*, school: Org) -> None:
    """Create this app's demo records under `school` (inside seed_demo's transaction)."""
    if Phase.objects.filter(org=school).exists():
        return
    rng = random.Random(2020)
    campuses = list(Campus.objects.order_by("pk")[:3])
    gate_posts = [
        Post.objects.create(
            name=f"{c.name}{GATE_SUFFIXES[0]}值班值守岗",
            kind=PostKind.GATE_DUTY,
            level=PostLevel.SCHOOL,
            org=school,
            campus=c,
            place=f"{c.name}{GATE_SUFFIXES[0]}",
            duties=DUTIES,
            slots=default_slots(),
            headcount=4,
            min_cadres=1,
        )
        for c in campuses
    ]
    leader_post = Post.objects.create(
        name="校领导24小时值班",
        kind=PostKind.GATE_DUTY,
        level=PostLevel.SCHOOL,
        org=school,
        campus=campuses[0] if campuses else None,
        place="校值班室（轮流赴各校区）",
        duties="统筹各校区防疫物资保障、隔离点工作，处置突发情况。",
        slots=LEADER_SLOTS,
        is_leader_duty=True,
        headcount=1,
        min_cadres=1,
    )
    unit = Org.objects.filter(depth=2).order_by("path").first()
    assert unit is not None
    building = Post.objects.create(
        name=f"{unit.name}男生公寓楼栋管理岗",
        kind=PostKind.BUILDING,
        level=PostLevel.UNIT,
        org=unit,
        campus=unit.campus,
        place="男生公寓 3 号楼",
        duties="配合楼栋长做好巡逻值班、进出人员信息管理、体温检测、卫生检查。",
        slots=[
            {"name": "08–14", "start": "08:00", "hours": 6},
            {"name": "14–20", "start": "14:00", "hours": 6},
        ],
        headcount=1,
        gender=Gender.MALE,
    )
    Post.objects.create(
        name="一食堂就餐秩序岗",
        kind=PostKind.DINING,
        level=PostLevel.SCHOOL,
        org=school,
        campus=campuses[0] if campuses else None,
        place="第一食堂",
        duties="就餐时间配合做好就餐人员组织、体温检测、秩序维护。",
        slots=[{"name": "11–13", "start": "11:00", "hours": 2}],
        headcount=2,
        active=False,
    )
    end = PHASE_START + dt.timedelta(days=PHASE_DAYS - 1)
    deadline = timezone.make_aware(dt.datetime.combine(PHASE_START, dt.time(18)))
    phase = Phase.objects.create(
        name="秋季学期第一阶段（校门值守）",
        org=school,
        starts_on=PHASE_START,
        ends_on=end,
        signup_deadline=deadline - dt.timedelta(days=2),
        recommend_deadline=deadline - dt.timedelta(days=1),
    )
    phase.posts.set([*gate_posts, leader_post])
    unit_phase = Phase.objects.create(
        name=f"{unit.name}楼栋管理（秋季第一阶段）",
        org=unit,
        starts_on=PHASE_START,
        ends_on=end,
        signup_deadline=deadline - dt.timedelta(days=2),
    )
    unit_phase.posts.set([building])
    # An open phase, so members can try signing up in the demo.
    upcoming = timezone.localdate() + dt.timedelta(days=7)
    open_phase = Phase.objects.create(
        name="下一阶段（报名中）",
        org=school,
        starts_on=upcoming,
        ends_on=upcoming + dt.timedelta(days=6),
        signup_deadline=timezone.now() + dt.timedelta(days=5),
        recommend_deadline=timezone.now() + dt.timedelta(days=6),
    )
    open_phase.posts.set(gate_posts)

    # Who signs up: the demo member, the unit's men for the dormitory, ~80 staff with cadres.
    staff = list(
        Member.objects.filter(category=Category.STAFF).select_related("branch").order_by("number")
    )
    cadres = [m for m in staff if m.cadre_rank]
    leaders = sorted(
        cadres, key=lambda m: (m.cadre_rank != CadreRank.BUREAU, m.cadre_rank != CadreRank.DIVISION)
    )[:4]
    others = [m for m in staff if not m.cadre_rank]
    rng.shuffle(others)
    gate_cadres = [m for m in cadres if m not in leaders][:26]
    demo_member = Member.objects.filter(user__username="dangyuan").first()
    people = [*leaders, *gate_cadres, *others[: 80 - len(leaders) - len(gate_cadres)]]
    if demo_member and demo_member not in people:
        people.append(demo_member)
    days = [PHASE_START + dt.timedelta(days=i) for i in range(PHASE_DAYS)]
    admin = None
    signups: dict[int, SignUp] = {}
    for i, m in enumerate(people):
        is_leader = m in leaders
        wanted = [leader_post.pk] if is_leader else [gate_posts[i % len(gate_posts)].pk]
        off = [] if is_leader or rng.random() < 0.6 else [rng.choice(days).isoformat()]
        signups[m.pk] = SignUp.objects.create(
            phase=phase,
            member=m,
            wanted_posts=wanted,
            unavailable_dates=off,
            avoid_night=rng.random() < 0.3,
            campus=m.campus,
            health_ok=True,
            phone=m.phone or "13800000000",
            recommended=True,
            recommended_at=timezone.now(),
            recommended_by=admin,
        )
        post = leader_post if is_leader else gate_posts[i % len(gate_posts)]
        Allocation.objects.create(phase=phase, post=post, member=m)
    # Cadres spread over the three gates so each gate has enough for one a shift.
    for j, m in enumerate(gate_cadres):
        for post in gate_posts:
            if post.pk != gate_posts[(people.index(m)) % len(gate_posts)].pk and j % 2 == 0:
                Allocation.objects.get_or_create(phase=phase, post=post, member=m)
    # The unit's dormitory post: men of the unit.
    men = list(
        Member.objects.filter(branch__path__startswith=unit.path, gender=Gender.MALE).order_by(
            "number"
        )[:12]
    )
    for m in men:
        SignUp.objects.create(
            phase=unit_phase,
            member=m,
            wanted_posts=[building.pk],
            health_ok=True,
            phone=m.phone or "13800000000",
            campus=m.campus,
        )
        Allocation.objects.create(phase=unit_phase, post=building, member=m)
    for p, org in ((phase, school), (unit_phase, unit)):
        roster = Roster.objects.create(phase=p, org=org, settings=roster_settings(Roster()))
        _solve_and_publish(roster, seconds=SOLVE_SECONDS if org == school else 2)


def _solve_and_publish(roster: Roster, *, seconds: float) -> None:
    built = problem_build(roster)
    result: Any = solve(
        built.problem, time_limit=seconds, on_progress=lambda p: None, should_stop=lambda: False
    )
    roster_store_result(roster=roster, built=built, result=result)
    roster.refresh_from_db()
    if result.ok:
        roster.state = Roster.State.PUBLISHED
        roster.published_at = timezone.now()
        roster.save(update_fields=["state", "published_at"])
