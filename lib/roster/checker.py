"""The independent checker: does a roster keep every hard rule?

Written straight from the rules in docs/roster-format.md, on the Problem's own objects, sharing
no code with the greedy or the model (eligibility.py, greedy.py, cpsat.py), so that a bug in one
is not repeated in the other. Editing pages call it to refuse an edit with the rule it breaks.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from lib.roster.problem import (
    CATEGORY_CN,
    GENDER_CN,
    Assignment,
    Problem,
    Violation,
    date_cn,
    person_label,
    shift_label,
)


def check(problem: Problem, assignments: list[Assignment]) -> list[Violation]:
    """Every broken hard rule, one Violation each (empty when the roster is valid)."""
    people = {p.id: p for p in problem.people}
    posts = {p.id: p for p in problem.posts}
    shifts = {s.id: s for s in problem.shifts}
    out: list[Violation] = []

    def add(rule: str, message: str, shift_id: str | None, person_id: str | None) -> None:
        out.append(Violation(rule, message, shift_id, person_id))

    seen: set[Assignment] = set()
    valid: list[Assignment] = []
    for sid, pid in assignments:
        if sid not in shifts or pid not in people:
            add("unknown", f"班次 {sid} 或人员 {pid} 不存在", sid, pid)
            continue
        if (sid, pid) in seen:
            who = person_label(people[pid])
            add("duplicate", f"{who} 在 {shift_label(problem, shifts[sid])} 重复安排", sid, pid)
            continue
        seen.add((sid, pid))
        valid.append((sid, pid))

    on_shift: dict[str, list[str]] = defaultdict(list)
    for sid, pid in valid:
        on_shift[sid].append(pid)

    # Every shift gets exactly its headcount; the post's cadre minimum.
    for shift in problem.shifts:
        here = on_shift.get(shift.id, [])
        label = shift_label(problem, shift)
        if len(here) != shift.headcount:
            add(
                "headcount",
                f"{label} 需要 {shift.headcount} 人，安排了 {len(here)} 人",
                shift.id,
                None,
            )
        post = posts[shift.post]
        cadres = sum(1 for pid in here if people[pid].is_cadre)
        if post.min_cadres and cadres < post.min_cadres:
            add(
                "min_cadres",
                f"{label} 至少需要 {post.min_cadres} 名干部，安排了 {cadres} 名",
                shift.id,
                None,
            )

    # Per assignment: allocation, availability, category, gender.
    for sid, pid in valid:
        shift, person = shifts[sid], people[pid]
        post = posts[shift.post]
        label, who = shift_label(problem, shift), person_label(person)
        if post.id not in person.allocated_posts:
            add("not_allocated", f"{who} 未分配到岗位 {post.name or post.id}（{label}）", sid, pid)
        if shift.date in person.unavailable_dates:
            add("unavailable_date", f"{who} {date_cn(shift.date)} 不能值班（{label}）", sid, pid)
        if sid in person.unavailable_shifts:
            add("unavailable_shift", f"{who} 不能值 {label} 这个班次", sid, pid)
        if post.category and person.category != post.category:
            need = CATEGORY_CN.get(post.category, post.category)
            add("category", f"{label} 只限{need}，{who} 不是", sid, pid)
        if post.gender and person.gender != post.gender:
            need = GENDER_CN.get(post.gender, post.gender)
            add("gender", f"{label} 只限{need}性，{who} 不符", sid, pid)

    # Per person: overlaps, rest, weekly cap.
    rest = dt.timedelta(hours=problem.rules.rest_hours)
    by_person: dict[str, list[str]] = defaultdict(list)
    for sid, pid in valid:
        by_person[pid].append(sid)
    for pid, sids in by_person.items():
        who = person_label(people[pid])
        timed = sorted(
            (
                dt.datetime.fromisoformat(shifts[s].start),
                dt.datetime.fromisoformat(shifts[s].end),
                s,
            )
            for s in sids
        )
        # Every pair, not just neighbours: a long shift can overlap several later ones.
        for i, (_start_a, end_a, a) in enumerate(timed):
            for start_b, _end_b, b in timed[i + 1 :]:
                if start_b >= end_a + rest:
                    break
                label_a = shift_label(problem, shifts[a])
                label_b = shift_label(problem, shifts[b])
                if start_b < end_a:
                    add("double_booking", f"{who} 同时在 {label_a} 和 {label_b}", b, pid)
                else:
                    gap = (start_b - end_a).total_seconds() / 3600
                    add(
                        "rest",
                        f"{who} 在 {label_a} 与 {label_b} 之间只休息 {gap:g} 小时，"
                        f"少于 {problem.rules.rest_hours:g} 小时",
                        b,
                        pid,
                    )
        person = people[pid]
        cap = person.weekly_cap if person.weekly_cap is not None else problem.rules.weekly_cap
        if cap is not None:
            weeks: Counter[tuple[int, int]] = Counter()
            for s in sids:
                iso = dt.date.fromisoformat(shifts[s].date).isocalendar()
                weeks[(iso[0], iso[1])] += shifts[s].units
            for (year, week), units in sorted(weeks.items()):
                if units > cap:
                    own = "个人" if person.weekly_cap is not None else ""
                    add(
                        "weekly_cap",
                        f"{who} {year}年第{week}周 值班计 {units} 个工作量，"
                        f"超过{own}每周上限 {cap}",
                        None,
                        pid,
                    )

    for sid, pid in problem.rules.pinned:
        if (sid, pid) not in seen and sid in shifts and pid in people:
            add(
                "pinned",
                f"锁定的安排缺失：{person_label(people[pid])} 应在 "
                f"{shift_label(problem, shifts[sid])}",
                sid,
                pid,
            )
    return out
