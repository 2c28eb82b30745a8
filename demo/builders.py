"""Builds a whole university for the demo and the benchmarks: campuses, the org tree, members
and a little history, from one seed so two runs give the same people.

The tree is written with bulk_create and materialised paths computed here (treebeard's
layout: steplen 4, alphabet 0-9A-Z, depth and numchild kept right), so 700 orgs cost a few
queries. Nothing here goes through the services: it is seed data, not a user's action.
"""

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from faker import Faker

from members.models import (
    CadreRank,
    Category,
    Gender,
    Member,
    PoliticalStatus,
    StatusChange,
    Transfer,
    Whereabouts,
    WhereaboutsChange,
)
from orgs.models import Campus, Org, OrgKind

# The day the generated data describes: early in the 2020 epidemic.
REFERENCE_DATE = dt.date(2020, 3, 1)

CAMPUSES: list[tuple[str, str]] = [
    ("主校区", "学府路 1 号"),
    ("东校区", "东湖大道 88 号"),
    ("南校区", "南山路 16 号"),
    ("西校区", "西园街 9 号"),
    ("北校区", "北辰路 200 号"),
]

# --- GB 11643 ID numbers and phone numbers -----------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
# Real county-level area codes: 北京东城, 上海徐汇, 武汉武昌, 成都武侯, 广州天河, 南京玄武,
# 杭州西湖, 西安雁塔, 长沙岳麓, 济南历下, 郑州金水, 合肥蜀山, 福州鼓楼, 沈阳和平, 重庆渝中.
AREA_CODES = (
    "110101",
    "310104",
    "420106",
    "510107",
    "440106",
    "320102",
    "330106",
    "610113",
    "430104",
    "370102",
    "410105",
    "340104",
    "350102",
    "210102",
    "500103",
)
PHONE_PREFIXES = tuple(
    str(n)
    for n in (*range(130, 140), *range(150, 160), 166, *range(170, 179), *range(180, 192), 198, 199)
    if n not in (154, 172, 174, 190)
)


def id_check_digit(first17: str) -> str:
    """The GB 11643-1999 check character for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("an ID number has 17 digits before its check character")
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def id_number_is_valid(value: str) -> bool:
    return (
        len(value) == 18
        and value[:17].isdigit()
        and value[17] in ID_CHECK_CHARS
        and id_check_digit(value[:17]) == value[17]
    )


def make_id_number(rng: random.Random, *, birth: dt.date, male: bool) -> str:
    """An 18-digit ID number: area, birth date, a sequence whose parity is the sex, check."""
    seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
    first17 = f"{rng.choice(AREA_CODES)}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


def make_phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


# --- the catalogue of units ----------------------------------------------------------------


@dataclass(frozen=True)
class UnitSpec:
    name: str
    short: str
    code: str
    style: str  # college | office | logistics | library | retired
    majors: tuple[tuple[str, str], ...] = ()

    @property
    def kind(self) -> str:
        return OrgKind.UNIT_COMMITTEE if self.name.endswith("党委") else OrgKind.GENERAL_BRANCH


def _college(name: str, short: str, code: str, *majors: str) -> UnitSpec:
    pairs = tuple((m.split("/")[0], m.split("/")[1]) for m in majors)
    return UnitSpec(f"{name}党委", short, code, "college", pairs)


COLLEGES: list[UnitSpec] = [
    _college(
        "计算机与信息学院",
        "计算机",
        "jsj",
        "计算机科学与技术/计科",
        "软件工程/软工",
        "信息安全/信安",
    ),
    _college("机械工程学院", "机械", "jx", "机械设计制造及其自动化/机制", "车辆工程/车辆"),
    _college("经济管理学院", "经管", "jg", "会计学/会计", "工商管理/工商", "金融学/金融"),
    _college("马克思主义学院", "马院", "my", "思想政治教育/思政", "马克思主义理论/马理"),
    _college("外国语学院", "外语", "wy", "英语/英语", "日语/日语", "翻译/翻译"),
    _college("电气工程学院", "电气", "dq", "电气工程及其自动化/电气", "自动化/自动化"),
    _college("土木工程学院", "土木", "tm", "土木工程/土木", "工程管理/工管"),
    _college("化学化工学院", "化学", "hx", "化学/化学", "化学工程与工艺/化工"),
    _college("材料科学与工程学院", "材料", "cl", "材料科学与工程/材料", "高分子材料/高分子"),
    _college("文学院", "文学", "wx", "汉语言文学/汉语言", "秘书学/秘书"),
    _college("法学院", "法学", "fx", "法学/法学", "知识产权/知产"),
    _college("数学与统计学院", "数统", "sx", "数学与应用数学/数学", "统计学/统计"),
    _college("物理与电子工程学院", "物电", "wd", "物理学/物理", "电子信息工程/电信"),
    _college("生命科学学院", "生科", "sk", "生物科学/生科", "生物技术/生技"),
    _college("医学院", "医学", "yx", "临床医学/临床", "基础医学/基医"),
    _college("药学院", "药学", "yao", "药学/药学", "中药学/中药"),
    _college("公共卫生学院", "公卫", "gw", "预防医学/预防", "卫生检验与检疫/卫检"),
    _college("护理学院", "护理", "hl", "护理学/护理", "助产学/助产"),
    _college("建筑与城市规划学院", "建规", "jz", "建筑学/建筑", "城乡规划/规划"),
    _college("环境科学与工程学院", "环境", "hj", "环境工程/环工", "环境科学/环科"),
    _college("新闻与传播学院", "新传", "xc", "新闻学/新闻", "广告学/广告"),
    _college("艺术学院", "艺术", "ys", "视觉传达设计/视传", "环境设计/环设"),
    _college("音乐学院", "音乐", "yy", "音乐学/音乐", "音乐表演/音表"),
    _college("体育学院", "体育", "ty", "体育教育/体教", "运动训练/运训"),
    _college("教育学院", "教育", "jy", "教育学/教育", "学前教育/学前"),
    _college("历史文化学院", "历史", "ls", "历史学/历史", "文物与博物馆学/文博"),
    _college("哲学院", "哲学", "zx", "哲学/哲学", "宗教学/宗教"),
    _college("公共管理学院", "公管", "gg", "行政管理/行管", "劳动与社会保障/劳保"),
    _college("交通运输学院", "交通", "jt", "交通运输/交运", "物流工程/物流"),
    _college("能源与动力工程学院", "能动", "nd", "能源与动力工程/能动", "新能源科学与工程/新能"),
    _college("航空航天学院", "航空", "hk", "飞行器设计与工程/飞设", "航空航天工程/航航"),
    _college("软件学院", "软件", "rj", "软件工程/软件", "数字媒体技术/数媒"),
    _college("国际教育学院", "国教", "gj", "汉语国际教育/汉教", "国际经济与贸易/国贸"),
    _college("继续教育学院", "继教", "jj", "行政管理/行管", "会计学/会计"),
    _college("农学院", "农学", "nx", "农学/农学", "园艺/园艺"),
    _college("资源与环境学院", "资环", "zh", "地理信息科学/地信", "资源环境科学/资环"),
]
OFFICE = UnitSpec("机关党委", "机关", "jgdw", "office")
LOGISTICS = UnitSpec("后勤党总支", "后勤", "hq", "logistics")
RETIRED = UnitSpec("离退休党总支", "离退休", "ltx", "retired")
LIBRARY = UnitSpec("图书馆党总支", "图书馆", "tsg", "library")

OFFICE_DEPARTMENTS = (
    "党委办公室",
    "组织部",
    "宣传部",
    "统战部",
    "学生工作部",
    "教务处",
    "人事处",
    "科研处",
    "财务处",
    "国有资产管理处",
    "保卫处",
    "校长办公室",
)
LOGISTICS_TEAMS = ("饮食服务中心", "物业服务中心", "校医院", "动力保障中心", "公寓管理中心")
DORM_GARDENS = ("桃园", "李园", "梅园", "兰园", "竹园", "菊园", "松园", "柏园")
CN_DIGITS = "零一二三四五六七八九"


def cn_ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (enough for branch names)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CN_DIGITS[tens]
    return f"{head}十{CN_DIGITS[ones] if ones else ''}"


def unit_specs(count: int) -> list[UnitSpec]:
    """`count` units: colleges first, then 机关党委, 后勤, 离退休 (and 图书馆 for large ones)."""
    specials = [OFFICE, LOGISTICS, RETIRED, LIBRARY][: 4 if count >= 20 else 3 if count >= 5 else 1]
    colleges = list(COLLEGES)
    extra = 1
    while len(colleges) < count - len(specials):
        colleges.append(
            _college(f"第{cn_ordinal(extra)}学院", f"{extra}院", f"x{extra}", "通识/通识")
        )
        extra += 1
    return colleges[: count - len(specials)] + specials


# --- branches ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BranchPlan:
    name: str
    category: str  # Category value of the branch's members
    graduate: bool = False


def branch_plans(spec: UnitSpec, count: int) -> list[BranchPlan]:
    """Names and member categories of a unit's `count` branches."""
    plans: list[BranchPlan] = []
    if spec.style == "college":
        staff = max(1, round(count * 0.4))
        for i in range(1, staff + 1):
            plans.append(BranchPlan(f"{spec.short}教工第{cn_ordinal(i)}党支部", Category.STAFF))
        students = count - staff
        grads = students // 3
        for i in range(1, students - grads + 1):
            plans.append(BranchPlan(f"{spec.short}本科生第{cn_ordinal(i)}党支部", Category.STUDENT))
        for i in range(1, grads + 1):
            plans.append(
                BranchPlan(f"{spec.short}研究生第{cn_ordinal(i)}党支部", Category.STUDENT, True)
            )
    elif spec.style in ("office", "logistics"):
        names = OFFICE_DEPARTMENTS if spec.style == "office" else LOGISTICS_TEAMS
        for i in range(count):
            base = names[i % len(names)]
            suffix = "" if i < len(names) else f"第{cn_ordinal(i // len(names) + 1)}"
            plans.append(BranchPlan(f"{base}{suffix}党支部", Category.STAFF))
    else:
        category = Category.RETIRED if spec.style == "retired" else Category.STAFF
        for i in range(1, count + 1):
            plans.append(BranchPlan(f"{spec.short}第{cn_ordinal(i)}党支部", category))
    return plans


def spread(total: int, parts: int) -> list[int]:
    """`total` split into `parts` near-equal whole numbers."""
    base, rest = divmod(total, parts)
    return [base + (1 if i < rest else 0) for i in range(parts)]


# --- materialised paths --------------------------------------------------------------------


def path_step(n: int) -> str:
    """Treebeard's step for the n-th child (1-based): base 36, zero-padded to steplen."""
    alphabet, steplen = Org.alphabet, Org.steplen
    digits = ""
    while True:
        n, rem = divmod(n, len(alphabet))
        digits = alphabet[rem] + digits
        if n == 0:
            break
    return digits.rjust(steplen, alphabet[0])


# --- members -------------------------------------------------------------------------------

STATUS_WEIGHTS: dict[str, list[tuple[str, int]]] = {
    Category.STUDENT: [
        (PoliticalStatus.FULL, 46),
        (PoliticalStatus.PROBATIONARY, 20),
        (PoliticalStatus.DEVELOPMENT_TARGET, 11),
        (PoliticalStatus.ACTIVIST, 18),
        (PoliticalStatus.MASSES, 5),
    ],
    Category.STAFF: [
        (PoliticalStatus.FULL, 90),
        (PoliticalStatus.PROBATIONARY, 4),
        (PoliticalStatus.DEVELOPMENT_TARGET, 2),
        (PoliticalStatus.ACTIVIST, 2),
        (PoliticalStatus.MASSES, 2),
    ],
    Category.RETIRED: [(PoliticalStatus.FULL, 98), (PoliticalStatus.PROBATIONARY, 2)],
}
WHEREABOUTS_WEIGHTS: dict[str, list[tuple[str, int]]] = {
    Category.STUDENT: [
        (Whereabouts.ON_CAMPUS, 70),
        (Whereabouts.HOME, 20),
        (Whereabouts.STRANDED, 6),
        (Whereabouts.QUARANTINED, 4),
    ],
    Category.STAFF: [
        (Whereabouts.ON_CAMPUS, 86),
        (Whereabouts.HOME, 7),
        (Whereabouts.STRANDED, 4),
        (Whereabouts.QUARANTINED, 3),
    ],
    Category.RETIRED: [
        (Whereabouts.ON_CAMPUS, 85),
        (Whereabouts.HOME, 12),
        (Whereabouts.STRANDED, 2),
        (Whereabouts.QUARANTINED, 1),
    ],
}
CADRE_WEIGHTS = [
    (CadreRank.SECTION_DEPUTY, 34),
    (CadreRank.SECTION, 30),
    (CadreRank.DIVISION_DEPUTY, 20),
    (CadreRank.DIVISION, 14),
    (CadreRank.BUREAU, 2),
]
CADRE_SHARE: dict[str, float] = {
    Category.STAFF: 0.13,
    Category.RETIRED: 0.08,
    Category.STUDENT: 0.0,
}


def _pick(rng: random.Random, weighted: Sequence[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days)))


@dataclass(frozen=True)
class BranchSlot:
    """Where generated members go: a branch with what the generator needs to know of it."""

    branch_id: int | None
    unit: UnitSpec
    plan: BranchPlan
    unit_index: int
    campus_id: int | None = None
    campus_name: str = ""
    branch_name: str = ""
    unit_name: str = ""


class MemberGenerator:
    """Deterministic member records: Faker('zh_CN') names and one random.Random stream."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)

    def person_name(self, male: bool) -> str:
        """Surname and a given name of the right sex; many given names get a second
        character, as most Chinese given names have two."""
        pick = self.fake.first_name_male if male else self.fake.first_name_female
        given = pick()
        if len(given) == 1 and self.rng.random() < 0.5:
            second = pick()
            given += second[0] if second[0] != given else ""
        return f"{self.fake.last_name()}{given}"

    def fields(self, slot: BranchSlot, seq: int) -> dict[str, Any]:
        """Model field values of one member (branch and campus as ids)."""
        rng, plan = self.rng, slot.plan
        category = plan.category
        male = rng.random() < (0.55 if category != Category.STUDENT else 0.5)
        if category == Category.STUDENT:
            grade = (
                rng.choice((2016, 2017, 2018, 2019))
                if not plan.graduate
                else rng.choice((2017, 2018, 2019))
            )
            age_at_entry = 18 if not plan.graduate else 22
            birth = _date_between(
                rng,
                dt.date(grade - age_at_entry - 1, 9, 1),
                dt.date(grade - age_at_entry, 8, 31),
            )
            number = f"{grade}{slot.unit_index % 100:02d}{seq:06d}"
        elif category == Category.STAFF:
            birth = _date_between(rng, dt.date(1960, 1, 1), dt.date(1994, 12, 31))
            hired = min(max(birth.year + rng.randint(23, 30), 1985), 2019)
            number = f"{hired}{seq:06d}"
        else:
            birth = _date_between(rng, dt.date(1935, 1, 1), dt.date(1959, 12, 31))
            number = f"{min(birth.year + 25, 1990)}{seq:06d}"

        status, joined_on, status_since = self._status_dates(
            _pick(rng, STATUS_WEIGHTS[category]), birth
        )
        whereabouts = _pick(rng, WHEREABOUTS_WEIGHTS[category])
        since = (
            None
            if whereabouts == Whereabouts.ON_CAMPUS
            else _date_between(rng, dt.date(2020, 1, 15), dt.date(2020, 2, 28))
        )
        cadre = (
            _pick(rng, CADRE_WEIGHTS) if rng.random() < CADRE_SHARE[category] else CadreRank.NONE
        )
        values: dict[str, Any] = {
            "number": number,
            "name": self.person_name(male),
            "gender": Gender.MALE if male else Gender.FEMALE,
            "id_number": make_id_number(rng, birth=birth, male=male) if rng.random() < 0.75 else "",
            "category": category,
            "political_status": status,
            "status_since": status_since,
            "joined_on": joined_on,
            "branch_id": slot.branch_id,
            "cadre_rank": cadre,
            "campus_id": slot.campus_id,
            "phone": make_phone(rng) if rng.random() < 0.95 else "",
            "class_name": "",
            "major": "",
            "dorm_building": "",
            "dorm_room": "",
            "whereabouts": whereabouts,
            "whereabouts_since": since,
        }
        if category == Category.STUDENT:
            majors = slot.unit.majors or (("通识", "通识"),)
            major, major_short = majors[rng.randrange(len(majors))]
            level = "研" if plan.graduate else ""
            values["major"] = major
            values["class_name"] = f"{major_short}{level}{grade % 100:02d}{rng.randint(1, 4):02d}班"
            values["dorm_building"] = f"{rng.choice(DORM_GARDENS)}{rng.randint(1, 12)}号楼"
            values["dorm_room"] = f"{rng.randint(1, 6)}{rng.randint(1, 30):02d}"
        return values

    def _status_dates(
        self, status: str, birth: dt.date
    ) -> tuple[str, dt.date | None, dt.date | None]:
        """(status, 入党日期, 政治面貌起始日期), consistent with the age: nobody joins before 18,
        and a status the person is too young for falls back to the one before it."""
        rng = self.rng
        adult = dt.date(birth.year + 18, birth.month, min(birth.day, 28))
        last_year = REFERENCE_DATE - dt.timedelta(days=365)
        if status == PoliticalStatus.FULL:
            latest = min(REFERENCE_DATE - dt.timedelta(days=400), dt.date(birth.year + 40, 1, 1))
            if adult < latest:
                joined = _date_between(rng, adult, latest)
                return status, joined, joined + dt.timedelta(days=365)
            status = PoliticalStatus.PROBATIONARY
        if status == PoliticalStatus.PROBATIONARY:
            start, end = max(last_year, adult), REFERENCE_DATE - dt.timedelta(days=20)
            if start < end:
                joined = _date_between(rng, start, end)
                return status, joined, joined
            status = PoliticalStatus.ACTIVIST
        if status == PoliticalStatus.DEVELOPMENT_TARGET:
            since = _date_between(rng, last_year, REFERENCE_DATE - dt.timedelta(days=10))
            return status, None, since
        if status == PoliticalStatus.ACTIVIST:
            start = max(REFERENCE_DATE - dt.timedelta(days=730), adult)
            return status, None, _date_between(rng, start, REFERENCE_DATE - dt.timedelta(days=30))
        return status, None, None

    def rows(
        self, slots: Sequence[BranchSlot], total: int, *, start: int
    ) -> Iterator[dict[str, Any]]:
        """`total` members spread over `slots` (student branches larger), numbered from `start`."""
        weights = [
            (1.6 if s.plan.category == Category.STUDENT else 1.0) * self.rng.uniform(0.7, 1.3)
            for s in slots
        ]
        counts = _allocate(total, weights)
        seq = start
        for slot, count in zip(slots, counts, strict=True):
            for _ in range(count):
                yield self.fields(slot, seq)
                seq += 1


def _allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Whole numbers proportional to `weights` that sum to `total` (largest remainder), at
    least one each when there are enough to go round."""
    floor = 1 if total >= len(weights) else 0
    rest = total - floor * len(weights)
    scale = sum(weights)
    exact = [rest * w / scale for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in order[: rest - sum(counts)]:
        counts[i] += 1
    return [c + floor for c in counts]


# --- the university ------------------------------------------------------------------------


@dataclass
class University:
    school: Org
    campuses: list[Campus]
    units: list[Org]
    branches: list[Org]
    groups: list[Org]
    members: list[Member]
    slots: list[BranchSlot] = field(default_factory=list)

    def unit(self, name: str) -> Org:
        return next(u for u in self.units if u.name == name)

    def branches_of(self, unit: Org) -> list[Org]:
        return [b for b in self.branches if b.path.startswith(unit.path)]


def build_university(
    *,
    name: str = "示范大学党委",
    campuses: int = 3,
    units: int = 8,
    branches: int = 40,
    members: int = 600,
    seed: int = 2020,
    number_start: int = 1,
    history: bool = True,
) -> University:
    """Create a whole university. Run inside a transaction; the root must not exist yet."""
    rng = random.Random(seed)
    gen = MemberGenerator(seed)
    campus_objs = [
        Campus.objects.get_or_create(name=n, defaults={"address": a})[0]
        for n, a in CAMPUSES[:campuses]
    ]
    school = Org.objects.add_root(
        instance=Org(
            name=name,
            short_name=name.removesuffix("党委"),
            kind=OrgKind.SCHOOL_COMMITTEE,
            campus=campus_objs[0],
            secretary=gen.person_name(True),
            organiser=gen.person_name(False),
            email="zzb@example.edu.cn",
        )
    )
    specs = unit_specs(units)
    per_unit = spread(branches, len(specs))
    unit_objs: list[Org] = []
    plans_by_unit: list[list[BranchPlan]] = []
    for i, (spec, n_branches) in enumerate(zip(specs, per_unit, strict=True), start=1):
        plans = branch_plans(spec, n_branches)
        plans_by_unit.append(plans)
        unit_objs.append(
            Org(
                name=spec.name,
                short_name=spec.short,
                kind=spec.kind,
                campus=campus_objs[0] if spec.style == "retired" else campus_objs[i % campuses],
                secretary=gen.person_name(rng.random() < 0.6),
                organiser=gen.person_name(rng.random() < 0.4),
                email=f"{spec.code}@example.edu.cn",
                path=school.path + path_step(i),
                depth=2,
                numchild=len(plans),
            )
        )
    Org.objects.bulk_create(unit_objs)

    branch_objs: list[Org] = []
    group_counts: list[int] = []
    slot_specs: list[tuple[UnitSpec, BranchPlan, int]] = []
    for u_index, (unit, spec, plans) in enumerate(
        zip(unit_objs, specs, plans_by_unit, strict=True), start=1
    ):
        for b_index, plan in enumerate(plans, start=1):
            n_groups = rng.choice((2, 3)) if rng.random() < 0.25 else 0
            group_counts.append(n_groups)
            slot_specs.append((spec, plan, u_index))
            branch_objs.append(
                Org(
                    name=plan.name,
                    kind=OrgKind.BRANCH,
                    campus=unit.campus,
                    secretary=gen.person_name(rng.random() < 0.5),
                    path=unit.path + path_step(b_index),
                    depth=3,
                    numchild=n_groups,
                )
            )
    Org.objects.bulk_create(branch_objs, batch_size=1000)

    group_objs = [
        Org(
            name=f"第{cn_ordinal(g)}党小组",
            kind=OrgKind.GROUP,
            campus=branch.campus,
            path=branch.path + path_step(g),
            depth=4,
        )
        for branch, n_groups in zip(branch_objs, group_counts, strict=True)
        for g in range(1, n_groups + 1)
    ]
    Org.objects.bulk_create(group_objs, batch_size=1000)
    Org.objects.filter(pk=school.pk).update(numchild=len(unit_objs))
    school.numchild = len(unit_objs)

    unit_names = {u.path: u.name for u in unit_objs}
    campus_names = {c.pk: c.name for c in campus_objs}
    slots = [
        BranchSlot(
            branch_id=b.pk,
            unit=spec,
            plan=plan,
            unit_index=u_index,
            campus_id=b.campus_id,
            campus_name=campus_names.get(b.campus_id or 0, ""),
            branch_name=b.name,
            unit_name=unit_names[b.path[: 2 * Org.steplen]],
        )
        for b, (spec, plan, u_index) in zip(branch_objs, slot_specs, strict=True)
    ]
    member_objs = [Member(**values) for values in gen.rows(slots, members, start=number_start)]
    Member.objects.bulk_create(member_objs, batch_size=2000)
    if history:
        _build_history(rng, member_objs, branch_objs)
    return University(
        school=school,
        campuses=campus_objs,
        units=unit_objs,
        branches=branch_objs,
        groups=group_objs,
        members=member_objs,
        slots=slots,
    )


def _build_history(rng: random.Random, members: list[Member], branches: list[Org]) -> None:
    """A little history: 转正 for recent full members, every away member's move, transfers."""
    status_rows = [
        StatusChange(
            member=m,
            from_status=PoliticalStatus.PROBATIONARY,
            to_status=PoliticalStatus.FULL,
            changed_on=m.status_since,
            note="预备期满，按期转为正式党员",
        )
        for m in members
        if m.political_status == PoliticalStatus.FULL
        and m.status_since
        and m.status_since >= dt.date(2018, 1, 1)
    ]
    status_rows += [
        StatusChange(
            member=m,
            from_status=PoliticalStatus.DEVELOPMENT_TARGET,
            to_status=PoliticalStatus.PROBATIONARY,
            changed_on=m.status_since,
            note="支部党员大会讨论通过，接收为预备党员",
        )
        for m in members
        if m.political_status == PoliticalStatus.PROBATIONARY and m.status_since
    ]
    StatusChange.objects.bulk_create(status_rows, batch_size=2000)

    places: dict[str, tuple[str, ...]] = {
        Whereabouts.HOME: ("湖北黄冈", "河南信阳", "湖南岳阳", "安徽安庆", "江西九江"),
        Whereabouts.STRANDED: ("湖北武汉", "湖北孝感", "浙江温州", "广东深圳"),
        Whereabouts.QUARANTINED: ("校内隔离观察点", "居住地集中隔离点"),
    }
    WhereaboutsChange.objects.bulk_create(
        [
            WhereaboutsChange(
                member=m,
                from_whereabouts=Whereabouts.ON_CAMPUS,
                to_whereabouts=m.whereabouts,
                changed_on=m.whereabouts_since,
                place=rng.choice(places[m.whereabouts]),
            )
            for m in members
            if m.whereabouts != Whereabouts.ON_CAMPUS and m.whereabouts_since
        ],
        batch_size=2000,
    )

    staff = [m for m in members if m.category == Category.STAFF]
    movers = rng.sample(staff, k=min(len(staff), max(3, len(members) // 60)))
    by_id = {b.pk: b for b in branches}
    staff_branch_ids = sorted({m.branch_id for m in staff})
    transfers = []
    for m in movers:
        others = [b for b in staff_branch_ids if b != m.branch_id]
        if not others:
            continue
        transfers.append(
            Transfer(
                member=m,
                from_branch=by_id[rng.choice(others)],
                to_branch=by_id[m.branch_id],
                moved_on=_date_between(rng, dt.date(2018, 9, 1), dt.date(2019, 12, 31)),
                note="工作调动，组织关系随转",
            )
        )
    Transfer.objects.bulk_create(transfers)


# --- logins --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginRow:
    username: str
    role: str
    scope: str


def ensure_login(
    *,
    username: str,
    first_name: str,
    password_hash: str,
    grants: Sequence[tuple[Org, str]] = (),
    member: Member | None = None,
) -> Any:
    """Create or reset a login with the given grants (the hash is computed once by the caller:
    one PBKDF2 run instead of one per user)."""
    from django.contrib.auth import get_user_model

    from access.models import Grant

    user, _ = get_user_model().objects.update_or_create(
        username=username,
        defaults={"first_name": first_name, "password": password_hash, "is_active": True},
    )
    for org, role in grants:
        Grant.objects.get_or_create(user=user, org=org, role=role)
    if member is not None:
        Member.objects.filter(pk=member.pk).update(user=user)
    return user


def login_rows(usernames: Sequence[str]) -> list[LoginRow]:
    """What each login may do, read back from the database (so the table is the truth)."""
    from django.contrib.auth import get_user_model

    from access.models import Grant, Role

    users = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
    rows: list[LoginRow] = []
    for username in usernames:
        user = users.get(username)
        if user is None:
            continue
        for grant in Grant.objects.filter(user=user).select_related("org").order_by("id"):
            rows.append(LoginRow(username, Role(grant.role).label, grant.org.name))
        member = Member.objects.filter(user=user).select_related("branch").first()
        if member is not None:
            rows.append(LoginRow(username, "党员（本人）", f"{member.name} · {member.branch.name}"))
    return rows


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table that lines up with Chinese text in a terminal."""
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            str(c) + " " * (w - _width(str(c))) for c, w in zip(cells, widths, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def existing_slots(school: Org) -> list[BranchSlot]:
    """The branches of a university built by build_university(), read back as slots, so more
    members can be generated for them (the import benchmark's spreadsheet)."""
    units = list(Org.objects.filter(depth=2, path__startswith=school.path).order_by("path"))
    specs = {s.name: s for s in unit_specs(len(units))}
    campus_names = dict(Campus.objects.values_list("pk", "name"))
    slots: list[BranchSlot] = []
    for u_index, unit in enumerate(units, start=1):
        spec = specs.get(unit.name) or UnitSpec(unit.name, unit.short_name, "", "office")
        branches = list(
            Org.objects.filter(kind=OrgKind.BRANCH, path__startswith=unit.path).order_by("path")
        )
        plans = {p.name: p for p in branch_plans(spec, len(branches))}
        for branch in branches:
            plan = plans.get(branch.name) or BranchPlan(branch.name, Category.STAFF)
            slots.append(
                BranchSlot(
                    branch_id=branch.pk,
                    unit=spec,
                    plan=plan,
                    unit_index=u_index,
                    campus_id=branch.campus_id,
                    campus_name=campus_names.get(branch.campus_id, ""),
                    branch_name=branch.name,
                    unit_name=unit.name,
                )
            )
    return slots
