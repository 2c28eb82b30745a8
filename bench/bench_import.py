"""Importing a 20,000-row member workbook: our importer against django-import-export.

The workbook is generated with xlsxwriter in the import template's columns, with Chinese values
and branches of the large university (所在单位 = unit name, 党支部 = branch name), and 学工号
not yet in the database. Ours is timed end to end — import_batch_create (read, validate, keep
the preview) then import_batch_apply (write) — and so is django-import-export loading the same
bytes through tablib/openpyxl into a ModelResource. After each import the rows it created are
deleted, so every run of both creates the same 20,000 members. Medians over `repeat` runs.
"""

import datetime as dt
import io
import time
from collections.abc import Sequence
from typing import Any

import xlsxwriter
from django.contrib.auth import get_user_model
from django.db import transaction

from bench import Figure, median
from demo.builders import MemberGenerator, existing_slots
from members.models import CadreRank, Category, Gender, Member, PoliticalStatus, Whereabouts
from orgs.models import Campus, Org, OrgKind

ROWS = 20_000
# 学工号 sequence numbers of the generated rows; the large university uses 100,000 onwards.
NUMBER_START = 500_000
DEFAULT_REPEAT = 3

HEADERS = (
    "学工号",
    "姓名",
    "性别",
    "身份证号",
    "类别",
    "政治面貌",
    "政治面貌起始日期",
    "入党日期",
    "所在单位",
    "党支部",
    "干部职级",
    "校区",
    "手机号",
    "班级",
    "专业",
    "宿舍楼",
    "宿舍号",
    "当前去向",
    "去向起始日期",
)
DATE_HEADERS = frozenset({"政治面貌起始日期", "入党日期", "去向起始日期"})


# --- the workbook ---------------------------------------------------------------------------


def member_rows(count: int = ROWS, *, seed: int = 2021) -> list[dict[str, Any]]:
    """`count` new members for the large university's branches, keyed by Chinese header."""
    school = Org.objects.get(depth=1)
    slots = existing_slots(school)
    by_branch = {s.branch_id: s for s in slots}
    labels = {
        "gender": dict(Gender.choices),
        "category": dict(Category.choices),
        "political_status": dict(PoliticalStatus.choices),
        "cadre_rank": {**dict(CadreRank.choices), "": ""},
        "whereabouts": dict(Whereabouts.choices),
    }
    rows = []
    for f in MemberGenerator(seed).rows(slots, count, start=NUMBER_START):
        slot = by_branch[f["branch_id"]]
        rows.append(
            {
                "学工号": f["number"],
                "姓名": f["name"],
                "性别": labels["gender"][f["gender"]],
                "身份证号": f["id_number"],
                "类别": labels["category"][f["category"]],
                "政治面貌": labels["political_status"][f["political_status"]],
                "政治面貌起始日期": f["status_since"],
                "入党日期": f["joined_on"],
                "所在单位": slot.unit_name,
                "党支部": slot.branch_name,
                "干部职级": labels["cadre_rank"][f["cadre_rank"]],
                "校区": slot.campus_name,
                "手机号": f["phone"],
                "班级": f["class_name"],
                "专业": f["major"],
                "宿舍楼": f["dorm_building"],
                "宿舍号": f["dorm_room"],
                "当前去向": labels["whereabouts"][f["whereabouts"]],
                "去向起始日期": f["whereabouts_since"],
            }
        )
    return rows


def workbook_bytes(rows: Sequence[dict[str, Any]]) -> bytes:
    """An .xlsx with one 党员 sheet: text cells for numbers, real date cells for dates."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("党员")
    bold = workbook.add_format({"bold": True})
    date = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADERS, bold)
    for r, row in enumerate(rows, start=1):
        for c, header in enumerate(HEADERS):
            value = row[header]
            if value in (None, ""):
                continue
            if header in DATE_HEADERS:
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date)
            else:
                sheet.write_string(r, c, str(value))
    workbook.close()
    return buffer.getvalue()


def delete_members(numbers: Sequence[str]) -> int:
    deleted = 0
    for i in range(0, len(numbers), 5000):
        chunk = numbers[i : i + 5000]
        with transaction.atomic():
            deleted += Member.objects.filter(number__in=chunk).delete()[1].get("members.Member", 0)
    return deleted


# --- ours -----------------------------------------------------------------------------------


class ImportFailed(RuntimeError):
    pass


def import_ours(user: Any, data: bytes) -> float:
    """Seconds for our importer to read, validate and write the workbook."""
    try:
        from members.imports import import_batch_apply, import_batch_create
    except ImportError as e:
        raise ImportFailed(f"members.imports is not available yet: {e}") from e
    started = time.perf_counter()
    batch = import_batch_create(actor=user, filename="bench.xlsx", data=data)
    if batch.errors:
        first = "; ".join(
            f"第 {e['row']} 行 {e['column']}：{e['message']}" for e in batch.errors[:5]
        )
        raise ImportFailed(f"our importer rejected the file ({len(batch.errors)} errors): {first}")
    import_batch_apply(actor=user, batch=batch)
    return time.perf_counter() - started


# --- the peer: django-import-export ---------------------------------------------------------


def peer_resource() -> Any:
    """A ModelResource for Member over the template's Chinese headers. Branch and campus are
    resolved from dictionaries loaded once (as a careful user of the library would), choices
    from their Chinese labels; instances are looked up by 学工号 so re-import updates."""
    from import_export import fields, resources, widgets

    branches = {
        (unit_name, name): pk
        for pk, name, unit_name in _branch_rows()  # (branch pk, branch name, unit name)
    }
    campuses = dict(Campus.objects.values_list("name", "pk"))

    class Text(widgets.Widget):
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
            return "" if value is None else str(value).strip()

    class Choice(widgets.Widget):
        def __init__(self, choices: Sequence[tuple[str, str]]) -> None:
            super().__init__()
            self.by_label = {label: value for value, label in choices}

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
            text = "" if value is None else str(value).strip()
            if not text:
                return ""
            if text not in self.by_label:
                raise ValueError(f"未知取值：{text}")
            return self.by_label[text]

    class BranchId(widgets.Widget):
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int:
            key = (str(row["所在单位"]).strip(), str(value).strip())
            if key not in branches:
                raise ValueError(f"未知党支部：{key[0]} / {key[1]}")
            return branches[key]

    class CampusId(widgets.Widget):
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
            return campuses.get(str(value).strip()) if value else None

    def text(attribute: str, header: str) -> Any:
        return fields.Field(attribute=attribute, column_name=header, widget=Text())

    def choice(attribute: str, header: str, choices: Any) -> Any:
        return fields.Field(attribute=attribute, column_name=header, widget=Choice(choices))

    def date(attribute: str, header: str) -> Any:
        return fields.Field(
            attribute=attribute, column_name=header, widget=widgets.DateWidget("%Y-%m-%d")
        )

    class MemberResource(resources.ModelResource):
        number = text("number", "学工号")
        name = text("name", "姓名")
        gender = choice("gender", "性别", Gender.choices)
        id_number = text("id_number", "身份证号")
        category = choice("category", "类别", Category.choices)
        political_status = choice("political_status", "政治面貌", PoliticalStatus.choices)
        status_since = date("status_since", "政治面貌起始日期")
        joined_on = date("joined_on", "入党日期")
        branch_id = fields.Field(attribute="branch_id", column_name="党支部", widget=BranchId())
        cadre_rank = choice("cadre_rank", "干部职级", CadreRank.choices)
        campus_id = fields.Field(attribute="campus_id", column_name="校区", widget=CampusId())
        phone = text("phone", "手机号")
        class_name = text("class_name", "班级")
        major = text("major", "专业")
        dorm_building = text("dorm_building", "宿舍楼")
        dorm_room = text("dorm_room", "宿舍号")
        whereabouts = choice("whereabouts", "当前去向", Whereabouts.choices)
        whereabouts_since = date("whereabouts_since", "去向起始日期")

        class Meta:
            model = Member
            import_id_fields = ("number",)
            fields = (
                "number",
                "name",
                "gender",
                "id_number",
                "category",
                "political_status",
                "status_since",
                "joined_on",
                "branch_id",
                "cadre_rank",
                "campus_id",
                "phone",
                "class_name",
                "major",
                "dorm_building",
                "dorm_room",
                "whereabouts",
                "whereabouts_since",
            )
            use_bulk = True
            batch_size = 1000
            skip_diff = True

    return MemberResource()


def _branch_rows() -> list[tuple[int, str, str]]:
    units = dict(Org.objects.filter(depth=2).values_list("path", "name"))
    return [
        (pk, name, units.get(path[: 2 * Org.steplen], ""))
        for pk, name, path in Org.objects.filter(kind=OrgKind.BRANCH).values_list(
            "pk", "name", "path"
        )
    ]


def import_peer(data: bytes) -> float:
    """Seconds for django-import-export to load the same bytes and create the members."""
    import tablib

    started = time.perf_counter()
    dataset = tablib.Dataset().load(data, format="xlsx")
    resource = peer_resource()
    result = resource.import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
    elapsed = time.perf_counter() - started
    if result.has_errors() or result.has_validation_errors():
        raise ImportFailed("django-import-export reported errors")
    return elapsed


# --- the run --------------------------------------------------------------------------------


def run(*, repeat: int | None = None) -> list[Figure]:
    runs = repeat or DEFAULT_REPEAT
    user = get_user_model().objects.get(username="bench_school")
    started = time.perf_counter()
    rows = member_rows()
    data = workbook_bytes(rows)
    numbers = [r["学工号"] for r in rows]
    if Member.objects.filter(number__in=numbers[:1000]).exists():
        raise ImportFailed("the generated 学工号 are already in the database")
    took = time.perf_counter() - started
    print(f"workbook: {len(rows)} rows, {len(data) / 1e6:.1f} MB, built in {took:.1f} s")

    ours: list[float] = []
    peer: list[float] = []
    problems: list[str] = []
    for i in range(1, runs + 1):
        if not any(p.startswith("ours") for p in problems):
            try:
                seconds = import_ours(user, data)
                created = delete_members(numbers)
                if created != len(rows):
                    raise ImportFailed(f"created {created} members, expected {len(rows)}")
                ours.append(seconds)
                print(f"run {i}: ours {seconds:6.2f} s")
            except Exception as e:
                problems.append(f"ours: {type(e).__name__}: {e}")
                delete_members(numbers)
        if not any(p.startswith("peer") for p in problems):
            try:
                seconds = import_peer(data)
                created = delete_members(numbers)
                if created != len(rows):
                    raise ImportFailed(f"created {created} members, expected {len(rows)}")
                peer.append(seconds)
                print(f"run {i}: django-import-export {seconds:6.2f} s")
            except Exception as e:
                problems.append(f"peer: {type(e).__name__}: {e}")
                delete_members(numbers)

    figures = []
    if ours:
        s = median(ours)
        figures += [
            Figure("import_20k_s", s, "s", "≤ 3 (issue 2), read + validate + write"),
            Figure("import_20k_rows_per_s", len(rows) / s, "rows/s", "≥ 6,667 (= 20,000 in 3 s)"),
        ]
    if peer:
        figures.append(Figure("import_20k_peer_s", median(peer), "s", "django-import-export"))
    if ours and peer:
        figures.append(
            Figure("import_20k_ratio", median(peer) / median(ours), "×", "peer ÷ ours, > 1")
        )
    for p in problems:
        print(f"IMPORT BENCHMARK PROBLEM — {p}")
    if problems and not figures:
        raise ImportFailed("; ".join(problems))
    return figures
