"""Why no roster can exist: cheap counting that names the shift, the day or the person, in
Chinese a duty office can act on. Run before the model (and after it, when the model proves
infeasibility that counting did not see, by relaxing one rule at a time; see solver.py)."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
from collections import defaultdict

from lib.roster.eligibility import Index, allowed_by_post
from lib.roster.problem import date_cn, person_label, shift_label

MAX_REASONS = 20


def quick_reasons(ix: Index) -> list[str]:
    """Only what a complete greedy roster does not already rule out: pinned assignments (the
    greedy places them as they are) and each shift's own people."""
    return (_pinned(ix) + _per_shift(ix))[:MAX_REASONS]


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


def capacity(
    ix: Index, p: int, shifts: set[int], rest_hours: float, cap: int | None
) -> dict[tuple[int, int], int]:
    """Per ISO week: the most units person p can take among `shifts` (weighted interval
    scheduling on intervals stretched by the rest), capped by `cap`."""
    rest = max(0, int(rest_hours * 60))
    by_week: dict[tuple[int, int], list[int]] = defaultdict(list)
    for s in ix.shifts_of[p]:
        if s in shifts:
            by_week[ix.week[s]].append(s)
    out = {}
    for week, items in by_week.items():
        most = _most(ix, items, rest)
        out[week] = most if cap is None else min(cap, most)
    return out


def capacity_total(ix: Index, p: int, shifts: set[int], rest_hours: float, cap: int | None) -> int:
    """The most units person p can take among `shifts` over the whole period: the weeks' sum,
    and never more than the whole period's own count (weeks join at their edges)."""
    weekly = sum(capacity(ix, p, shifts, rest_hours, cap).values())
    items = [s for s in ix.shifts_of[p] if s in shifts]
    return min(weekly, _most(ix, items, max(0, int(rest_hours * 60))))


def _most(ix: Index, items: list[int], rest: int) -> int:
    items = sorted(items, key=lambda s: ix.end[s])
    ends = [ix.end[s] + rest for s in items]
    best = [0] * (len(items) + 1)
    for i, s in enumerate(items):
        j = bisect.bisect_right(ends, ix.start[s], 0, i)
        best[i + 1] = max(best[i], best[j] + ix.units[s])
    return best[-1]


def _sets(ix: Index) -> list[tuple[str, set[int]]]:
    """The groups of shifts whose staffing is counted: the leaders' duties together, each post,
    each campus."""
    problem = ix.problem
    by_post: dict[str, set[int]] = defaultdict(set)
    for s, shift in enumerate(problem.shifts):
        by_post[shift.post].add(s)
    out: list[tuple[str, set[int]]] = []
    duty = set().union(*(by_post[p.id] for p in problem.posts if p.is_leader_duty))
    if duty:
        out.append(("领导24小时值班", duty))
    for post in problem.posts:
        if by_post[post.id]:
            out.append((post.name or post.id, by_post[post.id]))
    campuses: dict[str, set[int]] = defaultdict(set)
    for post in problem.posts:
        if post.campus:
            campuses[post.campus] |= by_post[post.id]
    if len(campuses) > 1:
        out += [(f"{campus}各岗位", items) for campus, items in campuses.items()]
    return out


def _capacity(ix: Index) -> list[str]:
    """A group of shifts needs more than the people who can take them can give, given rest and
    the weekly caps: said with the numbers, and the smallest change that would make it fit."""
    problem = ix.problem
    rules = problem.rules
    out: list[str] = []
    for name, shifts in _sets(ix):
        people = sorted(set().union(*(ix.people_of[s] for s in shifts)))
        if not people:
            continue
        need_by_week: dict[tuple[int, int], int] = defaultdict(int)
        for s in shifts:
            need_by_week[ix.week[s]] += problem.shifts[s].headcount * ix.units[s]
        caps = {p: capacity(ix, p, shifts, rules.rest_hours, ix.cap[p]) for p in people}
        can_by_week = {w: sum(caps[p].get(w, 0) for p in people) for w in need_by_week}
        totals = {p: capacity_total(ix, p, shifts, rules.rest_hours, ix.cap[p]) for p in people}
        need, can = sum(need_by_week.values()), sum(totals.values())
        short = [w for w in sorted(need_by_week) if can_by_week[w] < need_by_week[w]]
        if not short and can >= need:
            continue
        if can >= need:  # only some weeks: name the first
            w = short[0]
            period, need, can = f"{w[0]}年第{w[1]}周", need_by_week[w], can_by_week[w]
            weeks = [w]
        else:
            first, last = (
                min(problem.shifts[s].date for s in shifts),
                max(problem.shifts[s].date for s in shifts),
            )
            days = (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days + 1
            period, weeks = f"{days} 天", list(need_by_week)
        sizes = {ix.units[s] for s in shifts}
        unit = sizes.pop() if len(sizes) == 1 else 1
        noun = "班" if unit_ok(need, can, unit) else "个工作量"
        div = unit if noun == "班" else 1
        leaders = sum(1 for p in people if problem.people[p].is_leader)
        who = f"{len(people)} 人" if leaders != len(people) else f"{leaders} 位校领导"
        limits = [f"两班之间至少休息 {rules.rest_hours:g} 小时"]
        caps_here = {ix.cap[p] for p in people}
        if caps_here == {None}:
            pass
        elif len(caps_here) == 1:
            measure = "次" if all(ix.units[s] == 1 for s in shifts) else "个工作量"
            limits.append(f"每周最多 {caps_here.pop()} {measure}")
        else:
            limits.append("各自的每周上限")
        if len(weeks) == 1:
            per = max(caps[p].get(weeks[0], 0) for p in people)
        else:
            per = max(totals.values())
        text = (
            f"{name}：能值这些班次的 {who}在{'、'.join(limits)}下，{period}最多能值 "
            f"{can // div} {noun}，需要 {need // div} {noun}"
        )
        if per and unit == 2 and noun == "班":
            text += f"（每人最多 {per // div} {noun}）"
        fixes = []
        if per:
            fixes.append(f"再安排 {math.ceil((need - can) / per)} 名能值这些班次的人员")
        rest = _rest_that_fits(ix, people, shifts, weeks if len(weeks) == 1 else None, need)
        if rest is not None:
            fixes.append(f"把休息时间缩短到 {rest:g} 小时")
        if fixes:
            text += "；最小的改动：" + "，或".join(fixes)
        out.append(text)
        if len(out) >= 3:
            break
    return out


def unit_ok(need: int, can: int, unit: int) -> bool:
    return need % unit == 0 and can % unit == 0


def _rest_that_fits(
    ix: Index, people: list[int], shifts: set[int], week: list[tuple[int, int]] | None, need: int
) -> float | None:
    """The longest rest (whole hours, below the rule's) under which the count fits."""
    current = ix.problem.rules.rest_hours
    for hours in range(math.ceil(current) - 1, -1, -1):
        if week is not None:
            can = sum(capacity(ix, p, shifts, hours, ix.cap[p]).get(week[0], 0) for p in people)
        else:
            can = sum(capacity_total(ix, p, shifts, hours, ix.cap[p]) for p in people)
        if can >= need:
            return float(hours)
    return None
