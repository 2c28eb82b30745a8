"""Every capability's activity at the benchmark university (`seed_large`), so the dashboard and
the other benchmarks meet the data a school has after a fortnight of the epidemic.

`seed_activity(uni, seed=…, days=14)` writes, around today:
- a campaign (「四个一」) with unit-level quotas and a branch-level one, submissions in every
  state, some units with nothing in;
- a school phase of gate duty that about 60 % of the members signed up for, allocations, a
  published roster over `days` days (a few shifts short), check-ins and duty logs; busy units
  run a dormitory post of their own;
- 三会一课 over the last three months with attendance, branch committees; some branches held
  nothing, some missed months;
- talks with part of the members; students' daily health report (the last week of it) and
  staff's weekly report (over `days`), some members missing (overdue), a few fevers; ~20 open
  escalations (a few risen, two past their limit), acknowledged, handled and answered ones,
  and a fever alert for each fever;
- two gates per campus with entries for each day (a few at 37.3 ℃ or more);
- a few development files, study sessions and hours, a care fund with its ledger, a pledge,
  post ratings, appraisals, an award round and cadre records.

Seed data, not users' actions: rows are written with bulk_create in chunks of 5,000, no
service and no audit row. The same seed and `now` give the same rows (dates are counted
from today). Names stay clear of what the benchmarks add (their gate 基准北门, meetings
「基准会议 …」, the form 压测健康报备, the campaign 「…（看板）」).
"""

import datetime as dt
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from assessment.models import Appraisal, AppraisalResult, PostRating
from campaigns.models import (
    Campaign,
    Deliverable,
    DeliverableKind,
    LatePolicy,
    MaterialType,
    Submission,
    SubmissionAuthor,
    SubmissionState,
    SubmittingLevel,
    UnitSummary,
)
from carefund.models import (
    CareEntry,
    CareFund,
    CarePayment,
    CareRecipient,
    EntryKind,
    PaymentMode,
    PaymentState,
    Purpose,
)
from demo.builders import University
from development.models import (
    Candidate,
    DevelopmentStage,
    ReviewResult,
    StageStep,
    TrainingGrade,
    add_months,
)
from duty.models import DutyCheck, DutyLog, Pledge, PledgeSignature
from escalations.models import Category as EscalationCategory
from escalations.models import (
    Escalation,
    EscalationEvent,
    EscalationKind,
    EscalationState,
    EventAction,
    Reply,
    Urgency,
)
from escalations.services import limit_for
from gates.models import Device, Direction, Entry, Gate, GateKeeper
from honours.models import AwardKind, CommendationRound, Nomination, RoundQuota
from ledger.models import CadreRecord, RecordKind
from meetings.models import (
    Attendance,
    AttendanceStatus,
    CommitteeSeat,
    Meeting,
    MeetingKind,
    MeetingMode,
    MeetingState,
    SeatTitle,
)
from members.models import Category, Member, PoliticalStatus
from orgs.models import Org
from reports import builtin
from reports.models import Frequency, Report, ReportForm, ReportFormVersion, ReportSchedule
from rosters.models import (
    Allocation,
    Assignment,
    Phase,
    Post,
    PostKind,
    PostLevel,
    Roster,
    SignUp,
    default_slots,
)
from rosters.problems import roster_settings
from study.models import PlanKind, SessionKind, StudyAttendance, StudyPlan, StudySession
from talks.models import Talk, TalkMethod

CHUNK = 5_000
# Rows per INSERT stay under this many parameters (PostgreSQL's limit is 65,535; Django
# lowers the batch by itself where SQLite allows fewer).
MAX_PARAMS = 60_000
# The login that records seed rows when the caller names none (tests build no bench_school).
RECORDER = "bench_activity"
FEVER = Decimal("37.3")
# Entries per hour at a quiet gate (a busy one has a multiple): mornings and evenings peak.
HOURLY = (1, 0, 0, 0, 0, 2, 6, 14, 18, 9, 6, 7, 10, 8, 6, 6, 8, 12, 14, 8, 5, 3, 2, 1)
GATE_NAMES = ("正门", "东门")

# A unit's mood: how much of everything it does. Busy units run their own posts too.
MOODS = (("busy", 25), ("normal", 60), ("quiet", 15))
SIGNUP_SHARE = {"busy": 0.85, "normal": 0.62, "quiet": 0.12}


def _bulk(model: type[models.Model], rows: Sequence[models.Model]) -> list[Any]:
    """bulk_create in chunks (≤ 5,000 rows, fewer for wide tables); the saved rows, with pks."""
    if not rows:
        return []
    width = len(model._meta.concrete_fields)
    size = max(1, min(CHUNK, MAX_PARAMS // width))
    return model._default_manager.bulk_create(rows, batch_size=size)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


@dataclass
class _World:
    """What every part reads: the university, today, who records, moods, members by place."""

    uni: University
    seed: int
    days: int
    user: Any
    now: dt.datetime
    today: dt.date
    tz: Any
    unit_of: dict[int, Org] = field(default_factory=dict)  # branch id → unit
    unit_mood: dict[int, str] = field(default_factory=dict)  # unit id → mood
    branch_level: dict[int, float] = field(default_factory=dict)  # branch id → 0 … 1.2
    by_branch: dict[int, list[Member]] = field(default_factory=lambda: defaultdict(list))
    by_unit: dict[int, list[Member]] = field(default_factory=lambda: defaultdict(list))
    by_campus: dict[int | None, list[Member]] = field(default_factory=lambda: defaultdict(list))
    seats: dict[int, list[Member]] = field(default_factory=dict)  # branch id → committee
    # What a later part reads from an earlier one.
    phase: Phase | None = None
    lectures: list[Meeting] = field(default_factory=list)
    attendance: list[Attendance] = field(default_factory=list)
    fever_reports: list[Report] = field(default_factory=list)
    fever_entries: list[Entry] = field(default_factory=list)

    def rng(self, part: str) -> random.Random:
        """A generator per part, so adding a part leaves the others' rows as they were."""
        return random.Random(f"{self.seed}:{part}")

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)


def _world(uni: University, *, seed: int, days: int, user: Any, now: dt.datetime) -> _World:
    w = _World(
        uni=uni,
        seed=seed,
        days=days,
        user=user,
        now=now,
        today=timezone.localdate(now),
        tz=timezone.get_current_timezone(),
    )
    rng = w.rng("moods")
    units_by_path = {u.path: u for u in uni.units}
    for i, unit in enumerate(uni.units):
        mood = rng.choices([m for m, _ in MOODS], weights=[n for _, n in MOODS])[0]
        # The bench's unit admin (the first unit) always has something on their dashboard.
        w.unit_mood[unit.pk] = "busy" if i == 0 else mood
    for branch in uni.branches:
        unit = units_by_path[branch.path[: 2 * Org.steplen]]
        w.unit_of[branch.pk] = unit
        roll = rng.random()
        level = 0.0 if roll < 0.08 else 0.5 if roll < 0.3 else 1.0 if roll < 0.85 else 1.2
        if w.unit_mood[unit.pk] == "quiet":
            level = min(level, 0.5)
        w.branch_level[branch.pk] = level
    for m in uni.members:
        w.by_branch[m.branch_id].append(m)
        w.by_unit[w.unit_of[m.branch_id].pk].append(m)
        w.by_campus[m.campus_id].append(m)
    return w


def seed_activity(
    uni: University,
    *,
    seed: int,
    days: int = 14,
    user: Any = None,
    now: dt.datetime | None = None,
    timings: dict[str, float] | None = None,
) -> dict[str, int]:
    """Write the activity of every capability for `uni` (see the module's docstring); returns
    the number of rows written per kind. Run inside a transaction, once per university.
    `user` records the rows (a login of its own when None); the same `seed` and `now` give
    the same rows. `timings`, when given, gets the seconds each part took."""
    if days < 1:
        raise ValueError("days must be at least 1")
    if user is None:
        user, _ = get_user_model().objects.get_or_create(
            username=RECORDER, defaults={"first_name": "基准数据", "is_active": False}
        )
    w = _world(uni, seed=seed, days=days, user=user, now=now or timezone.now())
    counts: dict[str, int] = {}
    # In this order: study reads the meetings, escalations the fevers of reports and gates,
    # assessment the school phase and its check-ins.
    for part in PARTS:
        started = time.perf_counter()
        counts |= part(w)
        if timings is not None:
            timings[part.__name__.strip("_")] = time.perf_counter() - started
    return counts


# --- campaigns ---------------------------------------------------------------------------------

STATE_WEIGHTS = [
    (SubmissionState.SUBMITTED, 50),
    (SubmissionState.SHORTLISTED, 14),
    (SubmissionState.SELECTED, 20),
    (SubmissionState.RECOMMENDED, 6),
    (SubmissionState.PUBLISHED, 4),
    (SubmissionState.DRAFT, 4),
    (SubmissionState.RETURNED, 2),
]
STORY_TITLES = (
    "白衣执甲逆行者",
    "守护校园的夜班",
    "方舱里的党旗",
    "一碗热汤面",
    "宿舍楼下的红马甲",
)
MATERIAL_TITLES = ("战疫日记", "抗疫一线图片集", "志愿者访谈录音", "社区卡口值守视频", "工作案例")
FIREWALL = ("先锋岗", "责任状", "突击队", "立项攻关")


def _campaign(w: _World) -> dict[str, int]:
    rng = w.rng("campaign")
    school = w.uni.school
    campaign = Campaign.objects.create(
        name=f"{w.today.year}年「四个一」行动（全校）",
        year=w.today.year,
        org=school,
        created_by=w.user,
        description="举办一堂专题微党课、召开一场组织生活会、打造一个教育素材库、构筑一道红色防火墙。",
        uuid=_uuid(rng),
    )
    now = w.now
    specs = [
        (
            DeliverableKind.MICRO_LECTURE,
            "专题微党课",
            -10,
            1,
            SubmittingLevel.UNIT,
            [MaterialType.VIDEO],
        ),
        (DeliverableKind.STORY, "战疫故事汇", 20, 5, SubmittingLevel.UNIT, [MaterialType.TEXT]),
        (
            DeliverableKind.MATERIAL,
            "教育素材库",
            60,
            None,
            SubmittingLevel.UNIT,
            list(MaterialType),
        ),
        (
            DeliverableKind.RED_FIREWALL,
            "「红色防火墙」",
            5,
            2,
            SubmittingLevel.BRANCH,
            [MaterialType.TEXT],
        ),
    ]
    deliverables = _bulk(
        Deliverable,
        [
            Deliverable(
                campaign=campaign,
                kind=kind,
                name=name,
                deadline=now + dt.timedelta(days=offset),
                quota=quota,
                submitting_level=level,
                material_types=[str(t) for t in types],
                subkinds=list(FIREWALL) if kind == DeliverableKind.RED_FIREWALL else [],
                late_policy=LatePolicy.MARK_LATE if offset < 10 else LatePolicy.REFUSE,
                requires_summary=kind == DeliverableKind.STORY,
                order=order,
                uuid=_uuid(rng),
            )
            for order, (kind, name, offset, quota, level, types) in enumerate(specs, start=1)
        ],
    )
    lecture, story, material, firewall = deliverables
    states = [s for s, _ in STATE_WEIGHTS]
    weights = [n for _, n in STATE_WEIGHTS]
    rows: list[Submission] = []
    authors: list[Member | None] = []

    def add(d: Deliverable, org: Org, title: str, people: list[Member], **extra: Any) -> None:
        state = rng.choices(states, weights=weights)[0]
        submitted = None
        late = False
        if state != SubmissionState.DRAFT:
            submitted = now - dt.timedelta(hours=rng.randint(2, 24 * w.days))
            late = submitted > d.deadline
        rows.append(
            Submission(
                deliverable=d,
                org=org,
                title=title,
                summary=f"{org.name}报送。",
                state=state,
                is_late=late,
                submitted_at=submitted,
                created_by=w.user,
                uuid=_uuid(rng),
                **extra,
            )
        )
        authors.append(rng.choice(people) if people else None)

    summaries = []
    for unit in w.uni.units:
        mood = w.unit_mood[unit.pk]
        people = w.by_unit[unit.pk]
        short = unit.short_name or unit.name
        if mood != "quiet" and rng.random() < 0.85:
            add(lecture, unit, f"{short}专题微党课：在战疫一线践行初心使命", people)
        n_story = {"busy": rng.randint(3, 5), "normal": rng.randint(0, 3), "quiet": 0}[mood]
        for i in range(n_story):
            add(story, unit, f"{short}战疫故事汇·{STORY_TITLES[i % len(STORY_TITLES)]}", people)
        if n_story:
            summaries.append(
                UnitSummary(
                    deliverable=story,
                    org=unit,
                    text=f"{short}各党支部均已召开组织生活会，讲述战疫故事 {n_story * 6} 个。",
                    updated_by=w.user,
                )
            )
        for i in range({"busy": rng.randint(2, 6), "normal": rng.randint(0, 3), "quiet": 0}[mood]):
            title = f"{short}{MATERIAL_TITLES[i % len(MATERIAL_TITLES)]}（{i + 1}）"
            add(material, unit, title, people)
    for branch in w.uni.branches:
        level = w.branch_level[branch.pk]
        n = 0 if level == 0 else min(2, int(rng.random() * 2.6 * level))
        for i in range(n):
            kind = rng.choice(FIREWALL)
            title = f"{branch.name}党员{kind}（{i + 1}）"
            add(firewall, branch, title, w.by_branch[branch.pk], subkind=kind)
    saved = _bulk(Submission, rows)
    author_rows = [
        SubmissionAuthor(submission=s, member=m, name=m.name, order=0)
        for s, m in zip(saved, authors, strict=True)
        if m is not None
    ]
    _bulk(SubmissionAuthor, author_rows)
    _bulk(UnitSummary, summaries)
    return {
        "campaigns": 1,
        "deliverables": len(deliverables),
        "submissions": len(saved),
        "submission_authors": len(author_rows),
    }


# --- posts, phases, sign-ups, allocations, rosters, duty ---------------------------------------

SCHOOL_POST_HEADCOUNT = 3
UNIT_SLOTS = [
    {"name": "08–14", "start": "08:00", "hours": 6},
    {"name": "14–20", "start": "14:00", "hours": 6},
]


def _phase_days(w: _World) -> list[dt.date]:
    """`days` days ending two days from now: most shifts are past, a few still ahead."""
    end = w.today + dt.timedelta(days=2)
    return [end - dt.timedelta(days=i) for i in range(w.days - 1, -1, -1)]


def _rosters(w: _World) -> dict[str, int]:
    rng = w.rng("rosters")
    school = w.uni.school
    days = _phase_days(w)
    deadline = w.at(days[0] - dt.timedelta(days=2), 18)
    posts = _bulk(
        Post,
        [
            Post(
                name=f"{campus.name}{gate}值班值守岗",
                kind=PostKind.GATE_DUTY,
                level=PostLevel.SCHOOL,
                org=school,
                campus=campus,
                place=f"{campus.name}{gate}",
                duties="落实值班安排，配合做好体温检测、信息登记；发现异常情况，及时按学校预案处置。",
                slots=default_slots(),
                headcount=SCHOOL_POST_HEADCOUNT,
                min_cadres=1,
            )
            for campus in w.uni.campuses
            for gate in GATE_NAMES
        ],
    )
    phase = Phase.objects.create(
        name=f"校门值守（{days[0]:%m月%d日}至{days[-1]:%m月%d日}）",
        org=school,
        starts_on=days[0],
        ends_on=days[-1],
        signup_deadline=deadline,
        recommend_deadline=deadline + dt.timedelta(hours=12),
    )
    phase.posts.set(posts)
    posts_by_campus: dict[int | None, list[Post]] = defaultdict(list)
    for p in posts:
        posts_by_campus[p.campus_id].append(p)

    signups: list[SignUp] = []
    signed: list[Member] = []
    for m in w.uni.members:
        share = SIGNUP_SHARE[w.unit_mood[w.unit_of[m.branch_id].pk]]
        if m.category == Category.RETIRED:
            share *= 0.3
        if w.branch_level[m.branch_id] == 0:
            share *= 0.5
        if rng.random() >= share:
            continue
        wanted = posts_by_campus.get(m.campus_id) or posts
        recommended = rng.random() < 0.3
        signups.append(
            SignUp(
                phase=phase,
                member=m,
                wanted_posts=[p.pk for p in rng.sample(wanted, k=min(2, len(wanted)))],
                unavailable_dates=[rng.choice(days).isoformat()] if rng.random() < 0.2 else [],
                avoid_night=rng.random() < 0.3,
                campus_id=m.campus_id,
                health_ok=rng.random() < 0.98,
                phone=m.phone or "13800000000",
                recommended=recommended,
                recommended_at=deadline if recommended else None,
            )
        )
        signed.append(m)
    n_signups = len(_bulk(SignUp, signups))

    # Each school post gets a pool of the people who signed up at its campus, cadres first.
    allocations: list[Allocation] = []
    pools: dict[int, tuple[list[Member], list[Member]]] = {}
    taken: set[int] = set()
    per_post = max(8, min(120, len(signed) // (2 * max(1, len(posts)))))
    for post in posts:
        local = [m for m in signed if m.campus_id == post.campus_id and m.pk not in taken]
        rng.shuffle(local)
        cadres = [m for m in local if m.cadre_rank][: max(2, per_post // 4)]
        others = [m for m in local if not m.cadre_rank][: per_post - len(cadres)]
        pools[post.pk] = (cadres, others)
        for m in cadres + others:
            taken.add(m.pk)
            allocations.append(Allocation(phase=phase, post=post, member=m, allocated_by=w.user))

    roster = Roster.objects.create(
        phase=phase,
        org=school,
        state=Roster.State.PUBLISHED,
        settings=roster_settings(Roster()),
        solve_state=Roster.SolveState.DONE,
        published_at=deadline + dt.timedelta(days=1),
    )
    assignments = _shifts(w, rng, roster, posts, pools, days)
    counts = {"posts": len(posts), "phases": 1, "rosters": 1}

    # Busy units keep a dormitory post of their own, on their own phase and roster.
    for unit in w.uni.units:
        if w.unit_mood[unit.pk] != "busy":
            continue
        # nobody on a gate as well: one roster each
        people = [
            m for m in w.by_unit[unit.pk] if m.category != Category.RETIRED and m.pk not in taken
        ]
        if len(people) < 4:
            continue
        short = unit.short_name or unit.name
        post = Post.objects.create(
            name=f"{short}学生公寓楼栋管理岗",
            kind=PostKind.BUILDING,
            level=PostLevel.UNIT,
            org=unit,
            campus_id=unit.campus_id,
            place=f"{short}学生公寓",
            duties="配合楼栋长做好巡逻值班、进出人员信息管理、体温检测。",
            slots=UNIT_SLOTS,
            headcount=2,
        )
        unit_phase = Phase.objects.create(
            name=f"{short}楼栋值守（{days[0]:%m月%d日}起）",
            org=unit,
            starts_on=days[0],
            ends_on=days[-1],
            signup_deadline=deadline,
        )
        unit_phase.posts.set([post])
        volunteers = rng.sample(people, k=min(len(people), max(4, len(people) // 5)))
        signups = [
            SignUp(
                phase=unit_phase,
                member=m,
                wanted_posts=[post.pk],
                campus_id=m.campus_id,
                health_ok=True,
                phone=m.phone or "13800000000",
            )
            for m in volunteers
        ]
        n_signups += len(_bulk(SignUp, signups))
        pool = volunteers[: max(4, min(24, len(volunteers)))]
        allocations += [
            Allocation(phase=unit_phase, post=post, member=m, allocated_by=w.user) for m in pool
        ]
        unit_roster = Roster.objects.create(
            phase=unit_phase,
            org=unit,
            state=Roster.State.PUBLISHED,
            settings=roster_settings(Roster()),
            solve_state=Roster.SolveState.DONE,
            published_at=deadline + dt.timedelta(days=1),
        )
        assignments += _shifts(w, rng, unit_roster, [post], {post.pk: ([], pool)}, days)
        counts["posts"] += 1
        counts["phases"] += 1
        counts["rosters"] += 1
    _bulk(Allocation, allocations)
    counts |= {
        "signups": n_signups,
        "allocations": len(allocations),
        "assignments": len(assignments),
    }
    counts |= _duty(w, rng, assignments)
    w.phase = phase
    return counts


def _shifts(
    w: _World,
    rng: random.Random,
    roster: Roster,
    posts: list[Post],
    pools: dict[int, tuple[list[Member], list[Member]]],
    days: list[dt.date],
) -> list[Assignment]:
    """Every shift of `posts` on `days`, filled in turn from each post's pool (one cadre a
    shift when the post asks for one); about one shift in thirty is a person short."""
    rows: list[Assignment] = []
    for post in posts:
        cadres, others = pools[post.pk]
        everyone = cadres + others
        if not everyone:
            continue
        c_next, o_next = 0, 0
        for day in days:
            used: set[int] = set()
            for slot in post.slots:
                want = post.headcount - (1 if rng.random() < 0.035 else 0)
                people: list[Member] = []
                if post.min_cadres and cadres:
                    for _ in range(len(cadres)):
                        m = cadres[c_next % len(cadres)]
                        c_next += 1
                        if m.pk not in used:
                            people.append(m)
                            break
                source = others or everyone
                for _ in range(len(source)):
                    if len(people) >= want:
                        break
                    m = source[o_next % len(source)]
                    o_next += 1
                    if m.pk not in used and m not in people:
                        people.append(m)
                for m in people:
                    used.add(m.pk)
                    rows.append(
                        Assignment(roster=roster, post=post, date=day, slot=slot["name"], member=m)
                    )
    return _bulk(Assignment, rows)


def _slot_start(w: _World, post: Post, a: Assignment) -> tuple[dt.datetime, dt.datetime]:
    slot = next(s for s in post.slots if s["name"] == a.slot)
    hour, minute = (int(x) for x in str(slot["start"]).split(":"))
    start = w.at(a.date, hour, minute)
    return start, start + dt.timedelta(hours=int(slot["hours"]))


def _duty(w: _World, rng: random.Random, assignments: list[Assignment]) -> dict[str, int]:
    """Check-ins for the shifts that began (a few missed, a few late), one log per post a day."""
    posts = {p.pk: p for p in Post.objects.filter(pk__in={a.post_id for a in assignments})}
    phase_of = dict(
        Roster.objects.filter(pk__in={a.roster_id for a in assignments}).values_list(
            "pk", "phase_id"
        )
    )
    checks: list[DutyCheck] = []
    logs: list[DutyLog] = []
    logged: set[tuple[int, dt.date]] = set()
    for a in assignments:
        post = posts[a.post_id]
        start, end = _slot_start(w, post, a)
        if start > w.now:
            continue
        record = {
            "assignment": a,
            "roster_id": a.roster_id,
            "phase_id": phase_of[a.roster_id],
            "member_id": a.member_id,
            "post_id": a.post_id,
            "date": a.date,
            "slot": a.slot,
        }
        if rng.random() < 0.94:
            late = rng.random() < 0.06
            checked_in = start + dt.timedelta(
                minutes=rng.randint(16, 50) if late else rng.randint(-15, 5)
            )
            checked_out = end + dt.timedelta(minutes=rng.randint(-5, 15)) if end < w.now else None
            checks.append(
                DutyCheck(
                    **record, checked_in_at=min(checked_in, w.now), checked_out_at=checked_out
                )
            )
        if end < w.now and (a.post_id, a.date) not in logged and start.hour >= 6:
            logged.add((a.post_id, a.date))
            fever_seen = rng.random() < 0.05
            logs.append(
                DutyLog(
                    **record,
                    temperatures_taken=rng.randint(80, 600),
                    people_registered=rng.randint(5, 60),
                    anomalies="发现一名体温异常人员，已按预案送校医院复测。" if fever_seen else "",
                    handover="测温枪电池已更换；登记簿放值班室。",
                    written_by=w.user,
                )
            )
    _bulk(DutyCheck, checks)
    _bulk(DutyLog, logs)
    return {"duty_checks": len(checks), "duty_logs": len(logs)}


# --- meetings: 三会一课 over the last three months ---------------------------------------------

TOPICS: dict[str, tuple[str, ...]] = {
    MeetingKind.COMMITTEE: ("研究本月支部工作安排", "讨论发展党员工作", "研究党员先锋岗值守安排"),
    MeetingKind.THEME_DAY: ("重温入党誓词", "「战疫先锋」志愿服务", "学习抗疫英雄事迹"),
    MeetingKind.GROUP: ("学习疫情防控重要讲话精神", "交流值守体会", "学习党章"),
    MeetingKind.GENERAL_ASSEMBLY: ("讨论接收预备党员", "通报支部近期工作", "学习贯彻上级会议精神"),
    MeetingKind.LECTURE: ("专题党课：在战疫一线践行初心使命", "党课：坚定理想信念，勇担时代责任"),
}
PAST_STATES = [
    (MeetingState.APPROVED, 75),
    (MeetingState.UNIT_APPROVED, 10),
    (MeetingState.SUBMITTED, 10),
    (MeetingState.RETURNED, 5),
]
RECENT_STATES = [
    (MeetingState.APPROVED, 30),
    (MeetingState.UNIT_APPROVED, 20),
    (MeetingState.SUBMITTED, 35),
    (MeetingState.DRAFT, 15),
]
SEATS = (SeatTitle.SECRETARY, SeatTitle.ORGANISATION, SeatTitle.PROPAGANDA)


def _months(today: dt.date, count: int) -> list[tuple[dt.date, dt.date, float]]:
    """The last `count` whole months and this month so far (to yesterday), oldest first: the
    first and last day, and the share of the month that has passed."""
    out = []
    first = today.replace(day=1)
    for _ in range(count + 1):
        end = (first + dt.timedelta(days=32)).replace(day=1)
        last = min(end, today) - dt.timedelta(days=1)
        if last >= first:
            out.append((first, last, ((last - first).days + 1) / (end - first).days))
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return out[::-1]


def _meetings(w: _World) -> dict[str, int]:
    rng = w.rng("meetings")
    seats: list[CommitteeSeat] = []
    groups_of: dict[str, list[Org]] = defaultdict(list)
    for g in w.uni.groups:
        groups_of[g.path[: 3 * Org.steplen]].append(g)
    months = _months(w.today, 3)
    plans: list[tuple[Meeting, list[Member], list[Member]]] = []  # meeting, roll, committee

    def plan(
        org: Org,
        kind: str,
        first: dt.date,
        last: dt.date,
        roll: list[Member],
        committee: list[Member],
    ) -> None:
        day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
        held = w.at(day, rng.choice((9, 14, 15, 16, 19)), rng.choice((0, 30)))
        recent = (w.today - day).days < 10
        states = RECENT_STATES if recent else PAST_STATES
        state = rng.choices([s for s, _ in states], weights=[n for _, n in states])[0]
        online = rng.random() < 0.3
        plans.append(
            (
                Meeting(
                    org=org,
                    kind=kind,
                    topic=rng.choice(TOPICS[kind]),
                    planned_at=held,
                    held_at=held,
                    mode=MeetingMode.ONLINE if online else MeetingMode.OFFLINE,
                    place="" if online else "支部活动室",
                    platform="腾讯会议" if online else "",
                    host=committee[0] if committee else None,
                    recorder=committee[-1] if committee else None,
                    lecturer=committee[0] if committee and kind == MeetingKind.LECTURE else None,
                    agenda="传达学习上级精神\n研究部署近期工作",
                    minutes="会议由支部书记主持，与会党员结合值守工作交流发言。",
                    decisions="同意会议议定事项。"
                    if kind in (MeetingKind.GENERAL_ASSEMBLY,)
                    else "",
                    state=state,
                    created_by=w.user,
                ),
                roll,
                committee,
            )
        )

    for b_index, branch in enumerate(w.uni.branches):
        people = w.by_branch[branch.pk]
        if not people:
            continue
        full = [m for m in people if m.political_status == PoliticalStatus.FULL] or people
        committee = full[: min(3, len(full))]
        w.seats[branch.pk] = committee
        for title, m in zip(SEATS, committee, strict=False):
            start = w.today - dt.timedelta(days=rng.randint(60, 1_050))
            seats.append(
                CommitteeSeat(
                    branch=branch,
                    member=m,
                    title=title,
                    term_start=start,
                    term_end=start + dt.timedelta(days=3 * 365),
                )
            )
        level = w.branch_level[branch.pk]
        if level == 0:
            continue  # a branch that held nothing: it tops the compliance list
        p = 0.55 if level < 1 else 0.95
        for first, last, passed in months:
            if rng.random() < p * passed:
                plan(branch, MeetingKind.COMMITTEE, first, last, committee, committee)
            if rng.random() < p * passed:
                plan(branch, MeetingKind.THEME_DAY, first, last, people, committee)
            groups = groups_of.get(branch.path, [])
            for i, group in enumerate(groups):
                if rng.random() < p * passed * 0.8:
                    share = people[i :: len(groups)]
                    plan(group, MeetingKind.GROUP, first, last, share, committee)
        if months and rng.random() < p:
            first, last, _ = months[rng.randrange(len(months))]
            plan(branch, MeetingKind.GENERAL_ASSEMBLY, first, last, people, committee)
        if months and rng.random() < p * 0.9:
            first, last, _ = months[rng.randrange(len(months))]
            plan(branch, MeetingKind.LECTURE, first, last, people, committee)
        if b_index % 3 == 0:  # a third of the branches have one planned for next week
            day = w.today + dt.timedelta(days=rng.randint(1, 7))
            plans.append(
                (
                    Meeting(
                        org=branch,
                        kind=MeetingKind.THEME_DAY,
                        topic="「战疫先锋」志愿服务（计划）",
                        planned_at=w.at(day, 15),
                        state=MeetingState.DRAFT,
                        created_by=w.user,
                    ),
                    [],
                    committee,
                )
            )
    _bulk(CommitteeSeat, seats)

    rows: list[Attendance] = []
    for meeting, roll, committee in plans:
        if meeting.held_at is None:
            continue
        voting = meeting.kind in (MeetingKind.GENERAL_ASSEMBLY, MeetingKind.COMMITTEE)
        base = present = 0
        for m in roll:
            roll_n = rng.random()
            status = (
                AttendanceStatus.PRESENT
                if roll_n < 0.86
                else AttendanceStatus.LEAVE
                if roll_n < 0.96
                else AttendanceStatus.ABSENT
            )
            vote = voting and (
                m in committee
                if meeting.kind == MeetingKind.COMMITTEE
                else m.political_status == PoliticalStatus.FULL
            )
            base += vote
            present += vote and status == AttendanceStatus.PRESENT
            rows.append(
                Attendance(
                    meeting=meeting,
                    member=m,
                    status=status,
                    reason="值守任务" if status == AttendanceStatus.LEAVE else "",
                    has_vote=vote,
                    seat_title="书记" if committee and m is committee[0] else "",
                )
            )
        meeting.quorum_base, meeting.quorum_present = base, present
    meetings = _bulk(Meeting, [m for m, _, _ in plans])
    _bulk(Attendance, rows)
    w.lectures = [m for m in meetings if m.kind == MeetingKind.LECTURE]
    w.attendance = rows
    return {"committee_seats": len(seats), "meetings": len(meetings), "attendance": len(rows)}


# --- talks -------------------------------------------------------------------------------------

TALK_NOTES = (
    "思想稳定，积极参加值守。",
    "对返校安排有些担心，经沟通已释然。",
    "主动报名志愿服务。",
)


def _talks(w: _World) -> dict[str, int]:
    rng = w.rng("talks")
    methods = list(TalkMethod.values)
    rows: list[Talk] = []
    for branch in w.uni.branches:
        committee = w.seats.get(branch.pk) or []
        level = w.branch_level[branch.pk]
        if not committee or level == 0:
            continue
        share = 0.15 if level < 1 else 0.4
        for m in w.by_branch[branch.pk]:
            talker = committee[rng.randrange(len(committee))]
            if talker.pk == m.pk or rng.random() >= share:
                continue
            day = w.today - dt.timedelta(days=rng.randint(0, 88))
            follow = day + dt.timedelta(days=14) if rng.random() < 0.2 else None
            rows.append(
                Talk(
                    member=m,
                    branch=branch,
                    talker=talker,
                    talked_on=day,
                    method=rng.choice(methods),
                    thoughts=rng.choice(TALK_NOTES),
                    follow_up_on=follow,
                    followed_up_on=follow
                    if follow and follow <= w.today and rng.random() < 0.5
                    else None,
                    recorded_by=w.user,
                )
            )
    _bulk(Talk, rows)
    return {"talks": len(rows)}


# --- reports: a daily health report over `days` days ------------------------------------------


# Days of the daily health report: a week of it for 13,000 students is 85,000 rows already.
DAILY_REPORT_DAYS = 7


def _reports(w: _World) -> dict[str, int]:
    """Students report their health every day by 10:00 (the last week of it), staff their
    thoughts and work every week (over `days`); most branches nearly all, a few badly."""
    rng = w.rng("reports")
    rate = {b.pk: rng.choice((0.98, 0.97, 0.95, 0.95, 0.93, 0.85, 0.6)) for b in w.uni.branches}
    daily = min(w.days, DAILY_REPORT_DAYS)
    health, health_v = _schedule(
        w,
        name="每日健康报备",
        description="体温与症状，每天上午 10 点前报备。",
        schema=builtin.HEALTH,
        categories=[Category.STUDENT],
        frequency=Frequency.DAILY,
        due_time=dt.time(10, 0),
        starts_on=w.today - dt.timedelta(days=daily - 1),
    )
    weekly, weekly_v = _schedule(
        w,
        name="每周思想与工作报备",
        description="每周报告思想动态和工作情况，周日 18 点前。",
        schema=builtin.THOUGHTS,
        categories=[Category.STAFF],
        frequency=Frequency.WEEKLY,
        due_time=dt.time(18, 0),
        starts_on=_monday(w.today - dt.timedelta(days=w.days - 1)),
    )
    normal = {"temperature": 36.5, "symptoms": ["无"]}
    steady = {
        "thoughts": "思想稳定，服从学校防控安排。",
        "work": "按时完成工作。",
        "need_help": "否",
    }
    rows: list[Report] = []
    weeks = sorted({_monday(w.today - dt.timedelta(days=i)) for i in range(w.days)})
    plans = [(health, health_v, w.today - dt.timedelta(days=i)) for i in range(daily - 1, -1, -1)]
    plans += [(weekly, weekly_v, monday) for monday in weeks]
    people = {
        health.pk: [m for m in w.uni.members if m.category == Category.STUDENT],
        weekly.pk: [m for m in w.uni.members if m.category == Category.STAFF],
    }
    for schedule, version, period in plans:
        due = schedule.due_at(period)
        running = due > w.now  # still open: about two thirds in so far
        for m in people[schedule.pk]:
            if rng.random() >= rate[m.branch_id] * (0.7 if running else 1.0):
                continue
            late = rng.random() < 0.05
            submitted = due + dt.timedelta(
                minutes=rng.randint(5, 600) if late else -rng.randint(5, 240)
            )
            if submitted > w.now:
                submitted = w.now - dt.timedelta(minutes=rng.randint(1, 60))
                late = submitted > due
            temperature: Decimal | None = None
            answers: dict[str, Any] = steady
            if schedule is health:
                tenths = rng.randint(361, 369)
                if rng.random() < 0.0001:
                    tenths = rng.randint(373, 385)
                temperature = Decimal(tenths) / 10
                answers = normal
                if temperature >= FEVER:
                    answers = {
                        "temperature": float(temperature),
                        "symptoms": ["发热", "乏力"],
                        "symptom_note": "早上开始发热，已联系校医院。",
                    }
                elif tenths != 365:
                    answers = {"temperature": float(temperature), "symptoms": ["无"]}
            rows.append(
                Report(
                    member_id=m.pk,
                    form_id=schedule.form_id,
                    version=version,
                    schedule=schedule,
                    period=period,
                    branch_id=m.branch_id,
                    answers=answers,
                    temperature=temperature,
                    submitted_at=submitted,
                    late=late,
                )
            )
    _bulk(Report, rows)
    w.fever_reports = [r for r in rows if r.temperature is not None and r.temperature >= FEVER]
    return {"report_forms": 2, "report_schedules": 2, "reports": len(rows)}


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _schedule(
    w: _World, *, name: str, description: str, schema: dict[str, Any], **fields: Any
) -> tuple[ReportSchedule, ReportFormVersion]:
    """A form of 组织部 (version 1) and its school-wide schedule."""
    school = w.uni.school
    form = ReportForm.objects.create(
        name=name, description=description, owner=school, created_by=w.user
    )
    version = ReportFormVersion.objects.create(
        form=form, number=1, schema=schema, created_by=w.user
    )
    schedule = ReportSchedule.objects.create(form=form, org=school, created_by=w.user, **fields)
    return schedule, version


# --- gates -------------------------------------------------------------------------------------

REASONS = ("送快递", "维修水电", "探望学生", "参加会议", "送餐")


def _gates(w: _World) -> dict[str, int]:
    rng = w.rng("gates")
    posts = {
        (p.campus_id, p.place): p
        for p in Post.objects.filter(org=w.uni.school, kind=PostKind.GATE_DUTY)
    }
    gates = _bulk(
        Gate,
        [
            Gate(campus=c, name=name, post=posts.get((c.pk, f"{c.name}{name}")))
            for c in w.uni.campuses
            for name in GATE_NAMES
        ],
    )
    keepers: list[GateKeeper] = []
    devices: list[Device] = []
    for i, gate in enumerate(gates):
        local = w.by_campus.get(gate.campus_id) or w.uni.members
        for m in rng.sample(local, k=min(2, len(local))):
            keepers.append(
                GateKeeper(
                    gate=gate, member=m, device_label=f"{gate.name} 1 号机", assigned_by=w.user
                )
            )
        quiet = i == len(gates) - 1  # one gate's phone went quiet 25 minutes ago
        devices.append(
            Device(
                uid=_uuid(rng),
                gate=gate,
                last_user=w.user,
                last_sync_at=w.now - dt.timedelta(minutes=25 if quiet else rng.randint(0, 3)),
                waiting=3 if quiet else 0,
            )
        )
    _bulk(GateKeeper, keepers)
    _bulk(Device, devices)

    rows: list[Entry] = []
    first = w.today - dt.timedelta(days=w.days)
    normal = [Decimal(t) for t in ("36.2", "36.4", "36.5", "36.6", "36.8")]
    for gate, device in zip(gates, devices, strict=True):
        people = w.by_campus.get(gate.campus_id) or w.uni.members
        if not people:
            continue
        scale = 3 if gate.name == GATE_NAMES[0] else 1.5
        for offset in range(w.days + 1):
            day = first + dt.timedelta(days=offset)
            for hour, n in enumerate(HOURLY):
                for _ in range(round(n * scale * rng.uniform(0.7, 1.3))):
                    at = dt.datetime.combine(
                        day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=w.tz
                    )
                    if at > device.last_sync_at:
                        continue
                    direction = Direction.IN if rng.random() < 0.5 else Direction.OUT
                    visitor = rng.random() < 0.06
                    temperature = rng.choice(normal) if direction == Direction.IN else None
                    member = None if visitor else people[rng.randrange(len(people))]
                    if temperature is not None and member is not None and rng.random() < 0.0015:
                        temperature = Decimal(rng.randint(373, 386)) / 10
                    rows.append(
                        Entry(
                            uid=_uuid(rng),
                            gate=gate,
                            device=device,
                            officer=w.user,
                            at=at,
                            direction=direction,
                            member=member,
                            visitor_name=f"访客{rng.randrange(100, 999)}" if visitor else "",
                            visitor_phone="13700000000" if visitor else "",
                            visitor_reason=rng.choice(REASONS) if visitor else "",
                            visitor_host="值班室" if visitor else "",
                            temperature=temperature,
                            fever=temperature is not None and temperature >= FEVER,
                        )
                    )
    # A fever or two this morning at the first campus's busiest gate, whatever the dice said.
    today_in = [
        e
        for e in rows
        if e.member is not None and e.direction == Direction.IN and e.at.date() == w.today
    ]
    for e in today_in[len(today_in) // 3 :: max(1, len(today_in) // 2)][:2]:
        e.temperature, e.fever = Decimal("37.6"), True
    _bulk(Entry, rows)
    w.fever_entries = [e for e in rows if e.fever]
    return {"gates": len(gates), "gate_devices": len(devices), "gate_entries": len(rows)}


# --- escalations -------------------------------------------------------------------------------

SITUATIONS = (
    (
        EscalationCategory.EPIDEMIC,
        "同楼栋出现密切接触者",
        "所住楼栋今晨出现一名密切接触者，楼栋已封闭。",
    ),
    (
        EscalationCategory.SAFETY,
        "值守点防护物资短缺",
        "支部党员志愿者参加校门值守，口罩仅够 2 天使用。",
    ),
    (
        EscalationCategory.HEALTH,
        "家中老人需要就医",
        "居家期间家中老人需定期就医，申请协助开具通行证明。",
    ),
    (EscalationCategory.OPINION, "学生群内关于返校时间的讨论", "学生群内有返校时间的不实消息。"),
    (
        EscalationCategory.THOUGHT,
        "滞留外地期间参加社区防控",
        "滞留老家期间已向社区报到，参加卡口值守。",
    ),
)
REQUESTS = (
    (
        "关于以视频方式召开支部党员大会的请示",
        "拟于本周五以视频会议方式召开支部党员大会，妥否，请批示。",
    ),
    ("关于推迟支部换届选举的请示", "因党员多数滞留外地，拟推迟换届至返校后，妥否，请批示。"),
)


def _escalations(w: _World) -> dict[str, int]:
    """~20 open reports (a few risen, a couple past their limit), acknowledged, handled and
    answered ones over `days` days, and one fever alert per fever reported or met at a gate."""
    rng = w.rng("escalations")
    school = w.uni.school
    branches = [b for b in w.uni.branches if w.by_branch[b.pk]]
    if not branches:
        return {"escalations": 0}
    plans: list[tuple[Escalation, list[tuple[str, Org | None, dt.datetime, str]]]] = []
    replies: list[tuple[Escalation, dt.datetime]] = []
    fates = ["open"] * 20 + ["risen"] * 3 + ["acknowledged"] * 14 + ["handled"] * 9
    fates += ["asked"] * 2 + ["answered"] * 3
    for n, fate in enumerate(fates):
        branch = branches[rng.randrange(len(branches))]
        unit = w.unit_of[branch.pk]
        by_member = fate in ("open", "risen", "acknowledged", "handled") and rng.random() < 0.5
        member = rng.choice(w.by_branch[branch.pk]) if by_member else None
        to_org = branch if member is not None else unit
        urgency = rng.choice(list(Urgency.values))
        if fate in ("open", "risen", "asked"):
            created = w.now - dt.timedelta(minutes=rng.randint(5, 20 * 60))
        else:
            created = w.now - dt.timedelta(hours=rng.randint(6, 24 * w.days))
        if fate in ("asked", "answered"):
            kind, category = EscalationKind.REQUEST, EscalationCategory.WORK
            title, body = REQUESTS[n % len(REQUESTS)]
        else:
            kind = EscalationKind.SITUATION
            category, title, body = SITUATIONS[n % len(SITUATIONS)]
        due = created + limit_for(urgency)
        e = Escalation(
            kind=kind,
            category=category,
            urgency=urgency,
            title=title,
            body=body,
            from_org=branch,
            reporter_member=member,
            reported_by=None if member else w.user,
            to_org=to_org,
            current_org=to_org,
            due_at=due,
            created_at=created,
            source="seed",
        )
        events: list[tuple[str, Org | None, dt.datetime, str]] = [
            (EventAction.CREATED, to_org, created, "")
        ]
        if fate == "risen":
            above = school if to_org.pk == unit.pk else unit
            risen_at = min(due, w.now - dt.timedelta(minutes=1))
            e.level, e.current_org = 1, above
            e.due_at = risen_at + limit_for(urgency) if above.pk != school.pk else None
            events.append((EventAction.RISEN, above, risen_at, ""))
        elif fate in ("acknowledged", "handled"):
            read = created + dt.timedelta(minutes=rng.randint(5, 300))
            e.state = EscalationState.ACKNOWLEDGED
            e.acknowledged_at, e.acknowledged_by, e.acknowledged_org = read, w.user, to_org
            events.append((EventAction.ACKNOWLEDGED, to_org, read, ""))
            if fate == "handled":
                done = read + dt.timedelta(hours=rng.randint(1, 12))
                e.state = EscalationState.HANDLED
                e.handled_at, e.handled_by = done, w.user
                e.handled_note = "已联系相关部门处理，情况已妥善解决。"
                events.append((EventAction.HANDLED, to_org, done, e.handled_note))
        elif fate == "answered":
            answered = created + dt.timedelta(hours=rng.randint(1, 20))
            e.state = EscalationState.REPLIED
            e.acknowledged_at, e.acknowledged_by, e.acknowledged_org = answered, w.user, to_org
            events.append((EventAction.REPLIED, to_org, answered, "同意。"))
            replies.append((e, answered))
        elif fate == "open" and n % 10 == 9:
            # past its limit, not yet risen: what the worker picks up next
            e.created_at = w.now - limit_for(urgency) - dt.timedelta(minutes=10)
            e.due_at = w.now - dt.timedelta(minutes=10)
            events[0] = (EventAction.CREATED, to_org, e.created_at, "")
        plans.append((e, events))

    members = {m.pk: m for m in w.uni.members}
    alerts: dict[tuple[int, dt.date], tuple[Decimal, dt.datetime, str]] = {}
    for r in w.fever_reports:
        if r.temperature is not None:
            alerts.setdefault((r.member_id, r.period), (r.temperature, r.submitted_at, "report"))
    for g in w.fever_entries:
        if g.member_id is not None and g.temperature is not None:
            key = (g.member_id, timezone.localdate(g.at))
            alerts.setdefault(key, (g.temperature, g.at, "gate"))
    for (member_id, day), (reading, at, source) in sorted(alerts.items(), key=lambda kv: kv[1][1]):
        m = members[member_id]
        branch = next(b for b in w.uni.branches if b.pk == m.branch_id)
        local = timezone.localtime(at)
        e = Escalation(
            kind=EscalationKind.SITUATION,
            category=EscalationCategory.FEVER,
            urgency=Urgency.URGENT,
            title=f"发热：{m.name} {reading} ℃",
            body=f"{m.name}（{m.number}）于{local:%m月%d日 %H:%M}测得体温 {reading} ℃。",
            from_org=branch,
            reporter_member=m,
            to_org=branch,
            current_org=branch,
            due_at=at + limit_for(Urgency.URGENT),
            created_at=at,
            source=source,
            fever_member=m,
            fever_day=day,
            temperature=reading,
        )
        events = [(EventAction.CREATED, branch, at, "")]
        if day < w.today:
            e.state = EscalationState.HANDLED
            e.acknowledged_at, e.acknowledged_by, e.acknowledged_org = at, w.user, branch
            e.handled_at, e.handled_by = at + dt.timedelta(hours=1), w.user
            e.handled_note = "已送校医院复测，体温正常后返回。"
            events += [
                (EventAction.ACKNOWLEDGED, branch, at + dt.timedelta(minutes=20), ""),
                (EventAction.HANDLED, branch, at + dt.timedelta(hours=1), e.handled_note),
            ]
        plans.append((e, events))
    saved = _bulk(Escalation, [e for e, _ in plans])
    event_rows = [
        EscalationEvent(
            escalation=e,
            action=action,
            actor=None if action == EventAction.RISEN else w.user,
            org=org,
            level=1 if action == EventAction.RISEN else 0,
            note=note,
            at=at,
        )
        for e, (_, events) in zip(saved, plans, strict=True)
        for action, org, at, note in events
    ]
    _bulk(EscalationEvent, event_rows)
    reply_rows = [
        Reply(
            escalation=e,
            author=w.user,
            org=e.to_org,
            body="同意。请做好签到和会议记录，会后一周内上传会议纪要。",
            is_answer=True,
            created_at=at,
        )
        for e, at in replies
    ]
    _bulk(Reply, reply_rows)
    return {
        "escalations": len(saved),
        "escalation_events": len(event_rows),
    }


# --- development, study ------------------------------------------------------------------------

S = DevelopmentStage
STAGE_OF_STATUS: dict[str, str] = {
    PoliticalStatus.ACTIVIST: S.ACTIVIST,
    PoliticalStatus.DEVELOPMENT_TARGET: S.TARGET,
    PoliticalStatus.PROBATIONARY: S.PROBATIONARY,
}


def _stage_dates(rng: random.Random, stage: str, today: dt.date) -> dict[str, dt.date]:
    """Dates of each stage up to `stage`, back from today, within the interval rules."""
    out: dict[str, dt.date] = {}
    if stage == S.PROBATIONARY:
        out[S.PROBATIONARY] = today - dt.timedelta(days=rng.randint(30, 360))
        out[S.TARGET] = out[S.PROBATIONARY] - dt.timedelta(days=rng.randint(60, 200))
    elif stage == S.TARGET:
        out[S.TARGET] = today - dt.timedelta(days=rng.randint(20, 200))
    if S.TARGET in out:
        out[S.ACTIVIST] = add_months(out[S.TARGET], -12) - dt.timedelta(days=rng.randint(0, 60))
    else:
        out[S.ACTIVIST] = today - dt.timedelta(days=rng.randint(30, 400))
    out[S.APPLICANT] = out[S.ACTIVIST] - dt.timedelta(days=rng.randint(30, 120))
    return out


def _development(w: _World) -> dict[str, int]:
    rng = w.rng("development")
    candidates: list[Candidate] = []
    dates: list[dict[str, dt.date]] = []
    for branch in w.uni.branches:
        if w.branch_level[branch.pk] == 0:
            continue
        people = w.by_branch[branch.pk]
        full = [m for m in people if m.political_status == PoliticalStatus.FULL]
        for m in people:
            stage = STAGE_OF_STATUS.get(m.political_status)
            if stage is None or not full or rng.random() >= 0.12:
                continue
            d = _stage_dates(rng, stage, w.today)
            past_target = stage in (S.TARGET, S.PROBATIONARY)
            candidates.append(
                Candidate(
                    member=m,
                    stage=stage,
                    applied_on=d[S.APPLICANT],
                    activist_on=d.get(S.ACTIVIST),
                    target_on=d.get(S.TARGET),
                    probationary_on=d.get(S.PROBATIONARY),
                    contact_1=full[0],
                    contact_2=full[-1] if len(full) > 1 else None,
                    introducer_1=full[0] if stage == S.PROBATIONARY else None,
                    training_school=f"{d[S.ACTIVIST].year}年入党积极分子培训班"
                    if past_target
                    else "",
                    training_finished_on=d[S.ACTIVIST] + dt.timedelta(days=60)
                    if past_target
                    else None,
                    training_grade=rng.choice(list(TrainingGrade.values)[:3])
                    if past_target
                    else "",
                    review_on=d[S.TARGET] + dt.timedelta(days=20) if past_target else None,
                    review_result=ReviewResult.PASSED if past_target else "",
                    created_by=w.user,
                )
            )
            dates.append(d)
    saved = _bulk(Candidate, candidates)
    steps = [
        StageStep(
            candidate=c,
            stage=stage,
            on=on,
            branch_id=c.member.branch_id,
            approved_on=on + dt.timedelta(days=10) if stage == S.PROBATIONARY else None,
            note="按程序办理。",
            recorded_by=w.user,
        )
        for c, d in zip(saved, dates, strict=True)
        for stage, on in sorted(d.items(), key=lambda kv: kv[1])
    ]
    _bulk(StageStep, steps)
    return {"candidates": len(saved), "stage_steps": len(steps)}


def _study(w: _World) -> dict[str, int]:
    rng = w.rng("study")
    year = w.today.year
    plan = StudyPlan.objects.create(
        org=w.uni.school,
        kind=PlanKind.ANNUAL,
        title=f"{year}年度党员学习计划",
        starts_on=dt.date(year, 1, 1),
        ends_on=dt.date(year, 12, 31),
        content="每月集中学习不少于一次，自学不少于两次。",
        hours_target=Decimal("32"),
        created_by=w.user,
    )
    sessions: list[StudySession] = []
    rolls: list[list[tuple[Member, dt.date]]] = []
    for unit in w.uni.units:
        if w.unit_mood[unit.pk] == "quiet":
            continue
        for i, title in enumerate(("自学：疫情防控重要讲话", "自学：党章第一章")):
            held = w.today - dt.timedelta(days=rng.randint(5, 60))
            sessions.append(
                StudySession(
                    org=unit,
                    plan=plan,
                    kind=SessionKind.SELF_STUDY,
                    title=title,
                    held_on=held,
                    due_on=held + dt.timedelta(days=14),
                    hours=Decimal("2.0") if i == 0 else Decimal("1.5"),
                    created_by=w.user,
                )
            )
            share = 0.7 if w.unit_mood[unit.pk] == "busy" else 0.45
            rolls.append(
                [
                    (m, min(w.today, held + dt.timedelta(days=rng.randint(0, 13))))
                    for m in w.by_unit[unit.pk]
                    if rng.random() < share
                ]
            )
    present: dict[int, list[Member]] = defaultdict(list)
    for a in w.attendance:
        if a.meeting.kind == MeetingKind.LECTURE and a.status == AttendanceStatus.PRESENT:
            present[id(a.meeting)].append(a.member)
    for meeting in w.lectures:
        if meeting.state not in (MeetingState.APPROVED, MeetingState.UNIT_APPROVED):
            continue
        held = timezone.localdate(meeting.held_at)
        sessions.append(
            StudySession(
                org=meeting.org,
                plan=plan,
                kind=SessionKind.MEETING,
                title=meeting.topic,
                held_on=held,
                hours=Decimal("2.0"),
                meeting=meeting,
                created_by=w.user,
            )
        )
        rolls.append([(m, held) for m in present[id(meeting)]])
    saved = _bulk(StudySession, sessions)
    rows = [
        StudyAttendance(session=s, member=m, hours=s.hours, on=on, recorded_by=w.user)
        for s, roll in zip(saved, rolls, strict=True)
        for m, on in roll
    ]
    _bulk(StudyAttendance, rows)
    return {"study_sessions": len(saved), "study_attendance": len(rows)}


# --- care fund, pledge, ratings and appraisals, honours, cadre records ------------------------


def _carefund(w: _World) -> dict[str, int]:
    """The 7,720 元 from party dues and the school's allocation; frontline staff visited on
    each campus (named, 100 元 each) and students paid per head (30 元); a request pending."""
    rng = w.rng("carefund")
    school = w.uni.school
    fund = CareFund.objects.create(
        name="组织关爱专项资金",
        source="党费拨付、学校专项",
        org=school,
        note="用于慰问疫情防控一线人员和困难学生。",
        created_by=w.user,
    )
    start = w.today - dt.timedelta(days=w.days)
    staff = [m for m in w.uni.members if m.category == Category.STAFF]
    students = [m for m in w.uni.members if m.category == Category.STUDENT]
    per_head = Decimal("30")
    student_list = students[: min(3_445, len(students))]
    incomes = [
        (start, Decimal("7720.00"), "党费拨付：疫情防控专项"),
        (start + dt.timedelta(days=1), Decimal("110000.00"), "学校拨付：组织关爱专项"),
    ]
    payments: list[tuple[CarePayment, list[CareRecipient]]] = []
    for i, campus in enumerate(w.uni.campuses):
        people = [m for m in staff if m.campus_id == campus.pk][:17]
        if not people:
            continue
        payment = CarePayment(
            fund=fund,
            title=f"{campus.name}一线值守人员慰问",
            purpose=Purpose.FRONTLINE,
            campus=campus,
            paid_on=start + dt.timedelta(days=3 + i),
            mode=PaymentMode.NAMED,
            head_count=len(people),
            total=Decimal("100") * len(people),
            state=PaymentState.PAID,
            requested_by=w.user,
            decided_by=w.user,
            decided_at=w.at(start + dt.timedelta(days=3 + i), 9),
        )
        recipients = [
            CareRecipient(member=m, number=m.number, name=m.name, amount=Decimal("100"))
            for m in people
        ]
        payments.append((payment, recipients))
    if student_list:
        payments.append(
            (
                CarePayment(
                    fund=fund,
                    title="在校学生慰问（每人 30 元）",
                    purpose=Purpose.STUDENTS,
                    paid_on=start + dt.timedelta(days=7),
                    mode=PaymentMode.PER_HEAD,
                    per_head=per_head,
                    group_label="在校学生",
                    head_count=len(student_list),
                    total=per_head * len(student_list),
                    state=PaymentState.PAID,
                    requested_by=w.user,
                    decided_by=w.user,
                    decided_at=w.at(start + dt.timedelta(days=7), 9),
                ),
                [
                    CareRecipient(member=m, number=m.number, name=m.name, amount=per_head)
                    for m in student_list
                ],
            )
        )
    if staff:
        m = staff[rng.randrange(len(staff))]
        payments.append(
            (
                CarePayment(
                    fund=fund,
                    title="患病教职工慰问",
                    purpose=Purpose.ILLNESS,
                    paid_on=w.today,
                    mode=PaymentMode.NAMED,
                    head_count=1,
                    total=Decimal("500"),
                    requested_by=w.user,
                ),
                [CareRecipient(member=m, number=m.number, name=m.name, amount=Decimal("500"))],
            )
        )
    saved = _bulk(CarePayment, [p for p, _ in payments])
    recipients = []
    for p, (_, rows) in zip(saved, payments, strict=True):
        for r in rows:
            r.payment = p
            recipients.append(r)
    _bulk(CareRecipient, recipients)
    # The ledger in date order, each line with the balance after it.
    lines: list[tuple[dt.date, Decimal, str, str, CarePayment | None]] = [
        (day, amount, EntryKind.INCOME, summary, None) for day, amount, summary in incomes
    ]
    lines += [
        (p.paid_on, -p.total, EntryKind.PAYOUT, p.title, p)
        for p in saved
        if p.state == PaymentState.PAID
    ]
    lines.sort(key=lambda line: line[0])
    balance = Decimal("0")
    entries = []
    for day, amount, kind, summary, paid in lines:
        if balance + amount < 0:
            continue
        balance += amount
        entries.append(
            CareEntry(
                fund=fund,
                kind=kind,
                amount=amount,
                balance_after=balance,
                occurred_on=day,
                summary=summary,
                purpose=paid.purpose if paid else "",
                campus_id=paid.campus_id if paid else None,
                payment=paid,
                recorded_by=w.user,
            )
        )
    _bulk(CareEntry, entries)
    CareFund.objects.filter(pk=fund.pk).update(balance=balance)
    return {"care_funds": 1, "care_payments": len(saved), "care_entries": len(entries)}


def _pledge(w: _World) -> dict[str, int]:
    rng = w.rng("pledge")
    pledge = Pledge.objects.create(
        title="疫情防控党员承诺书",
        body="我承诺：坚决服从学校疫情防控安排，带头落实各项防控措施，主动亮身份、当先锋。",
        org=w.uni.school,
        created_by=w.user,
        closes_on=w.today + dt.timedelta(days=7),
    )
    rows = [
        PledgeSignature(pledge=pledge, member=m, signed_name=m.name)
        for m in w.uni.members
        if rng.random() < 0.35 * (w.branch_level[m.branch_id] or 0.3)
    ]
    _bulk(PledgeSignature, rows)
    return {"pledges": 1, "pledge_signatures": len(rows)}


def _assessment(w: _World) -> dict[str, int]:
    """Ratings for part of the school phase's people; last year's 述职评议 of each unit."""
    rng = w.rng("assessment")
    phase = w.phase
    assert phase is not None
    people = list(
        Allocation.objects.filter(phase=phase)
        .order_by("member_id")
        .values_list("member_id", flat=True)
    )
    ratings = [
        PostRating(
            phase=phase,
            member_id=pk,
            score=rng.choice((3, 4, 4, 5, 5, 5)),
            comment="值守认真，签到准时。",
            rated_by=w.user,
        )
        for pk in people
        if rng.random() < 0.3
    ]
    _bulk(PostRating, ratings)
    results = list(AppraisalResult.values)
    appraisals = [
        Appraisal(
            org=unit,
            year=w.today.year - 1,
            result=rng.choices(results, weights=(40, 45, 12, 3))[0],
            result_note="年度述职评议结果。",
            result_by=w.user,
            result_at=w.at(dt.date(w.today.year, 1, 15), 10),
        )
        for unit in w.uni.units
    ]
    _bulk(Appraisal, appraisals)
    cadres = _cadre_records(w, rng, phase)
    return {"post_ratings": len(ratings), "appraisals": len(appraisals), "cadre_records": cadres}


def _cadre_records(w: _World, rng: random.Random, phase: Phase) -> int:
    """表现突出 for cadres who kept most of their shifts, drawn from their check-ins."""
    kept: dict[int, int] = defaultdict(int)
    for member_id in DutyCheck.objects.filter(phase=phase).values_list("member_id", flat=True):
        kept[member_id] += 1
    members = {m.pk: m for m in w.uni.members}
    rows = [
        CadreRecord(
            member_id=pk,
            unit=w.unit_of[members[pk].branch_id],
            kind=RecordKind.OUTSTANDING,
            occurred_from=phase.starts_on,
            occurred_until=min(phase.ends_on, w.today),
            text=f"{phase.starts_on:%m月%d日}至今校门值班 {n} 班，签到准时。",
            suggested=True,
            recorded_by=w.user,
        )
        for pk, n in sorted(kept.items())
        if members[pk].cadre_rank and n >= 2 and rng.random() < 0.5
    ]
    return len(_bulk(CadreRecord, rows))


def _honours(w: _World) -> dict[str, int]:
    """This year's 先进基层党支部 round in its nomination window: most units nominated."""
    rng = w.rng("honours")
    year = w.today.year
    round_ = CommendationRound.objects.create(
        year=year,
        kind=AwardKind.BRANCH,
        title="先进基层党支部",
        note="每个二级党委推荐 1 个党支部。",
        nominate_from=w.today - dt.timedelta(days=5),
        nominate_until=w.today + dt.timedelta(days=10),
        review_until=w.today + dt.timedelta(days=20),
        default_quota=1,
        created_by=w.user,
    )
    _bulk(RoundQuota, [RoundQuota(round=round_, unit=u, quota=1) for u in w.uni.units[:3]])
    nominations = []
    for unit in w.uni.units:
        branches = [
            b for b in w.uni.branches if w.unit_of[b.pk].pk == unit.pk and w.branch_level[b.pk] >= 1
        ]
        if not branches or rng.random() < 0.3:
            continue
        nominations.append(
            Nomination(
                round=round_,
                unit=unit,
                branch=rng.choice(branches),
                reason="组织党员设立先锋岗、参加校门值守，三会一课规范开展。",
                nominated_by=w.user,
            )
        )
    _bulk(Nomination, nominations)
    return {"award_rounds": 1, "nominations": len(nominations)}


PARTS: list[Callable[[_World], dict[str, int]]] = [
    _campaign,
    _rosters,
    _meetings,
    _talks,
    _reports,
    _gates,
    _escalations,
    _development,
    _study,
    _carefund,
    _pledge,
    _assessment,
    _honours,
]
