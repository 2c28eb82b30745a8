"""The roster problem and its results as plain data: the JSON format of docs/roster-format.md.

A `Problem` is what the solver, the checker and the scorer read. The Django side converts its rows
(Post, Phase, SignUp, Allocation, pinned Assignment) into one and reads a `Result` back; the
command line reads and writes the same JSON. Nothing here imports Django.

Ids are strings everywhere (a database pk is written as its decimal text). Dates are
"YYYY-MM-DD"; shift times are ISO local datetimes without a zone ("2020-02-03T18:00").
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)
LEADER_GROUP = "校领导"  # the fairness group version 1 gave the leaders

Category = Literal["staff", "student", "retired"]
Status = Literal["optimal", "feasible", "infeasible", "stopped", "timeout_no_solution"]
Assignment = tuple[str, str]  # (shift id, person id)


class FormatError(ValueError):
    """The problem JSON is malformed: unknown schema version, a missing field, a dangling id."""


@dataclass
class Person:
    id: str
    name: str = ""
    is_cadre: bool = False  # 干部 (副科级以上)
    is_leader: bool = False  # 校领导: takes the 24-hour leader duties; load compared among leaders
    category: str = "staff"  # "staff" | "student" | "retired"
    gender: str = ""  # "male" | "female" | "" (unknown)
    campus: str = ""
    unavailable_dates: list[str] = field(default_factory=list)  # hard: whole days off
    unavailable_shifts: list[str] = field(default_factory=list)  # hard: single shifts (ids)
    wanted_posts: list[str] = field(default_factory=list)  # post ids, first choice first
    avoid_night: bool = False  # soft: rather no night shifts
    unwanted_dates: list[str] = field(default_factory=list)  # soft: would rather not, but can
    allocated_posts: list[str] = field(default_factory=list)  # hard: only these posts take them
    weekly_cap: int | None = None  # hard: own cap in units per ISO week; None = the rule's
    fairness_group: str = ""  # the spread is taken within each group; "" = the common group


@dataclass
class Post:
    id: str
    name: str = ""
    campus: str = ""
    min_cadres: int = 0  # at least this many cadres on every shift of the post
    category: str = ""  # "" = anyone; else every person on the post has this category
    gender: str = ""  # "" = anyone; else every person on the post has this gender
    is_leader_duty: bool = False  # 24-hour leader duty (领导24小时值班)


@dataclass
class Shift:
    id: str
    post: str  # post id
    date: str  # "YYYY-MM-DD": the day the shift belongs to (and is counted in for the week cap)
    slot: str  # display name of the time slot: "00–06", "18–24", "24小时"
    start: str  # ISO local datetime "2020-02-03T18:00"
    end: str  # ISO local datetime; end > start (a night shift may end the next day)
    headcount: int = 1  # exactly this many people
    night: bool = False
    units: int = 1  # what it counts towards the weekly cap and the load (a 24-hour duty: 2)

    @property
    def start_dt(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.start)

    @property
    def end_dt(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.end)


@dataclass
class Rules:
    rest_hours: float = 12  # at least this long between the end of one duty and the next start
    weekly_cap: int | None = None  # at most this many units per person per ISO week; None = no cap
    pinned: list[Assignment] = field(default_factory=list)  # (shift id, person id) kept as they are


@dataclass
class Weights:
    spread: int = 100  # per unit of (most − least loaded)
    preference: int = 1  # per assignment to a post the person did not ask for
    unwanted_day: int = 1  # per assignment on one of the person's unwanted_dates
    night: int = 1  # per night shift of a person who asked to avoid nights


@dataclass
class Problem:
    people: list[Person] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    shifts: list[Shift] = field(default_factory=list)
    rules: Rules = field(default_factory=Rules)
    weights: Weights = field(default_factory=Weights)
    name: str = ""

    # --- JSON -----------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Problem:
        version = d.get("version", SCHEMA_VERSION)
        if version not in READABLE_VERSIONS:
            raise FormatError(f"不支持的格式版本 {version}（支持 1 和 {SCHEMA_VERSION}）")
        try:
            people = [_build(Person, p) for p in d.get("people", [])]
            posts = [_build(Post, p) for p in d.get("posts", [])]
            shifts = [_build(Shift, s) for s in d.get("shifts", [])]
            rules_d = dict(d.get("rules") or {})
            rules_d["pinned"] = [
                (str(pair[0]), str(pair[1])) for pair in rules_d.get("pinned") or []
            ]
            rules = _build(Rules, rules_d)
            weights = _build(Weights, d.get("weights") or {})
        except (TypeError, KeyError, IndexError) as e:
            raise FormatError(f"格式错误：{e}") from e
        if version == 1:
            # version 1: every shift weighs 1, the rule's cap for everyone, the leaders' load
            # compared among themselves
            for s in shifts:
                s.units = 1
            for p in people:
                p.weekly_cap = None
                p.fairness_group = LEADER_GROUP if p.is_leader else ""
        problem = cls(people, posts, shifts, rules, weights, name=str(d.get("name", "")))
        problem.validate()
        return problem

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"version": SCHEMA_VERSION, "name": self.name}
        d["people"] = [asdict(p) for p in self.people]
        d["posts"] = [asdict(p) for p in self.posts]
        d["shifts"] = [asdict(s) for s in self.shifts]
        rules = asdict(self.rules)
        rules["pinned"] = [list(pair) for pair in self.rules.pinned]
        d["rules"] = rules
        d["weights"] = asdict(self.weights)
        return d

    @classmethod
    def load(cls, path: str | Path) -> Problem:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except ValueError as e:
            raise FormatError(f"不是有效的 JSON：{e}") from e
        return cls.from_dict(data)

    def dump(self, path: str | Path) -> None:
        Path(path).write_text(
            json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )

    # --- lookups ----------------------------------------------------------------------------

    def validate(self) -> None:
        """Raise FormatError for duplicate or dangling ids and impossible shift times."""
        for kind, items in (("人员", self.people), ("岗位", self.posts), ("班次", self.shifts)):
            seen: set[str] = set()
            for item in items:
                if item.id in seen:
                    raise FormatError(f"{kind}编号重复：{item.id}")
                seen.add(item.id)
        post_ids = {p.id for p in self.posts}
        shift_ids = {s.id for s in self.shifts}
        person_ids = {p.id for p in self.people}
        for s in self.shifts:
            if s.post not in post_ids:
                raise FormatError(f"班次 {s.id} 的岗位 {s.post} 不存在")
            try:
                dt.date.fromisoformat(s.date)
                start, end = s.start_dt, s.end_dt
            except ValueError as e:
                raise FormatError(f"班次 {s.id} 的日期或时间格式错误：{e}") from e
            if end <= start:
                raise FormatError(f"班次 {s.id} 的结束时间不晚于开始时间")
            if s.headcount < 0:
                raise FormatError(f"班次 {s.id} 的人数不能为负")
            if not isinstance(s.units, int) or isinstance(s.units, bool) or s.units < 1:
                raise FormatError(f"班次 {s.id} 的工作量（units）须为正整数")
        for p in self.people:
            cap = p.weekly_cap
            if cap is not None and (not isinstance(cap, int) or isinstance(cap, bool) or cap < 0):
                raise FormatError(f"人员 {p.id} 的每周上限须为非负整数")
            if not isinstance(p.fairness_group, str):
                raise FormatError(f"人员 {p.id} 的公平分组（fairness_group）须为字符串")
            for post in (*p.allocated_posts, *p.wanted_posts):
                if post not in post_ids:
                    raise FormatError(f"人员 {p.id} 引用的岗位 {post} 不存在")
            for sid in p.unavailable_shifts:
                if sid not in shift_ids:
                    raise FormatError(f"人员 {p.id} 引用的班次 {sid} 不存在")
        for sid, pid in self.rules.pinned:
            if sid not in shift_ids or pid not in person_ids:
                raise FormatError(f"锁定的安排 ({sid}, {pid}) 引用了不存在的班次或人员")

    def person(self, person_id: str) -> Person:
        return self._index()[0][person_id]

    def post(self, post_id: str) -> Post:
        return self._index()[1][post_id]

    def shift(self, shift_id: str) -> Shift:
        return self._index()[2][shift_id]

    def _index(self) -> tuple[dict[str, Person], dict[str, Post], dict[str, Shift]]:
        # Rebuilt when the lists change length; problems are treated as immutable once built.
        key = (len(self.people), len(self.posts), len(self.shifts))
        cached = self.__dict__.get("_idx")
        if cached is None or cached[0] != key:
            cached = (
                key,
                (
                    {p.id: p for p in self.people},
                    {p.id: p for p in self.posts},
                    {s.id: s for s in self.shifts},
                ),
            )
            self.__dict__["_idx"] = cached
        return cached[1]  # type: ignore[no-any-return]


def _build(cls: type, d: dict[str, Any]) -> Any:
    """Build a dataclass from a dict, ignoring unknown keys (forward compatible) and turning ids
    into strings."""
    names = {f.name for f in fields(cls)}
    kwargs = {k: v for k, v in d.items() if k in names}
    if kwargs.get("fairness_group") is None and "fairness_group" in kwargs:
        kwargs["fairness_group"] = ""
    for key in ("id", "post"):
        if key in kwargs:
            kwargs[key] = str(kwargs[key])
    for key in ("allocated_posts", "wanted_posts", "unavailable_shifts"):
        if key in kwargs:
            kwargs[key] = [str(v) for v in kwargs[key]]
    return cls(**kwargs)


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """A report while solving: every improved roster and each phase change."""

    time_s: float
    score: int | None  # best roster's score so far; None before the first roster
    bound: int  # proven lower bound on the score
    gap_pct: float | None  # 100 × (score − bound) / score; None before the first roster
    phase: str  # "greedy", "leaders", "campus 北校区", "done", …

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Result:
    status: Status
    assignments: list[Assignment] = field(default_factory=list)
    score: int | None = None
    bound: int = 0
    gap_pct: float | None = None
    time_s: float = 0.0
    first_solution_s: float | None = None
    reasons: list[str] = field(default_factory=list)  # why no roster, in Chinese
    breakdown: dict[str, int] = field(default_factory=dict)  # see score()

    @property
    def ok(self) -> bool:
        return self.status in ("optimal", "feasible", "stopped") and self.score is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": SCHEMA_VERSION,
            "status": self.status,
            "score": self.score,
            # no bound for a problem that has no roster: it would mean nothing
            "bound": None if self.status == "infeasible" else self.bound,
            "gap_pct": self.gap_pct,
            "time_s": round(self.time_s, 3),
            "first_solution_s": (
                None if self.first_solution_s is None else round(self.first_solution_s, 3)
            ),
            "breakdown": self.breakdown,
            "assignments": [{"shift": s, "person": p} for s, p in self.assignments],
            "reasons": self.reasons,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Result:
        return cls(
            status=d["status"],
            assignments=[(str(a["shift"]), str(a["person"])) for a in d.get("assignments", [])],
            score=d.get("score"),
            bound=d.get("bound") or 0,
            gap_pct=d.get("gap_pct"),
            time_s=d.get("time_s", 0.0),
            first_solution_s=d.get("first_solution_s"),
            reasons=list(d.get("reasons", [])),
            breakdown=dict(d.get("breakdown", {})),
        )


@dataclass(frozen=True)
class Violation:
    rule: str  # headcount, double_booking, unavailable_date, unavailable_shift, rest, weekly_cap,
    # min_cadres, category, gender, not_allocated, pinned, unknown, duplicate
    message: str  # in Chinese, for the person editing the roster
    shift_id: str | None = None
    person_id: str | None = None


ProgressCallback = Callable[[Progress], None]
StopCallback = Callable[[], bool]


def gap_pct(score: int | None, bound: int) -> float | None:
    """100 × (score − bound) / score, 0 when both are 0."""
    if score is None:
        return None
    if score <= bound:
        return 0.0
    return round(100.0 * (score - bound) / score, 2)


# --- display helpers shared by reasons and violations (Chinese) ----------------------------------


def date_cn(date: str) -> str:
    d = dt.date.fromisoformat(date)
    return f"{d.month}月{d.day}日"


def shift_label(problem: Problem, shift: Shift) -> str:
    """ "2月3日 18–24 北门"."""
    post = problem.post(shift.post)
    return f"{date_cn(shift.date)} {shift.slot} {post.name or post.id}"


def person_label(person: Person) -> str:
    return person.name or person.id


CATEGORY_CN = {"staff": "教职工", "student": "学生", "retired": "离退休"}
GENDER_CN = {"male": "男", "female": "女"}
