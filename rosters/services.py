"""Every write of the rosters app: posts, phases, sign-ups, recommendation, allocation, rosters
(solve, edit, publish), swap requests and calendar links.

Roster edits share one shape (`_edit`): lock the roster, refuse a stale version, refuse while
the solver runs, run lib.roster.check on the roster before and after the change, and refuse a
change that breaks a hard rule it did not already break — with the rule in Chinese. A shift
short of its headcount is allowed while editing by hand (a roster is filled step by step).
"""

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.services import audit_record, diff_fields
from lib.roster import Problem, Progress, Result, check, solve
from members.models import Member
from orgs.models import Campus, Org
from rosters.models import (
    Allocation,
    Assignment,
    CalendarFeed,
    Phase,
    Post,
    PostLevel,
    Roster,
    SignUp,
    SwapRequest,
    new_feed_key,
)
from rosters.problems import (
    Built,
    assignment_rows,
    parse_shift_id,
    problem_build,
    roster_settings,
    shift_id,
)

log = logging.getLogger(__name__)

STALE = "值班表已被他人修改，请刷新后再试。"
SOLVING = "正在自动排班，请等待完成或停止后再编辑。"
PUBLISHED = "值班表已发布，请先撤回发布再修改。"
PROGRESS_EVERY_S = 0.5
# A running solve not finished this long after its time limit has lost its worker.
STALLED_GRACE_S = 120
STALLED = "后台求解超过时限仍未结束，可能已中断，请重新排班。"
FROZEN = "{name} {date:%m月%d日} {slot} 已签到，不能调整：已签到的班次保持不变（锁定）。"
PAST = "该班次已过，不能调班。"

# --- posts and phases ----------------------------------------------------------------------


def _clean_slots(slots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not slots:
        raise ValidationError("至少设置一个班次。")
    clean, names = [], set()
    for slot in slots:
        name = str(slot.get("name", "")).strip()
        start = str(slot.get("start", "")).strip()
        try:
            hours = float(slot.get("hours", 0))
            h, m = (int(x) for x in start.split(":"))
            dt.time(h, m)
        except (TypeError, ValueError) as e:
            raise ValidationError(f"班次「{name or start}」的开始时间或时长有误。") from e
        if not name or name in names:
            raise ValidationError(f"班次名称「{name}」为空或重复。")
        if not 0 < hours <= 24:
            raise ValidationError(f"班次「{name}」的时长应在 0–24 小时之间。")
        names.add(name)
        clean.append({"name": name, "start": f"{h:02d}:{m:02d}", "hours": hours})
    return clean


@transaction.atomic
def post_save(*, actor: Any, post: Post | None, org: Org, **fields: Any) -> Post:
    """Create or update a post; a school-level post belongs to the root, a unit's to the unit."""
    fields["slots"] = _clean_slots(fields.get("slots") or [])
    level = PostLevel.SCHOOL if org.depth == 1 else PostLevel.UNIT
    if fields.get("kind") == "other" and not fields.get("custom_kind"):
        raise ValidationError("单位自设岗位请填写岗位类型名称。")
    created = post is None
    post = post or Post(org=org)
    after = {**fields, "org": org, "level": level}
    # Read what is stored: a bound ModelForm has already set the new values on `post`.
    stored = None if created else Post.objects.get(pk=post.pk)
    before = {key: getattr(stored, key) for key in after} if stored else {}
    post.org, post.level = org, level
    for key, value in fields.items():
        setattr(post, key, value)
    post.save()
    audit_record(
        actor=actor,
        action="post.create" if created else "post.update",
        target=post,
        changes=diff_fields(before, after),
    )
    return post


@transaction.atomic
def phase_save(
    *, actor: Any, phase: Phase | None, org: Org, posts: list[Post], **fields: Any
) -> Phase:
    if fields["ends_on"] < fields["starts_on"]:
        raise ValidationError("结束日期不能早于开始日期。")
    created = phase is None
    phase = phase or Phase(org=org)
    after = {**fields, "posts": sorted(p.name for p in posts)}
    before = {}
    if not created:
        stored = Phase.objects.get(pk=phase.pk)  # a bound ModelForm changed `phase` already
        before = {key: getattr(stored, key) for key in fields}
        before["posts"] = sorted(phase.posts.values_list("name", flat=True))
    for key, value in fields.items():
        setattr(phase, key, value)
    phase.save()
    phase.posts.set(posts)
    audit_record(
        actor=actor,
        action="phase.create" if created else "phase.update",
        target=phase,
        changes=diff_fields(before, after),
    )
    return phase


# --- sign-up, recommendation, allocation ----------------------------------------------------


def signup_open(phase: Phase, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return phase.signup_deadline is None or now <= phase.signup_deadline


def recommend_open(phase: Phase, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return phase.recommend_deadline is None or now <= phase.recommend_deadline


@transaction.atomic
def signup_save(
    *,
    actor: Any,
    phase: Phase,
    member: Member,
    wanted_posts: list[int],
    unavailable_dates: list[str],
    unavailable_slots: list[list[str]],
    campus: Campus | None,
    health_ok: bool,
    health_note: str,
    phone: str,
    avoid_night: bool,
    note: str = "",
) -> SignUp:
    """A member's 报名表: one per member per phase, editable until the sign-up deadline."""
    if not signup_open(phase):
        raise ValidationError("报名已截止。")
    phase_posts = set(phase.posts.values_list("pk", flat=True))
    if not wanted_posts:
        raise ValidationError("请至少选择一个意向岗位。")
    if any(p not in phase_posts for p in wanted_posts):
        raise ValidationError("意向岗位不属于本阶段。")
    if not health_ok:
        raise ValidationError("请确认健康状况声明。")
    first, last = phase.starts_on.isoformat(), phase.ends_on.isoformat()
    if any(not first <= d <= last for d in unavailable_dates):
        raise ValidationError("不能值班的日期应在本阶段内。")
    after = {
        "wanted_posts": list(dict.fromkeys(wanted_posts)),
        "unavailable_dates": sorted(set(unavailable_dates)),
        "unavailable_slots": [list(x) for x in unavailable_slots],
        "campus": campus,
        "health_ok": health_ok,
        "health_note": health_note,
        "phone": phone,
        "avoid_night": avoid_night,
        "note": note,
    }
    earlier = SignUp.objects.select_for_update().filter(phase=phase, member=member).first()
    before = {key: getattr(earlier, key) for key in after} if earlier else {}
    signup, created = SignUp.objects.update_or_create(phase=phase, member=member, defaults=after)
    audit_record(
        actor=actor,
        action="signup.create" if created else "signup.update",
        target=signup,
        label=f"{member.name} 报名 {phase.name}",
        changes=diff_fields(before, after),
    )
    return signup


@transaction.atomic
def signup_recommend(*, actor: Any, signup: SignUp, recommended: bool) -> SignUp:
    if not recommend_open(signup.phase):
        raise ValidationError("推荐已截止。")
    signup.recommended = recommended
    signup.recommended_by = actor if recommended else None
    signup.recommended_at = timezone.now() if recommended else None
    signup.save(update_fields=["recommended", "recommended_by", "recommended_at", "updated_at"])
    audit_record(
        actor=actor,
        action="signup.recommend" if recommended else "signup.unrecommend",
        target=signup,
        label=f"{signup.member.name} 推荐至校级岗位",
    )
    return signup


@transaction.atomic
def allocation_add(*, actor: Any, phase: Phase, post: Post, member: Member) -> Allocation:
    """Allocate a signed-up person to a post of the phase. School-level posts take only people
    their unit recommended (分层次); a unit's posts only its own members."""
    if not phase.posts.filter(pk=post.pk).exists():
        raise ValidationError("该岗位不属于本阶段。")
    signup = SignUp.objects.filter(phase=phase, member=member).first()
    if signup is None:
        raise ValidationError(f"{member.name} 未报名本阶段。")
    if post.level == PostLevel.SCHOOL and not signup.recommended:
        raise ValidationError(f"{member.name} 未经单位推荐，不能调配到校级岗位。")
    if post.level == PostLevel.UNIT and not member.branch.path.startswith(post.org.path):
        raise ValidationError(f"{member.name} 不是本单位党员。")
    allocation, _ = Allocation.objects.get_or_create(
        phase=phase, post=post, member=member, defaults={"allocated_by": actor}
    )
    audit_record(
        actor=actor, action="allocation.add", target=allocation, label=f"{member.name} → {post}"
    )
    return allocation


@transaction.atomic
def allocation_remove(*, actor: Any, allocation: Allocation) -> None:
    audit_record(
        actor=actor,
        action="allocation.remove",
        target=allocation,
        label=f"{allocation.member.name} ↛ {allocation.post}",
    )
    allocation.delete()


# --- worked shifts are frozen --------------------------------------------------------------


def _replaceable(roster: Roster) -> Any:
    """The assignments a re-solve or an import replaces: neither pinned nor checked in."""
    return roster.assignments.filter(pinned=False, duty_check__isnull=True)


def _refuse_frozen(*assignments: Assignment) -> None:
    """A shift someone has checked in to is a record of work: no edit, swap or re-solve
    changes who was on it."""
    checked = (
        Assignment.objects.filter(pk__in=[a.pk for a in assignments], duty_check__isnull=False)
        .select_related("member")
        .first()
    )
    if checked is not None:
        raise ValidationError(
            FROZEN.format(name=checked.member.name, date=checked.date, slot=checked.slot)
        )


# --- rosters -------------------------------------------------------------------------------


@transaction.atomic
def roster_create(*, actor: Any, phase: Phase, org: Org) -> Roster:
    roster, created = Roster.objects.get_or_create(
        phase=phase, org=org, defaults={"settings": roster_settings(Roster())}
    )
    if created:
        audit_record(actor=actor, action="roster.create", target=roster)
    return roster


def _lock(roster: Roster, version: int | None, *, allow_published: bool = False) -> Roster:
    locked = Roster.objects.select_for_update().select_related("phase", "org").get(pk=roster.pk)
    if version is not None and locked.version != version:
        raise ValidationError(STALE)
    if locked.is_solving:
        raise ValidationError(SOLVING)
    if locked.state == Roster.State.PUBLISHED and not allow_published:
        raise ValidationError(PUBLISHED)
    return locked


def _bump(roster: Roster) -> None:
    Roster.objects.filter(pk=roster.pk).update(version=F("version") + 1, updated_at=timezone.now())
    roster.refresh_from_db(fields=["version", "updated_at"])


@transaction.atomic
def roster_settings_update(
    *, actor: Any, roster: Roster, version: int, settings: dict[str, Any]
) -> Roster:
    locked = _lock(roster, version)
    before = roster_settings(locked)
    locked.settings = {**before, **settings}
    locked.save(update_fields=["settings"])
    _bump(locked)
    audit_record(actor=actor, action="roster.settings", target=locked, changes=settings)
    return locked


@transaction.atomic
def roster_publish(*, actor: Any, roster: Roster, version: int, publish: bool = True) -> Roster:
    locked = _lock(roster, version, allow_published=True)
    if publish:
        built = problem_build(locked)
        broken = check(built.problem, built.assignments)
        if broken:
            raise ValidationError(f"值班表尚不完整或有违规，不能发布：{broken[0].message}")
    locked.state = Roster.State.PUBLISHED if publish else Roster.State.DRAFT
    locked.published_at = timezone.now() if publish else None
    locked.save(update_fields=["state", "published_at"])
    _bump(locked)
    audit_record(
        actor=actor, action="roster.publish" if publish else "roster.unpublish", target=locked
    )
    return locked


@transaction.atomic
def roster_delete(*, actor: Any, roster: Roster) -> dict[str, int]:
    """Delete a draft roster and its assignments. Check-ins and duty logs are records of what
    happened: they stay, with their member, post, date and slot (and phase)."""
    locked = _lock(roster, None)
    summary = {
        "assignments": locked.assignments.count(),
        "check_ins": locked.duty_checks.count(),  # type: ignore[attr-defined]
        "logs": locked.duty_logs.count(),  # type: ignore[attr-defined]
    }
    audit_record(
        actor=actor, action="roster.delete", target=locked, label=str(locked), changes=summary
    )
    locked.delete()
    return summary


# --- solving -------------------------------------------------------------------------------


@transaction.atomic
def roster_solve_request(
    *, actor: Any, roster: Roster, problem: dict[str, Any] | None = None
) -> Roster:
    """Queue a solve ("自动排班"); the task is enqueued once this transaction commits."""
    locked = _lock(roster, None)
    locked.solve_state = Roster.SolveState.QUEUED
    locked.solve_stop = False
    locked.solve_progress = {}
    locked.solve_message = ""
    locked.solve_queued_at = timezone.now()
    locked.solve_started_at = None
    locked.save(
        update_fields=[
            "solve_state",
            "solve_stop",
            "solve_progress",
            "solve_message",
            "solve_queued_at",
            "solve_started_at",
        ]
    )
    audit_record(actor=actor, action="roster.solve", target=locked)

    def enqueue() -> None:
        from rosters.tasks import roster_solve_task

        roster_solve_task.enqueue(locked.pk, problem)

    transaction.on_commit(enqueue)
    return locked


@transaction.atomic
def roster_solve_stop(*, actor: Any, roster: Roster) -> None:
    """Ask the running solve to stop; it keeps the best roster found so far."""
    Roster.objects.filter(pk=roster.pk).update(solve_stop=True)
    # A queued solve no worker has picked up yet is cancelled outright.
    Roster.objects.filter(pk=roster.pk, solve_state=Roster.SolveState.QUEUED).update(
        solve_state=Roster.SolveState.IDLE, solve_message="已取消。"
    )
    audit_record(actor=actor, action="roster.solve_stop", target=roster)


def roster_solve_expire(*, roster: Roster, now: dt.datetime | None = None) -> bool:
    """Mark a solve as failed when its worker is gone: a live solve ends by its time limit, so
    one still running well past it was abandoned (the worker died) and the page must not spin
    forever. Returns whether the roster was marked."""
    if roster.solve_state != Roster.SolveState.RUNNING or roster.solve_started_at is None:
        return False
    limit = float(roster_settings(roster)["time_limit"]) + STALLED_GRACE_S
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=limit)
    with transaction.atomic():
        marked = Roster.objects.filter(
            pk=roster.pk, solve_state=Roster.SolveState.RUNNING, solve_started_at__lt=cutoff
        ).update(solve_state=Roster.SolveState.FAILED, solve_message=STALLED)
        if marked:
            audit_record(actor=None, action="roster.solve_expired", target=roster)
    if marked:
        roster.refresh_from_db()
    return bool(marked)


def _throttled_progress(roster_id: int) -> Callable[[Progress], None]:
    last = [0.0]

    def on_progress(progress: Progress) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_S and progress.phase != "done":
            return
        last[0] = now
        Roster.objects.filter(pk=roster_id).update(solve_progress=progress.to_dict())

    return on_progress


def _throttled_stop(roster_id: int) -> Callable[[], bool]:
    state: dict[str, Any] = {"at": 0.0, "stop": False}

    def should_stop() -> bool:
        now = time.monotonic()
        if now - state["at"] >= PROGRESS_EVERY_S:
            state["at"] = now
            state["stop"] = bool(
                Roster.objects.filter(pk=roster_id).values_list("solve_stop", flat=True).first()
            )
        return bool(state["stop"])

    return should_stop


def roster_solve_run(roster_id: int, problem_data: dict[str, Any] | None = None) -> str:
    """The body of the background task: solve and store the best roster. Returns the state."""
    claimed = Roster.objects.filter(pk=roster_id, solve_state=Roster.SolveState.QUEUED).update(
        solve_state=Roster.SolveState.RUNNING, solve_started_at=timezone.now()
    )
    if not claimed:
        return "skipped"  # cancelled, or already taken by another worker
    roster = Roster.objects.select_related("phase", "org").get(pk=roster_id)
    try:
        built = problem_build(roster)
        problem = Problem.from_dict(problem_data) if problem_data else built.problem
        result = solve(
            problem,
            time_limit=float(roster_settings(roster)["time_limit"]),
            on_progress=_throttled_progress(roster_id),
            should_stop=_throttled_stop(roster_id),
        )
        roster_store_result(roster=roster, built=built, result=result)
    except Exception as e:  # the page must never spin forever
        log.exception("roster %s: solve failed", roster_id)
        Roster.objects.filter(pk=roster_id).update(
            solve_state=Roster.SolveState.FAILED, solve_message=f"求解出错：{e}"
        )
    return str(Roster.objects.values_list("solve_state", flat=True).get(pk=roster_id))


@transaction.atomic
def roster_store_result(*, roster: Roster, built: Built, result: Result) -> None:
    """Keep a solver's roster: non-pinned assignments replaced, pinned ones kept."""
    progress = {
        "time_s": round(result.time_s, 2),
        "score": result.score,
        "bound": result.bound,
        "gap_pct": result.gap_pct,
        "phase": "done",
        "status": result.status,
    }
    if not result.ok:
        if result.status == "infeasible":
            state, message = Roster.SolveState.INFEASIBLE, "\n".join(result.reasons)
        elif result.status == "stopped":
            state, message = Roster.SolveState.STOPPED, "已停止，尚未找到完整的值班表。"
        else:
            state = Roster.SolveState.FAILED
            message = (
                "\n".join(result.reasons) or "在时限内未找到可行的值班表，请延长求解时限后重试。"
            )
        Roster.objects.filter(pk=roster.pk).update(
            solve_state=state, solve_message=message or "无可行方案。", solve_progress=progress
        )
        return
    locked = Roster.objects.select_for_update().get(pk=roster.pk)
    pinned = set(
        (shift_id(p, d, s), str(m))
        for p, d, s, m in locked.assignments.exclude(pk__in=_replaceable(locked)).values_list(
            "post_id", "date", "slot", "member_id"
        )
    )
    known = {
        str(pk)
        for pk in Member.objects.filter(
            pk__in={int(pid) for _, pid in result.assignments}
        ).values_list("pk", flat=True)
    }
    pairs = [pair for pair in result.assignments if pair not in pinned and pair[1] in known]
    _replaceable(locked).delete()
    Assignment.objects.bulk_create(assignment_rows(locked, pairs))
    state = Roster.SolveState.STOPPED if result.status == "stopped" else Roster.SolveState.DONE
    Roster.objects.filter(pk=roster.pk).update(
        solve_state=state,
        solve_message="",
        solve_progress=progress,
        version=F("version") + 1,
    )
    audit_record(
        actor=None,
        action="roster.solved",
        target=locked,
        changes={"score": result.score, "bound": result.bound, "assignments": len(pairs)},
    )


# --- editing by hand -----------------------------------------------------------------------

Pair = tuple[str, str]


def _key(v: Any) -> tuple[str, str | None, str | None]:
    return (v.rule, v.shift_id, v.person_id)


def _checked(built: Built, after: list[Pair]) -> None:
    """Refuse `after` if it breaks a hard rule the roster did not break before.

    A shift short of people is fine while editing; a full shift short of cadres is not."""
    before = {_key(v) for v in check(built.problem, built.assignments) if v.rule != "headcount"}
    changed = {p[0] for p in set(after) ^ set(built.assignments)}
    filled: dict[str, int] = {}
    for sid, _ in after:
        filled[sid] = filled.get(sid, 0) + 1
    new = []
    for v in check(built.problem, after):
        if v.rule == "headcount":
            continue
        if v.rule == "min_cadres" and v.shift_id in changed:
            if filled.get(v.shift_id, 0) >= built.problem.shift(v.shift_id).headcount:
                new.append(v)
            continue
        if _key(v) not in before:
            new.append(v)
    if new:
        raise ValidationError("；".join(dict.fromkeys(v.message for v in new[:3])))


def _shift_of(built: Built, post: Post, date: dt.date, slot: str) -> str:
    sid = shift_id(post.pk, date, slot)
    try:
        built.problem.shift(sid)
    except KeyError as e:
        raise ValidationError("该班次不在本值班表的范围内。") from e
    return sid


def _ensure_person(built: Built, member: Member) -> None:
    """Add a person the roster has not seen (not allocated) so the check can name them."""
    from lib.roster import Person

    if str(member.pk) not in {p.id for p in built.problem.people}:
        built.problem.people.append(
            Person(
                id=str(member.pk),
                name=member.name,
                is_cadre=member.is_cadre,
                category=member.category,
                gender=member.gender,
            )
        )


@transaction.atomic
def assignment_add(
    *,
    actor: Any,
    roster: Roster,
    version: int,
    post: Post,
    date: dt.date,
    slot: str,
    member: Member,
) -> Assignment:
    locked = _lock(roster, version)
    built = problem_build(locked)
    sid = _shift_of(built, post, date, slot)
    pair = (sid, str(member.pk))
    if pair in built.assignments:
        raise ValidationError(f"{member.name} 已在该班次。")
    _ensure_person(built, member)
    _checked(built, [*built.assignments, pair])
    assignment = Assignment.objects.create(
        roster=locked, post=post, date=date, slot=slot, member=member
    )
    _bump(locked)
    roster.version = locked.version
    audit_record(
        actor=actor,
        action="assignment.add",
        target=locked,
        label=f"{member.name} → {date} {slot} {post}",
    )
    return assignment


@transaction.atomic
def assignment_remove(*, actor: Any, roster: Roster, version: int, assignment: Assignment) -> None:
    locked = _lock(roster, version)
    _refuse_frozen(assignment)
    if assignment.pinned:
        raise ValidationError("该安排已锁定，请先解锁再移除。")
    assignment.delete()
    _bump(locked)
    roster.version = locked.version
    audit_record(
        actor=actor,
        action="assignment.remove",
        target=locked,
        label=f"{assignment.member.name} ↛ {assignment.date} {assignment.slot} {assignment.post}",
    )


@transaction.atomic
def assignment_swap(
    *, actor: Any, roster: Roster, version: int, first: Assignment, second: Assignment
) -> None:
    """Swap the people of two shifts."""
    locked = _lock(roster, version)
    _refuse_frozen(first, second)
    if first.pinned or second.pinned:
        raise ValidationError("已锁定的安排不能对调，请先解锁。")
    if first.member_id == second.member_id:
        raise ValidationError("两个班次是同一个人。")
    built = problem_build(locked)
    a = (shift_id(first.post_id, first.date, first.slot), str(first.member_id))
    b = (shift_id(second.post_id, second.date, second.slot), str(second.member_id))
    after = [p for p in built.assignments if p not in (a, b)]
    after += [(a[0], b[1]), (b[0], a[1])]
    _checked(built, after)
    first.member_id, second.member_id = second.member_id, first.member_id
    # Two updates through a placeholder-free path: delete and recreate to respect uniqueness.
    Assignment.objects.filter(pk__in=[first.pk, second.pk]).delete()
    Assignment.objects.bulk_create(
        [
            Assignment(
                roster=locked, post_id=x.post_id, date=x.date, slot=x.slot, member_id=x.member_id
            )
            for x in (first, second)
        ]
    )
    _bump(locked)
    roster.version = locked.version
    audit_record(actor=actor, action="assignment.swap", target=locked)


@transaction.atomic
def assignment_replace(
    *,
    actor: Any,
    roster: Roster,
    version: int | None,
    assignment: Assignment,
    member: Member,
    allow_published: bool = False,
) -> Assignment:
    """Put `member` on the shift in place of its current person (a swap request's approval)."""
    locked = _lock(roster, version, allow_published=allow_published)
    _refuse_frozen(assignment)
    built = problem_build(locked)
    old = (
        shift_id(assignment.post_id, assignment.date, assignment.slot),
        str(assignment.member_id),
    )
    _ensure_person(built, member)
    after = [p for p in built.assignments if p != old] + [(old[0], str(member.pk))]
    # A swap request's approval may unpin: the office decides who serves a pinned shift.
    built.problem.rules.pinned = [p for p in built.problem.rules.pinned if p != old]
    _checked(built, after)
    assignment.member = member
    assignment.save(update_fields=["member"])
    _bump(locked)
    roster.version = locked.version
    audit_record(
        actor=actor,
        action="assignment.replace",
        target=locked,
        label=f"{member.name} → {assignment.date} {assignment.slot} {assignment.post}",
    )
    return assignment


@transaction.atomic
def assignment_pin(
    *, actor: Any, roster: Roster, version: int, assignment: Assignment, pinned: bool
) -> None:
    locked = _lock(roster, version)
    if not pinned:
        _refuse_frozen(assignment)
    Assignment.objects.filter(pk=assignment.pk).update(pinned=pinned)
    _bump(locked)
    roster.version = locked.version
    audit_record(
        actor=actor, action="assignment.pin" if pinned else "assignment.unpin", target=locked
    )


@transaction.atomic
def roster_import_result(*, actor: Any, roster: Roster, version: int, result: Result) -> int:
    """Replace the non-pinned assignments by a solution file's; every hard rule must hold."""
    locked = _lock(roster, version)
    built = problem_build(locked)
    shift_ids = {s.id for s in built.problem.shifts}
    people = {p.id for p in built.problem.people}
    pairs = list(dict.fromkeys(result.assignments))
    for sid, pid in pairs:
        if sid not in shift_ids or pid not in people:
            raise ValidationError(f"文件中的安排 ({sid}, {pid}) 不属于本值班表。")
    pinned = set(built.problem.rules.pinned)
    merged = list(pinned) + [p for p in pairs if p not in pinned]
    broken = [v for v in check(built.problem, merged) if v.rule != "headcount"]
    if broken:
        raise ValidationError(f"导入的值班表违反规则：{broken[0].message}")
    _replaceable(locked).delete()
    Assignment.objects.bulk_create(assignment_rows(locked, [p for p in pairs if p not in pinned]))
    _bump(locked)
    roster.version = locked.version
    audit_record(actor=actor, action="roster.import", target=locked, changes={"n": len(pairs)})
    return len(pairs)


# --- swap requests -------------------------------------------------------------------------


@transaction.atomic
def swap_request_create(
    *, actor: Any, assignment: Assignment, member: Member, with_member: Member | None, reason: str
) -> SwapRequest:
    if assignment.member_id != member.pk:
        raise ValidationError("只能为自己的班次申请调班。")
    if assignment.date < timezone.localdate():
        raise ValidationError(PAST)
    _refuse_frozen(assignment)
    if SwapRequest.objects.filter(assignment=assignment, state=SwapRequest.State.PENDING).exists():
        raise ValidationError("该班次已有待审批的调班申请。")
    if with_member is not None and with_member.pk == member.pk:
        raise ValidationError("不能与自己调班。")
    swap = SwapRequest.objects.create(
        assignment=assignment, requested_by=member, with_member=with_member, reason=reason
    )
    audit_record(
        actor=actor,
        action="swap.request",
        target=swap,
        label=f"{member.name} 申请调班 {assignment.date} {assignment.slot}",
    )
    return swap


@transaction.atomic
def swap_request_decide(
    *,
    actor: Any,
    swap: SwapRequest,
    approve: bool,
    replacement: Member | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> SwapRequest:
    """Approve (the replacement takes the shift; every rule re-checked) or refuse."""
    swap = (
        SwapRequest.objects.select_for_update().select_related("assignment__roster").get(pk=swap.pk)
    )
    if swap.state != SwapRequest.State.PENDING:
        raise ValidationError("该申请已处理。")
    if approve:
        person = replacement or swap.with_member
        if person is None:
            raise ValidationError("请指定替班人员。")
        if swap.assignment.date < (today or timezone.localdate()):
            raise ValidationError(PAST)
        assignment_replace(
            actor=actor,
            roster=swap.assignment.roster,
            version=None,
            assignment=swap.assignment,
            member=person,
            allow_published=True,
        )
    swap.state = SwapRequest.State.APPROVED if approve else SwapRequest.State.REFUSED
    swap.decided_by = actor
    swap.decided_at = timezone.now()
    swap.decision_note = note
    swap.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    audit_record(actor=actor, action="swap.approve" if approve else "swap.refuse", target=swap)
    return swap


# --- calendar feed -------------------------------------------------------------------------


def calendar_feed_get(*, member: Member) -> CalendarFeed:
    feed, _ = CalendarFeed.objects.get_or_create(member=member)
    return feed


@transaction.atomic
def calendar_feed_regenerate(*, actor: Any, member: Member) -> CalendarFeed:
    feed = calendar_feed_get(member=member)
    feed.key = new_feed_key()
    feed.save(update_fields=["key"])
    audit_record(
        actor=actor,
        action="calendar_feed.regenerate",
        target=feed,
        label=f"{member.name} 日历订阅链接",
    )
    return feed


__all__ = ["parse_shift_id"]
