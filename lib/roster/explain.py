"""Why no roster can exist: cheap counting that names the shift, the day or the person, in
Chinese a duty office can act on. Run before the model (and after it, when the model proves
infeasibility that counting did not see, by relaxing one rule at a time; see solver.py)."""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict

from lib.roster.eligibility import Index, allowed_by_post, max_load
from lib.roster.problem import date_cn, person_label, shift_label

MAX_REASONS = 20


def reasons(ix: Index) -> list[str]:
    out: list[str] = []
    out += _pinned(ix)
    out += _per_shift(ix)
    if not out:
        out += _simultaneous(ix)
    if not out:
        out += _capacity(ix)
    return out[:MAX_REASONS]


def _why_not(ix: Index, s: int, cadres_only: bool = False) -> str:
    """ "分配到该岗位的 2 名干部：1 人当天不能值班，1 人不能值这个班次"."""
    problem = ix.problem
    shift = problem.shifts[s]
    post = problem.post(shift.post)
    allocated = [
        p
        for p in problem.people
        if post.id in p.allocated_posts and (p.is_cadre or not cadres_only)
    ]
    noun = "干部" if cadres_only else "人"
    if not allocated:
        return f"没有{noun}分配到该岗位"
    off_day = sum(1 for p in allocated if shift.date in p.unavailable_dates)
    off_shift = sum(
        1
        for p in allocated
        if shift.date not in p.unavailable_dates and shift.id in p.unavailable_shifts
    )
    mismatch = sum(1 for p in allocated if not allowed_by_post(p, post))
    parts = []
    if off_day:
        parts.append(f"{off_day} 人当天不能值班")
    if off_shift:
        parts.append(f"{off_shift} 人不能值这个班次")
    if mismatch:
        parts.append(f"{mismatch} 人不符合岗位的类别或性别要求")
    count = f"{len(allocated)} 名{noun}" if cadres_only else f"{len(allocated)} 人"
    if parts and off_day == len(allocated):
        return f"分配到该岗位的 {count}当天都不能值班"
    return (
        f"分配到该岗位的 {count}中：" + "，".join(parts) if parts else f"分配到该岗位的只有 {count}"
    )


def _per_shift(ix: Index) -> list[str]:
    problem = ix.problem
    posts = {p.id: p for p in problem.posts}
    out = []
    for s, shift in enumerate(problem.shifts):
        label = shift_label(problem, shift)
        post = posts[shift.post]
        able = ix.people_of[s]
        if len(able) < shift.headcount:
            out.append(
                f"{label} 需要 {shift.headcount} 人，可用的只有 {len(able)} 人（{_why_not(ix, s)}）"
            )
            continue
        if post.min_cadres > shift.headcount:
            out.append(
                f"{label} 每班只有 {shift.headcount} 人，却要求至少 {post.min_cadres} 名干部"
            )
            continue
        cadres = sum(1 for p in able if problem.people[p].is_cadre)
        if cadres < post.min_cadres:
            out.append(
                f"{label} 需要 {post.min_cadres} 名干部，可用的只有 {cadres} 名"
                f"（{_why_not(ix, s, cadres_only=True)}）"
            )
    return out


def _pinned(ix: Index) -> list[str]:
    problem = ix.problem
    out: list[str] = []
    rest = int(problem.rules.rest_hours * 60)
    by_shift: dict[int, list[int]] = defaultdict(list)
    by_person: dict[int, list[int]] = defaultdict(list)
    if not ix.pinned:
        return out
    eligible = {(s, p) for p, items in enumerate(ix.shifts_of) for s in items}
    for s, p in ix.pinned:
        by_shift[s].append(p)
        by_person[p].append(s)
        who = person_label(problem.people[p])
        label = shift_label(problem, problem.shifts[s])
        if (s, p) not in eligible:
            out.append(
                f"锁定的安排不可行：{who} 不能值 {label}"
                "（未分配到该岗位、当天不能值班或不符合岗位要求）"
            )
    for s, ps in by_shift.items():
        shift = problem.shifts[s]
        if len(ps) > shift.headcount:
            out.append(
                f"{shift_label(problem, shift)} 只需 {shift.headcount} 人，却锁定了 {len(ps)} 人"
            )
    cap = problem.rules.weekly_cap
    for p, ss in by_person.items():
        who = person_label(problem.people[p])
        ss.sort(key=lambda s: ix.start[s])
        for a, b in itertools.pairwise(ss):
            if ix.start[b] < ix.end[a] + rest:
                out.append(
                    f"锁定的安排冲突：{who} 在 {shift_label(problem, problem.shifts[a])} 和 "
                    f"{shift_label(problem, problem.shifts[b])} 之间休息不足 "
                    f"{problem.rules.rest_hours:g} 小时"
                )
        if cap is not None:
            weeks: dict[tuple[int, int], int] = defaultdict(int)
            for s in ss:
                weeks[ix.week[s]] += 1
            for (year, week), n in weeks.items():
                if n > cap:
                    out.append(
                        f"锁定的安排冲突：{who} {year}年第{week}周 锁定了 {n} 次，"
                        f"超过每周上限 {cap} 次"
                    )
    return out


def _simultaneous(ix: Index) -> list[str]:
    """At the start of each shift: the shifts running then need more people than can be there."""
    problem = ix.problem
    out = []
    seen: set[frozenset[int]] = set()
    order = sorted(range(ix.n_shifts), key=lambda s: ix.start[s])
    longest = max((ix.end[s] - ix.start[s] for s in order), default=0)
    starts = [ix.start[s] for s in order]
    for s in order:
        t = ix.start[s]
        hi = bisect.bisect_right(starts, t)
        lo = bisect.bisect_left(starts, t - longest)
        running = frozenset(x for x in order[lo:hi] if t < ix.end[x])
        if len(running) < 2 or running in seen:
            continue
        seen.add(running)
        need = sum(problem.shifts[x].headcount for x in running)
        people = set().union(*(ix.people_of[x] for x in running))
        if need > len(people):
            shift = problem.shifts[s]
            names = "、".join(problem.post(problem.shifts[x].post).name for x in sorted(running))
            out.append(
                f"{date_cn(shift.date)} {shift.slot} 起 {names} 同时共需 {need} 人，"
                f"能值这些班次的只有 {len(people)} 人（一人不能同时在两处）"
            )
    return out


def _capacity(ix: Index) -> list[str]:
    """A post's people cannot cover its shifts, given rest and the weekly cap."""
    problem = ix.problem
    out = []
    rules = problem.rules
    by_post: dict[str, list[int]] = defaultdict(list)
    for s, shift in enumerate(problem.shifts):
        by_post[shift.post].append(s)
    for post in problem.posts:
        shifts = by_post.get(post.id, [])
        people = set().union(*(ix.people_of[s] for s in shifts)) if shifts else set()
        if not people:
            continue
        # people who can work elsewhere may still be spent here: a bound, not an exact count
        need = sum(problem.shifts[s].headcount for s in shifts)
        only_here = [
            p for p in people if all(problem.shifts[x].post == post.id for x in ix.shifts_of[p])
        ]
        if len(only_here) == len(people):
            can = sum(max_load(ix, p) for p in people)
            if can < need:
                limits = f"两班之间至少休息 {rules.rest_hours:g} 小时"
                if rules.weekly_cap is not None:
                    limits += f"、每周最多 {rules.weekly_cap} 次"
                out.append(
                    f"{post.name or post.id} 共需 {need} 人次，分配到该岗位的 {len(people)} 人"
                    f"最多能值 {can} 人次（{limits}）"
                )
    return out
