"""Seeded roster problems for tests, docs and the bench: small, medium, large and "real" (the
seeds' case: about 270 people on the gates of three campuses, four a shift, four shifts a day,
leaders on 24-hour duty at the branch campuses, 720 person-shifts at the gates).

Generated problems are feasible by construction: every post has several times the people its
shifts need, unavailability is sparse, and the leaders' duties leave room for rest.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from lib.roster.problem import LEADER_GROUP, Person, Post, Problem, Rules, Shift, Weights

SLOTS = ((0, "00–06", True), (6, "06–12", False), (12, "12–18", False), (18, "18–24", False))
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
    "于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷"
    "龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建林斌波宇浩"
    "凯健俊帆帅旭宁龙琳雪晨欣婷瑶佳怡"
)


@dataclass(frozen=True)
class Size:
    people: int  # besides the leaders; a multiple of the number of posts
    days: int
    campuses: tuple[str, ...]
    posts_per_campus: int
    headcount: int
    leaders: int  # 0: no leader duties
    cadre_share: float
    weekly_cap: int | None
    start: dt.date
    two_posts_share: float  # people allocated to a second post on their campus


SIZES = {
    "small": Size(30, 7, ("本部",), 2, 2, 0, 0.3, 5, dt.date(2020, 2, 3), 0.3),
    "medium": Size(
        198, 30, ("本部", "北校区", "南校区"), 3, 2, 4, 0.3, 4, dt.date(2020, 2, 3), 0.2
    ),
    "large": Size(
        2000,
        30,
        ("本部", "北校区", "南校区", "东校区"),
        10,
        2,
        8,
        0.3,
        4,
        dt.date(2020, 2, 3),
        0.1,
    ),
}


def generate(size: str, seed: int = 0) -> Problem:
    """`size`: small, medium, large, real, or mixed-small, mixed-medium, mixed-large (the
    second family, below)."""
    if size.startswith("mixed-"):
        return generate_mixed(size.removeprefix("mixed-"), seed)
    if size == "real":
        return _real(seed)
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}: small, medium, large or real")
    return _build(SIZES[size], random.Random(f"{size}-{seed}"), name=f"{size}-{seed}")


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _dates(start: dt.date, days: int) -> list[str]:
    return [(start + dt.timedelta(days=i)).isoformat() for i in range(days)]


def _shifts_for(post: Post, dates: list[str], headcount: int) -> list[Shift]:
    out = []
    for date in dates:
        day = dt.date.fromisoformat(date)
        if post.is_leader_duty:
            start = dt.datetime.combine(day, dt.time(0))
            out.append(
                Shift(
                    id=f"{post.id}@{date}",
                    post=post.id,
                    date=date,
                    slot="24小时",
                    start=start.isoformat(timespec="minutes"),
                    end=(start + dt.timedelta(hours=24)).isoformat(timespec="minutes"),
                    headcount=1,
                    night=False,
                )
            )
            continue
        for hour, slot, night in SLOTS:
            start = dt.datetime.combine(day, dt.time(hour))
            out.append(
                Shift(
                    id=f"{post.id}@{date}T{hour:02d}",
                    post=post.id,
                    date=date,
                    slot=slot,
                    start=start.isoformat(timespec="minutes"),
                    end=(start + dt.timedelta(hours=6)).isoformat(timespec="minutes"),
                    headcount=headcount,
                    night=night,
                )
            )
    return out


def _leaders(
    rng: random.Random, count: int, campuses: tuple[str, ...], dates: list[str]
) -> tuple[list[Post], list[Shift], list[Person]]:
    """One 24-hour leader duty a day at each branch campus (not the main one), rotating."""
    posts = [
        Post(id=f"L{i}", name=f"{campus}领导值班", campus=campus, is_leader_duty=True)
        for i, campus in enumerate(campuses[1:], start=1)
    ]
    shifts = [s for post in posts for s in _shifts_for(post, dates, 1)]
    people = [
        Person(
            id=f"lead{i}",
            name=_name(rng) + "（校领导）",
            is_cadre=True,
            is_leader=True,
            fairness_group=LEADER_GROUP,
            gender=rng.choice(("male", "female")),
            campus=campuses[0],
            allocated_posts=[p.id for p in posts],
            wanted_posts=rng.sample([p.id for p in posts], k=len(posts)),
        )
        for i in range(1, count + 1)
    ]
    return posts, shifts, people


def _build(size: Size, rng: random.Random, name: str) -> Problem:
    dates = _dates(size.start, size.days)
    posts: list[Post] = []
    shifts: list[Shift] = []
    people: list[Person] = []
    if size.leaders:
        posts, shifts, people = _leaders(rng, size.leaders, size.campuses, dates)
    kinds = ("校门", "报到点", "宿舍楼", "食堂", "教学楼")
    per_campus: dict[str, list[Post]] = {}
    for ci, campus in enumerate(size.campuses):
        for k in range(size.posts_per_campus):
            kind = kinds[k % len(kinds)]
            number = k // len(kinds) + 1
            post = Post(
                id=f"P{ci + 1}{k + 1:02d}",
                name=f"{campus}{kind}{number if number > 1 else ''}",
                campus=campus,
                min_cadres=1 if kind == "校门" else 0,
                # one women's dormitory per campus, staffed by students
                category="student" if kind == "宿舍楼" and number == 1 else "",
                gender="female" if kind == "宿舍楼" and number == 1 else "",
            )
            posts.append(post)
            per_campus.setdefault(campus, []).append(post)
            shifts += _shifts_for(post, dates, size.headcount)
    # People per post in proportion to demand (all posts need the same here).
    regular = size.people  # the same number on every post: size.people is a multiple of posts
    # The same number of people on each campus (and posts alike within it), so that every
    # campus has the same average load and the band can be one wide.
    order = [
        per_campus[size.campuses[c]][k]
        for k in range(size.posts_per_campus)
        for c in range(len(size.campuses))
    ]
    for i in range(regular):
        post = order[i % len(order)]
        campus_posts = per_campus[post.campus]
        # cadres go mostly to the posts that need one on every shift: over half of their people
        k = i // len(order)
        per_post = regular // len(order)
        is_cadre = k < 0.55 * per_post if post.min_cadres else rng.random() < 0.5 * size.cadre_share
        category = (
            "student"
            if post.category == "student"
            else rng.choice(("staff", "staff", "student", "retired"))
        )
        gender = post.gender or rng.choice(("male", "female"))
        allocated = [post.id]
        if rng.random() < size.two_posts_share and len(campus_posts) > 1:
            other = rng.choice([p for p in campus_posts if p.id != post.id])
            if (not other.category or other.category == category) and (
                not other.gender or other.gender == gender
            ):
                allocated.append(other.id)
        roll = rng.random()
        if roll < 0.7:  # the posts they were given, in their own order (maybe not all)
            wanted = rng.sample(allocated, k=rng.randint(1, len(allocated)))
        elif roll < 0.85:  # first choice elsewhere, then the one they were given
            wanted = list(dict.fromkeys([rng.choice(campus_posts).id, post.id]))
        else:
            wanted = []
        off = rng.sample(dates, k=min(len(dates) - 1, rng.choice((0, 0, 1, 2, 3))))
        unwanted = rng.sample(dates, k=rng.choice((0, 0, 1, 2)))
        mine = [s for s in shifts if s.post in allocated and s.date not in off]
        off_shifts = [s.id for s in rng.sample(mine, k=min(len(mine), rng.choice((0, 0, 1, 2))))]
        people.append(
            Person(
                id=f"m{i + 1}",
                name=_name(rng),
                is_cadre=is_cadre,
                category=category,
                gender=gender,
                campus=post.campus,
                unavailable_dates=sorted(off),
                unavailable_shifts=off_shifts,
                wanted_posts=wanted,
                avoid_night=rng.random() < 0.3,
                unwanted_dates=sorted(d for d in unwanted if d not in off),
                allocated_posts=allocated,
            )
        )
    return Problem(
        people=people,
        posts=posts,
        shifts=shifts,
        rules=Rules(rest_hours=12, weekly_cap=size.weekly_cap),
        weights=Weights(),
        name=name,
    )


def _real(seed: int) -> Problem:
    """The seeds' case (003): 195 members and 78 cadres (4 of them the leaders on 24-hour duty
    at the two branch campuses), one gate per campus, four a shift with at least one cadre,
    four shifts a day, 15 days from 9月17日: 3 × 4 × 4 × 15 = 720 person-shifts."""
    rng = random.Random(f"real-{seed}")
    campuses = ("本部", "北校区", "南校区")
    dates = _dates(dt.date(2020, 9, 17), 15)
    posts, shifts, people = _leaders(rng, 4, campuses, dates)
    gates = [
        Post(id=f"G{i + 1}", name=f"{campus}校门", campus=campus, min_cadres=1)
        for i, campus in enumerate(campuses)
    ]
    posts += gates
    for gate in gates:
        shifts += _shifts_for(gate, dates, 4)
    cadres = 78 - 4
    for i in range(195 + cadres):
        gate = gates[i % 3]
        is_cadre = i < cadres
        off = rng.sample(dates, k=rng.choice((0, 0, 1, 2)))
        people.append(
            Person(
                id=("c" if is_cadre else "m") + str(i + 1),
                name=_name(rng),
                is_cadre=is_cadre,
                category="staff" if is_cadre else rng.choice(("staff", "student")),
                gender=rng.choice(("male", "female")),
                campus=gate.campus,
                unavailable_dates=sorted(off),
                wanted_posts=[gate.id],
                avoid_night=rng.random() < 0.3,
                allocated_posts=[gate.id],
            )
        )
    return Problem(
        people=people,
        posts=posts,
        shifts=shifts,
        rules=Rules(rest_hours=12, weekly_cap=4),
        weights=Weights(),
        name=f"real-{seed}",
    )


# --- the `mixed` family ----------------------------------------------------------------------
# Not the shape above: leaders who also stand at the gates, people allocated to posts on two
# campuses, 8-, 12- and 24-hour shifts that overlap (the 24-hour duty weighs 2 units),
# part-time availability (weekends only, or a run of days away) and personal weekly caps.
# People are allocated in proportion to each post's demand; unlike the family above, a rare
# draw (about one seed in a few thousand at small size) cannot be staffed, and is refused
# with its reasons.

GATE_SLOTS = ((0, 8, "00–08", True), (8, 16, "08–16", False), (16, 24, "16–24", False))
DORM_SLOTS = ((8, 20, "08–20", False), (20, 32, "20–08", True))


@dataclass(frozen=True)
class MixedSize:
    campuses: tuple[str, ...]
    gates: int  # per campus, three 8-hour shifts a day, 2 a shift, at least 1 cadre
    dorms: int  # per campus, two 12-hour shifts a day, 1 a shift
    people: int  # besides the leaders
    leaders: int
    days: int


MIXED_SIZES = {
    "small": MixedSize(("本部", "北校区"), 1, 1, 60, 6, 7),
    "medium": MixedSize(("本部", "北校区", "南校区"), 2, 1, 150, 7, 30),
    "large": MixedSize(("本部", "北校区", "南校区", "东校区"), 7, 3, 1300, 11, 30),
}


def generate_mixed(size: str, seed: int = 0) -> Problem:
    if size not in MIXED_SIZES:
        raise ValueError(f"unknown size {size!r}: small, medium or large")
    spec = MIXED_SIZES[size]
    rng = random.Random(f"mixed-{size}-{seed}")
    dates = _dates(dt.date(2020, 2, 3), spec.days)
    posts: list[Post] = []
    shifts: list[Shift] = []

    def add_shifts(post: Post, slots: tuple[tuple[int, int, str, bool], ...], n: int) -> None:
        for date in dates:
            day = dt.datetime.combine(dt.date.fromisoformat(date), dt.time(0))
            for a, b, slot, night in slots:
                shifts.append(
                    Shift(
                        id=f"{post.id}@{date}T{a:02d}",
                        post=post.id,
                        date=date,
                        slot=slot,
                        start=(day + dt.timedelta(hours=a)).isoformat(timespec="minutes"),
                        end=(day + dt.timedelta(hours=b)).isoformat(timespec="minutes"),
                        headcount=n,
                        night=night,
                        units=2 if b - a >= 24 else 1,
                    )
                )

    gates: dict[str, list[Post]] = {}
    dorms: dict[str, list[Post]] = {}
    duty: dict[str, Post] = {}
    for ci, campus in enumerate(spec.campuses):
        if ci:  # the branch campuses have a leader on 24-hour duty, 09:00 to 09:00
            duty[campus] = Post(f"L{ci + 1}", f"{campus}领导值班", campus, is_leader_duty=True)
            posts.append(duty[campus])
            add_shifts(duty[campus], ((9, 33, "24小时", False),), 1)
        for k in range(spec.gates):
            post = Post(f"G{ci + 1}{k + 1:02d}", f"{campus}校门{k + 1}", campus, min_cadres=1)
            gates.setdefault(campus, []).append(post)
            posts.append(post)
            add_shifts(post, GATE_SLOTS, 2)
        for k in range(spec.dorms):
            post = Post(f"D{ci + 1}{k + 1:02d}", f"{campus}宿舍楼{k + 1}", campus)
            dorms.setdefault(campus, []).append(post)
            posts.append(post)
            add_shifts(post, DORM_SLOTS, 1)
    people: list[Person] = []
    campuses = list(spec.campuses)
    for i in range(spec.leaders):
        home = campuses[i % len(campuses)]
        people.append(
            Person(
                id=f"lead{i + 1}",
                name=_name(rng) + "（校领导）",
                is_cadre=True,
                is_leader=True,
                fairness_group=LEADER_GROUP,
                gender=rng.choice(("male", "female")),
                campus=home,
                # every campus's duty, and the gates of their own campus
                allocated_posts=[post.id for post in duty.values()] + [p.id for p in gates[home]],
                wanted_posts=[duty[home].id] if home in duty else [],
                unwanted_dates=rng.sample(dates, k=rng.choice((0, 1))),
                weekly_cap=rng.choice((None, None, 4)),
            )
        )
    ordinary = [p for c in campuses for p in (*gates[c], *dorms[c])]
    demand = {p.id: 0 for p in ordinary}
    for s in shifts:
        if s.post in demand:
            demand[s.post] += s.headcount * s.units
    staffed = dict.fromkeys(demand, 0)
    for i in range(spec.people):
        # people in proportion to each post's demand (the leaders help at the gates)
        post = max(ordinary, key=lambda p: demand[p.id] / (staffed[p.id] + 1))
        staffed[post.id] += 1
        allocated = [post.id]
        if rng.random() < 0.25:  # a second post, often on another campus
            allocated.append(rng.choice([p for p in ordinary if p.id != post.id]).id)
        roll = rng.random()
        off: list[str] = []
        if roll < 0.15:  # part-time: weekends only
            off = [d for d in dates if dt.date.fromisoformat(d).weekday() < 5]
        elif roll < 0.3:  # away for a run of days
            first = rng.randrange(len(dates))
            off = dates[first : first + rng.randint(3, 8)]
        elif roll < 0.6:
            off = rng.sample(dates, k=rng.choice((1, 2)))
        mine = [s for s in shifts if s.post in allocated and s.date not in off]
        people.append(
            Person(
                id=f"m{i + 1}",
                name=_name(rng),
                is_cadre=rng.random() < (0.6 if post.min_cadres else 0.2),
                category=rng.choice(("staff", "staff", "student", "retired")),
                gender=rng.choice(("male", "female")),
                campus=post.campus,
                unavailable_dates=sorted(off),
                unavailable_shifts=[s.id for s in rng.sample(mine, k=min(len(mine), 2))],
                wanted_posts=rng.sample(allocated, k=rng.randint(0, len(allocated))),
                avoid_night=rng.random() < 0.3,
                unwanted_dates=sorted(d for d in rng.sample(dates, k=2) if d not in off),
                allocated_posts=allocated,
                weekly_cap=rng.choice((None, None, None, None, 3, 4)),
            )
        )
    return Problem(
        people=people,
        posts=posts,
        shifts=shifts,
        rules=Rules(rest_hours=12, weekly_cap=6),
        weights=Weights(),
        name=f"mixed-{size}-{seed}",
    )
