"""Member spreadsheets: the import template, reading an uploaded workbook into a plan, and the
export of a member list in the same columns so an export can be edited and imported again.

Reading never writes: parse_workbook() returns an ImportPlan with JSON-safe rows ready for
members.imports.import_batch_apply() and every problem found, each with the Excel row number,
the Chinese column header and the reason. The queries it makes do not grow with the file.
"""

import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import xlsxwriter
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from access.scope import Masker, Perm, orgs_for_user, paths_with
from lib.cn import (
    check_id_number,
    check_past_date,
    clean_number,
    clean_phone,
    normalize_text,
    parse_date,
)
from lib.xlsx import Header, Row, XlsxError, find_header, header_key, read_sheets, row_is_blank
from members.models import (
    CadreRank,
    Category,
    Gender,
    Member,
    PoliticalStatus,
    Whereabouts,
)
from orgs.models import ALLOWED_CHILD_KINDS, Campus, Org, OrgKind

MEMBER_SHEET = "党员"
ORG_SHEET = "组织"
HELP_SHEET = "说明"


class SpreadsheetError(XlsxError):
    """The upload is not a member workbook at all; the message is for the user."""


@dataclass(frozen=True)
class Column:
    header: str  # without the "*" that marks a required column in the template
    field: str
    required: bool = False
    help: str = ""
    width: int = 12

    @property
    def title(self) -> str:
        return f"{self.header}*" if self.required else self.header


def _labels(choices: Iterable[tuple[str, str]]) -> str:
    return " / ".join(label for value, label in choices if value)


MEMBER_COLUMNS: tuple[Column, ...] = (
    Column("学工号", "number", True, "教工号或学号，全校唯一；再次导入时按学工号更新已有党员", 14),
    Column("姓名", "name", True, "", 10),
    Column("性别", "gender", False, _labels(Gender.choices), 6),
    Column("身份证号", "id_number", False, "18 位，最后一位可为 X；请将该列设为文本", 21),
    Column("类别", "category", True, _labels(Category.choices), 8),
    Column("政治面貌", "political_status", True, _labels(PoliticalStatus.choices), 12),
    Column("政治面貌起始日期", "status_since", False, "如 2020-02-23", 14),
    Column("入党日期", "joined_on", False, "如 2020-02-23", 12),
    Column("所在单位", "unit", True, "二级党委（党总支）名称；直属校党委的党支部填校党委名称", 18),
    Column("党支部", "branch", True, "党支部全称，须已存在或在「组织」表中新建", 22),
    Column("干部职级", "cadre_rank", False, _labels(CadreRank.choices) + "，非干部留空", 10),
    Column("校区", "campus", False, "须为系统中已有的校区名称", 10),
    Column("手机号", "phone", False, "11 位手机号码，可带空格、短横线或 +86", 14),
    Column("班级", "class_name", False, "", 12),
    Column("专业", "major", False, "", 12),
    Column("宿舍楼", "dorm_building", False, "", 10),
    Column("宿舍号", "dorm_room", False, "", 8),
    Column("当前去向", "whereabouts", False, _labels(Whereabouts.choices) + "，留空为在校", 10),
    Column("去向起始日期", "whereabouts_since", False, "如 2020-02-23", 14),
)

ORG_COLUMNS: tuple[Column, ...] = (
    Column("上级组织", "parent", False, "上级组织名称；留空或填校党委名称表示直属校党委", 18),
    Column("组织名称", "name", True, "同一上级下名称唯一；已存在的组织不会重复创建", 22),
    Column(
        "类型",
        "kind",
        True,
        "二级党委 / 党总支 / 党支部 / 党小组",
        10,
    ),
    Column("校区", "campus", False, "须为系统中已有的校区名称", 10),
    Column("书记", "secretary", False, "", 10),
    Column("组织员", "organiser", False, "", 10),
    Column("联系邮箱", "email", False, "", 22),
)

# Other spellings seen in real files, mapped to the template's header.
MEMBER_ALIASES = {
    "工号": "学工号",
    "学号": "学工号",
    "学号/工号": "学工号",
    "身份证": "身份证号",
    "身份证号码": "身份证号",
    "单位": "所在单位",
    "二级单位": "所在单位",
    "所在二级党委": "所在单位",
    "支部": "党支部",
    "所在支部": "党支部",
    "所在党支部": "党支部",
    "手机": "手机号",
    "手机号码": "手机号",
    "联系电话": "手机号",
    "去向": "当前去向",
}

DATE_FIELDS = frozenset({"status_since", "joined_on", "whereabouts_since"})
TEXT_FIELDS = ("class_name", "major", "dorm_building", "dorm_room")
ORG_CREATABLE_KINDS = (
    OrgKind.UNIT_COMMITTEE,
    OrgKind.GENERAL_BRANCH,
    OrgKind.BRANCH,
    OrgKind.GROUP,
)


def _choice_map(choices: Iterable[tuple[str, str]]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for value, label in choices:
        mapping[header_key(label)] = value
        if value:
            mapping[header_key(value)] = value
    return mapping


CHOICES: dict[str, tuple[dict[str, str], str]] = {
    "gender": (_choice_map(Gender.choices), _labels(Gender.choices)),
    "category": (_choice_map(Category.choices), _labels(Category.choices)),
    "political_status": (_choice_map(PoliticalStatus.choices), _labels(PoliticalStatus.choices)),
    "cadre_rank": (_choice_map(CadreRank.choices), _labels(CadreRank.choices)),
    "whereabouts": (_choice_map(Whereabouts.choices), _labels(Whereabouts.choices)),
}
ORG_KIND_CHOICES = (
    _choice_map((k.value, k.label) for k in ORG_CREATABLE_KINDS),
    _labels((k.value, k.label) for k in ORG_CREATABLE_KINDS),
)


def _max_length(model: Any, name: str) -> int:
    return int(model._meta.get_field(name).max_length)


# --- the plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int  # the Excel row number the user sees
    column: str  # the Chinese header, "" for the whole row
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportPlan:
    """What an upload would do. `rows` are member rows, `org_rows` orgs to create first;
    both are JSON-safe dicts ready for the apply step."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    create_count: int = 0
    update_count: int = 0
    org_rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def unchanged_count(self) -> int:
        return len(self.rows) - self.create_count - self.update_count


# --- resolving org names within the importer's scope ----------------------------------------


@dataclass
class _Node:
    name: str
    kind: str
    depth: int
    unit_key: str  # header_key of the unit's name (the depth-2 ancestor, or itself)
    pk: int | None = None  # an existing org
    path: str = ""
    ref: int | None = None  # index into ImportPlan.org_rows for an org the file creates
    parent: "_Node | None" = None  # set for an org the file creates


def _key(value: object) -> str:
    return normalize_text(value).replace(" ", "")


class _Scope:
    """The orgs, campuses and existing members one parse needs, each read with one query."""

    def __init__(self, user: Any) -> None:
        self.roots = paths_with(user, Perm.MEMBER_IMPORT)
        top = list(Org.objects.filter(depth__lte=2).values_list("path", "name", "depth"))
        self.school_name = next((name for path, name, depth in top if depth == 1), "")
        self.school_key = _key(self.school_name)
        unit_names = {path: name for path, name, depth in top if depth == 2}
        self.campuses = {_key(name): pk for pk, name in Campus.objects.values_list("pk", "name")}
        # name key -> nodes in scope with that name; parents are looked up here
        self.by_name: dict[str, list[_Node]] = {}
        # (unit key, branch key) -> branch nodes
        self.branches: dict[tuple[str, str], list[_Node]] = {}
        self.root_node: _Node | None = None
        self._branch_cache: dict[tuple[str, str], _Node | str] = {}
        orgs = orgs_for_user(user, Perm.MEMBER_IMPORT).values_list(
            "pk", "path", "depth", "name", "kind"
        )
        for pk, path, depth, name, kind in orgs:
            unit_path = path[: 2 * Org.steplen] if depth >= 2 else path
            unit_key = _key(unit_names.get(unit_path, name))
            node = _Node(name=name, kind=kind, depth=depth, unit_key=unit_key, pk=pk, path=path)
            if depth == 1:
                self.root_node = node
                continue
            self.add(node)

    def in_scope(self, path: str) -> bool:
        return any(path.startswith(root) for root in self.roots)

    def add(self, node: _Node) -> None:
        self.by_name.setdefault(_key(node.name), []).append(node)
        if node.kind == OrgKind.BRANCH:
            keys = {node.unit_key}
            if node.depth == 2:
                keys.add(self.school_key)
            for unit_key in keys:
                self.branches.setdefault((unit_key, _key(node.name)), []).append(node)

    def children_named(self, parent: _Node, name_key: str) -> _Node | None:
        for node in self.by_name.get(name_key, []):
            if self._is_child(node, parent):
                return node
        return None

    def _is_child(self, node: _Node, parent: _Node) -> bool:
        if node.depth != parent.depth + 1:
            return False
        if node.pk is not None and parent.pk is not None:
            return node.path.startswith(parent.path)
        return node.parent is parent

    def parent_for(self, name: str) -> _Node | str:
        """The parent node named `name`, or the reason it cannot be used."""
        key = _key(name)
        if not key or key == self.school_key:
            if self.root_node is None:
                return "您无权在校党委下直接新建组织"
            return self.root_node
        found = self.by_name.get(key, [])
        if not found:
            return f"未找到上级组织「{normalize_text(name)}」，或不在您的管理范围内"
        if len(found) > 1:
            return f"上级组织「{normalize_text(name)}」在您的管理范围内有重名，无法确定"
        return found[0]

    def branch_for(self, unit: str, branch: str) -> _Node | str:
        cached = self._branch_cache.get((unit, branch))
        if cached is None:
            cached = self._branch_cache[unit, branch] = self._branch_for(unit, branch)
        return cached

    def _branch_for(self, unit: str, branch: str) -> _Node | str:
        found = self.branches.get((_key(unit), _key(branch)), [])
        if not found:
            return (
                f"未知党支部：「{normalize_text(unit)} / {normalize_text(branch)}」不存在，"
                "或不在您的管理范围内"
            )
        if len(found) > 1:
            return f"「{normalize_text(unit)}」下有多个名为「{normalize_text(branch)}」的党支部"
        return found[0]


# --- parsing --------------------------------------------------------------------------------


def _find_sheet(
    sheets: dict[str, list[Row]],
    name: str,
    columns: tuple[Column, ...],
    aliases: Mapping[str, str] | None,
    min_matches: int,
) -> tuple[str, Header] | None:
    """The sheet called `name` (or failing that, the first whose header fits) and its header."""
    known = [c.header for c in columns]
    for sheet_name, rows in sheets.items():
        if _key(sheet_name) == name:
            header = find_header(rows, known, aliases=aliases, min_matches=1)
            if header is None:
                raise SpreadsheetError(
                    f"「{sheet_name}」工作表的前 10 行中没有找到表头"
                    f"（{'、'.join(known[:4])}…），请使用导入模板。"
                )
            return sheet_name, header
    for sheet_name, rows in sheets.items():
        if _key(sheet_name) in (MEMBER_SHEET, ORG_SHEET, HELP_SHEET):
            continue
        header = find_header(rows, known, aliases=aliases, min_matches=min_matches)
        if header is not None:
            return sheet_name, header
    return None


class _RowReader:
    """Cells of one data row by canonical header; records each problem as a RowError."""

    def __init__(self, sheet: str, row_number: int, errors: list[RowError]) -> None:
        self.sheet = sheet
        self.row = row_number
        self.errors = errors
        self.ok = True

    def error(self, column: str, message: str) -> None:
        self.ok = False
        self.errors.append(RowError(self.sheet, self.row, column, message))


def _cell(row: Row, header: Header, name: str) -> Any:
    col = header.columns.get(name)
    if col is None or col >= len(row):
        return ""
    value = row[col]
    return value.strip() if isinstance(value, str) else value


def _blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not normalize_text(value))


def _text(reader: _RowReader, column: str, value: Any, max_length: int) -> str:
    text = clean_number(value) if isinstance(value, float) else normalize_text(value)
    if len(text) > max_length:
        reader.error(column, f"不能超过 {max_length} 个字符")
    return text


def _parse_org_rows(
    sheet: str, rows: list[Row], header: Header, scope: _Scope, plan: ImportPlan
) -> None:
    missing = [c for c in ORG_COLUMNS if c.required and c.header not in header.columns]
    for column in missing:
        plan.errors.append(RowError(sheet, header.row_index + 1, column.header, "缺少必填列"))
    if missing:
        return
    seen: dict[tuple[int, str], int] = {}
    for index in range(header.row_index + 1, len(rows)):
        row = rows[index]
        if row_is_blank(row):
            continue
        reader = _RowReader(sheet, index + 1, plan.errors)
        name_value = _cell(row, header, "组织名称")
        kind_value = _cell(row, header, "类型")
        if _blank(name_value):
            reader.error("组织名称", "必填项为空")
        if _blank(kind_value):
            reader.error("类型", "必填项为空")
        if not reader.ok:
            continue
        name = _text(reader, "组织名称", name_value, _max_length(Org, "name"))
        kind = ORG_KIND_CHOICES[0].get(header_key(kind_value))
        if kind is None:
            reader.error(
                "类型",
                f"「{normalize_text(kind_value)}」不是有效的类型，应为：{ORG_KIND_CHOICES[1]}",
            )
        fields: dict[str, Any] = {"name": name}
        for title, field_name in (("书记", "secretary"), ("组织员", "organiser")):
            value = _cell(row, header, title)
            if not _blank(value):
                fields[field_name] = _text(reader, title, value, _max_length(Org, field_name))
        email = _cell(row, header, "联系邮箱")
        if not _blank(email):
            fields["email"] = normalize_text(email)
            try:
                validate_email(fields["email"])
            except ValidationError:
                reader.error("联系邮箱", "邮箱格式不正确")
        campus = _cell(row, header, "校区")
        if not _blank(campus):
            fields["campus_id"] = scope.campuses.get(_key(campus))
            if fields["campus_id"] is None:
                reader.error("校区", f"未知校区「{normalize_text(campus)}」")
        parent = scope.parent_for(_cell(row, header, "上级组织"))
        if isinstance(parent, str):
            reader.error("上级组织", parent)
        if not reader.ok or isinstance(parent, str) or kind is None:
            continue
        if kind not in ALLOWED_CHILD_KINDS[parent.kind]:
            reader.error("类型", f"{OrgKind(parent.kind).label}下不能设立{OrgKind(kind).label}")
            continue
        seen_key = (id(parent), _key(name))
        if seen_key in seen:
            reader.error("组织名称", f"与第 {seen[seen_key]} 行重复")
            continue
        seen[seen_key] = reader.row
        existing = scope.children_named(parent, _key(name))
        if existing is not None:
            if existing.kind != kind:
                reader.error(
                    "类型",
                    f"上级组织下已有同名的{OrgKind(existing.kind).label}，类型不一致",
                )
            continue  # an org that is already there is left as it is
        depth = parent.depth + 1
        node = _Node(
            name=name,
            kind=kind,
            depth=depth,
            unit_key=_key(name) if depth <= 2 else parent.unit_key,
            ref=len(plan.org_rows),
            parent=parent,
        )
        plan.org_rows.append(
            {
                "sheet": ORG_SHEET,
                "row": reader.row,
                "ref": node.ref,
                "parent_id": parent.pk,
                "parent_ref": parent.ref,
                "kind": kind,
                **fields,
            }
        )
        scope.add(node)


_MEMBER_MAX_LENGTHS = {
    c.field: _max_length(Member, c.field)
    for c in MEMBER_COLUMNS
    if c.field not in ("unit", "branch", "campus") and c.field not in DATE_FIELDS
}
_CHOICE_BY_TEXT = {
    name: {k.replace(" ", ""): v for k, v in m.items()} for name, (m, _) in CHOICES.items()
}


def _parse_member_row(
    reader: _RowReader,
    row: Row,
    present: list[tuple[Column, int]],
    scope: _Scope,
) -> dict[str, Any] | None:
    """One member row as the dict the apply step writes, or None when it has errors.

    This runs once per row of files with tens of thousands of rows, so it works from the
    columns found in the header and normalises each cell once."""
    out: dict[str, Any] = {"sheet": MEMBER_SHEET, "row": reader.row}
    width = len(row)
    unit = branch_name = ""
    for column, col in present:
        value = row[col] if col < width else ""
        name = column.field
        if isinstance(value, str):
            text = normalize_text(value)
            blank = not text
        else:
            text = ""
            blank = value is None
        if blank:
            if column.required:
                reader.error(column.header, "必填项为空")
            elif name == "whereabouts":
                pass  # blank keeps the current whereabouts; new members start 在校
            elif name == "campus":
                out["campus_id"] = None
            elif name in DATE_FIELDS:
                out[name] = None
            else:
                out[name] = ""
            continue
        if name == "unit":
            unit = text or normalize_text(value)
        elif name == "branch":
            branch_name = text or normalize_text(value)
        elif name in _CHOICE_BY_TEXT:
            found = _CHOICE_BY_TEXT[name].get((text or normalize_text(value)).replace(" ", ""))
            if found is None:
                allowed = CHOICES[name][1]
                reader.error(column.header, f"「{text}」不是有效的{column.header}，应为：{allowed}")
            out[name] = found
        elif name in DATE_FIELDS:
            try:
                out[name] = check_past_date(parse_date(value), today=dt.date.today()).isoformat()
            except ValueError as e:
                reader.error(column.header, str(e))
        elif name == "campus":
            out["campus_id"] = scope.campuses.get((text or normalize_text(value)).replace(" ", ""))
            if out["campus_id"] is None:
                reader.error(column.header, f"未知校区「{text or value}」")
        elif name in ("phone", "id_number"):
            if "*" in text:
                out.setdefault("masked", []).append(name)  # an export's masked value: keep it
                continue
            try:
                out[name] = clean_phone(value) if name == "phone" else check_id_number(value)
            except ValueError as e:
                reader.error(column.header, str(e))
        else:
            if name == "number":
                try:
                    text = clean_number(value)
                except ValueError as e:
                    reader.error(column.header, str(e))
                    continue
            elif not text:
                text = clean_number(value) if isinstance(value, float) else normalize_text(value)
            if len(text) > _MEMBER_MAX_LENGTHS[name]:
                reader.error(column.header, f"不能超过 {_MEMBER_MAX_LENGTHS[name]} 个字符")
            out[name] = text
    if unit and branch_name:
        branch = scope.branch_for(unit, branch_name)
        if isinstance(branch, str):
            reader.error("党支部", branch)
        else:
            out["branch_id"] = branch.pk
            if branch.ref is not None:
                out["branch_ref"] = branch.ref
    return out if reader.ok else None


def _parse_member_rows(
    sheet: str, rows: list[Row], header: Header, scope: _Scope, plan: ImportPlan
) -> None:
    missing = [c for c in MEMBER_COLUMNS if c.required and c.header not in header.columns]
    for column in missing:
        plan.errors.append(RowError(sheet, header.row_index + 1, column.header, "缺少必填列"))
    if missing:
        return
    present = [(c, header.columns[c.header]) for c in MEMBER_COLUMNS if c.header in header.columns]
    first_row: dict[str, int] = {}
    for index in range(header.row_index + 1, len(rows)):
        row = rows[index]
        if row_is_blank(row):
            continue
        reader = _RowReader(sheet, index + 1, plan.errors)
        parsed = _parse_member_row(reader, row, present, scope)
        number = parsed.get("number") if parsed else None
        if number is None:
            try:
                number = clean_number(_cell(row, header, "学工号"))
            except ValueError:
                number = None
        if number is not None:
            if number in first_row:
                reader.error("学工号", f"学工号「{number}」与第 {first_row[number]} 行重复")
                parsed = None
            else:
                first_row[number] = reader.row
        if parsed is not None:
            plan.rows.append(parsed)
    _compare_with_existing(sheet, scope, plan)


# Fields of a member row compared with the stored member to tell an update from a no-op.
COMPARED_FIELDS = (
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
    *TEXT_FIELDS,
    "whereabouts",
    "whereabouts_since",
)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _compare_with_existing(sheet: str, scope: _Scope, plan: ImportPlan) -> None:
    numbers = [r["number"] for r in plan.rows]
    existing = {
        values["number"]: values
        for values in Member.objects.filter(number__in=numbers).values(
            "number", "branch__path", *COMPARED_FIELDS
        )
    }
    kept: list[dict[str, Any]] = []
    for row in plan.rows:
        stored = existing.get(row["number"])
        masked = row.get("masked", [])
        if stored is None:
            for name in masked:
                label = "手机号" if name == "phone" else "身份证号"
                plan.errors.append(
                    RowError(sheet, row["row"], label, "该值已脱敏（含 *），新党员需填写完整")
                )
            if not masked:
                plan.create_count += 1
                kept.append(row)
            continue
        if not scope.in_scope(stored["branch__path"]):
            plan.errors.append(
                RowError(sheet, row["row"], "学工号", "该学工号已属于您管理范围之外的党员")
            )
            continue
        kept.append(row)
        if row.get("branch_ref") is not None or any(
            name in row and row[name] != _plain(stored[name]) for name in COMPARED_FIELDS
        ):
            plan.update_count += 1
    plan.rows = kept


def parse_workbook(data: bytes, *, user: Any) -> ImportPlan:
    """Read an uploaded workbook into a plan. Raises SpreadsheetError when the file is not a
    readable workbook with a 党员 or 组织 sheet; every problem inside it is a RowError."""
    sheets = read_sheets(data)
    member_sheet = _find_sheet(sheets, MEMBER_SHEET, MEMBER_COLUMNS, MEMBER_ALIASES, 3)
    org_sheet = _find_sheet(sheets, ORG_SHEET, ORG_COLUMNS, None, 3)
    if member_sheet is None and org_sheet is None:
        raise SpreadsheetError(
            "没有找到「党员」或「组织」工作表的表头（学工号、姓名、所在单位、党支部…），"
            "请下载导入模板后按模板填写。"
        )
    plan = ImportPlan()
    scope = _Scope(user)
    if org_sheet is not None:
        name, header = org_sheet
        _parse_org_rows(name, sheets[name], header, scope, plan)
    if member_sheet is not None:
        name, header = member_sheet
        _parse_member_rows(name, sheets[name], header, scope, plan)
    if plan.errors:
        sheet_order = {name: i for i, name in enumerate(sheets)}
        plan.errors.sort(key=lambda e: (sheet_order.get(e.sheet, 0), e.row))
    return plan


# --- writing --------------------------------------------------------------------------------


def _formats(workbook: Any) -> dict[str, Any]:
    return {
        "header": workbook.add_format(
            {"bold": True, "bg_color": "#F2DCDB", "border": 1, "valign": "vcenter"}
        ),
        "required": workbook.add_format(
            {"bold": True, "bg_color": "#F2DCDB", "border": 1, "font_color": "#C8161D"}
        ),
        "text": workbook.add_format({"num_format": "@"}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "example": workbook.add_format({"italic": True, "font_color": "#808080"}),
        "example_date": workbook.add_format(
            {"italic": True, "font_color": "#808080", "num_format": "yyyy-mm-dd"}
        ),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "title": workbook.add_format({"bold": True, "font_size": 14}),
    }


TEXT_COLUMNS = frozenset({"number", "id_number", "phone", "dorm_room", "class_name"})
DATA_ROWS = 20_000


def _lay_out_member_sheet(sheet: Any, fmt: dict[str, Any], *, validate: bool) -> None:
    for col, column in enumerate(MEMBER_COLUMNS):
        cell_format = fmt["text"] if column.field in TEXT_COLUMNS else None
        sheet.set_column(col, col, column.width, cell_format)
        sheet.write_string(0, col, column.title, fmt["required" if column.required else "header"])
        if validate and column.field in CHOICES:
            sheet.data_validation(
                1,
                col,
                DATA_ROWS,
                col,
                {
                    "validate": "list",
                    "source": [label for value, label in _choices_of(column.field) if value],
                    "error_type": "warning",
                },
            )
    sheet.freeze_panes(1, 2)


def _choices_of(field_name: str) -> list[tuple[str, str]]:
    return {
        "gender": Gender.choices,
        "category": Category.choices,
        "political_status": PoliticalStatus.choices,
        "cadre_rank": CadreRank.choices,
        "whereabouts": Whereabouts.choices,
    }[field_name]


EXAMPLE_MEMBER = (
    "2020001",
    "张三",
    "男",
    "11010519491231002X",
    "教工",
    "正式党员",
    dt.date(2016, 7, 1),
    dt.date(2015, 7, 1),
    "计算机学院党委",
    "计算机教工第一党支部",
    "",
    "主校区",
    "138 0013 8000",
    "",
    "",
    "",
    "",
    "在校",
    "",
)
EXAMPLE_ORGS = (
    ("", "计算机学院党委", "二级党委", "主校区", "", "", ""),
    ("计算机学院党委", "计算机教工第一党支部", "党支部", "", "李四", "王五", "cs1@example.edu.cn"),
)


def template_xlsx() -> bytes:
    """The import template: a 党员 sheet with one example row, a 组织 sheet, a 说明 sheet."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    fmt = _formats(workbook)

    members = workbook.add_worksheet(MEMBER_SHEET)
    _lay_out_member_sheet(members, fmt, validate=True)
    for col, value in enumerate(EXAMPLE_MEMBER):
        if isinstance(value, dt.date):
            members.write_datetime(1, col, value, fmt["example_date"])
        else:
            members.write_string(1, col, value, fmt["example"])

    orgs = workbook.add_worksheet(ORG_SHEET)
    for col, column in enumerate(ORG_COLUMNS):
        orgs.set_column(col, col, column.width)
        orgs.write_string(0, col, column.title, fmt["required" if column.required else "header"])
    orgs.data_validation(
        1,
        2,
        1000,
        2,
        {"validate": "list", "source": [k.label for k in ORG_CREATABLE_KINDS]},
    )
    for row, values in enumerate(EXAMPLE_ORGS, start=1):
        orgs.write_row(row, 0, values, fmt["example"])
    orgs.freeze_panes(1, 0)

    help_sheet = workbook.add_worksheet(HELP_SHEET)
    help_sheet.set_column(0, 0, 18)
    help_sheet.set_column(1, 1, 8)
    help_sheet.set_column(2, 2, 70, fmt["wrap"])
    line = 0
    help_sheet.write_string(line, 0, "党员及组织批量导入说明", fmt["title"])
    for note in (
        "1. 「党员」表第 2 行、「组织」表第 2–3 行为示例（灰色斜体），导入前请删除。",
        "2. 带 * 的列为必填。表头所在行前可以有标题行；列的顺序可以调整，不需要的选填列可以删除"
        "（删除的列在更新已有党员时保持原值）。",
        "3. 再次导入时按学工号匹配：已有的党员更新信息，没有的新增。文件中有任何一行出错，"
        "整个文件都不会导入，请按预览页列出的行号和原因修改后重新上传。",
        "4. 「组织」表可选：其中的组织先于党员创建，已存在的组织保持不变。"
        "只能在您管理的组织下新建。",
        "5. 日期可写成 2020-02-23、2020.2.23、2020/2/23、2020年2月23日，或使用 Excel 日期格式。",
        "6. 从系统导出的名册可以修改后直接导入；其中脱敏的手机号、身份证号（含 *）保持原值不变。",
    ):
        line += 1
        help_sheet.merge_range(line, 0, line, 2, note, fmt["wrap"])
        help_sheet.set_row(line, 32)
    for sheet_name, columns in ((MEMBER_SHEET, MEMBER_COLUMNS), (ORG_SHEET, ORG_COLUMNS)):
        line += 2
        help_sheet.write_string(line, 0, f"「{sheet_name}」表", fmt["title"])
        line += 1
        help_sheet.write_row(line, 0, ("列名", "必填", "说明"), fmt["header"])
        for column in columns:
            line += 1
            help_sheet.write_row(
                line, 0, (column.header, "是" if column.required else "", column.help)
            )
    workbook.close()
    return buffer.getvalue()


def members_xlsx(members: Iterable[Member], *, user: Any, unit_names: Mapping[str, str]) -> bytes:
    """A member list in the template's columns, phone and ID number masked for `user`.

    `members` need `branch` selected; `unit_names` maps a unit's path to its name. Written
    row by row (xlsxwriter's constant_memory mode) so a long list stays small in memory."""
    masker = Masker(user)
    campuses = dict(Campus.objects.values_list("pk", "name"))
    labels = {name: dict(_choices_of(name)) for name in CHOICES}
    labels["cadre_rank"][""] = ""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    fmt = _formats(workbook)
    sheet = workbook.add_worksheet(MEMBER_SHEET)
    _lay_out_member_sheet(sheet, fmt, validate=False)
    for index, member in enumerate(members, start=1):
        branch = member.branch
        values: dict[str, Any] = {
            "number": member.number,
            "name": member.name,
            "id_number": masker.id_number(member, branch.path),
            "status_since": member.status_since,
            "joined_on": member.joined_on,
            "unit": unit_names.get(branch.unit_path(), ""),
            "branch": branch.name,
            "campus": campuses.get(member.campus_id, "") if member.campus_id else "",
            "phone": masker.phone(member, branch.path),
            "class_name": member.class_name,
            "major": member.major,
            "dorm_building": member.dorm_building,
            "dorm_room": member.dorm_room,
            "whereabouts_since": member.whereabouts_since,
        }
        for name, mapping in labels.items():
            values[name] = mapping.get(getattr(member, name), "")
        for col, column in enumerate(MEMBER_COLUMNS):
            value = values[column.field]
            if isinstance(value, dt.date):
                sheet.write_datetime(index, col, value, fmt["date"])
            elif value:
                sheet.write_string(index, col, value)
    workbook.close()
    return buffer.getvalue()
