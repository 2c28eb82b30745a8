"""Reading an uploaded workbook into an ImportPlan. Reading never writes: every problem is a
RowError with the Excel row number, the Chinese column header and the reason. The queries it
makes do not grow with the file.
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from lib.cn import (
    check_id_number,
    check_past_date,
    clean_number,
    clean_phone,
    normalize_text,
    parse_date,
)
from lib.xlsx import Header, Row, find_header, header_key, read_workbook, row_is_blank
from lib.xlsx_scan import column_letters
from members.models import Member
from members.spreadsheets.columns import (
    CHOICES,
    DATE_FIELDS,
    HELP_SHEET,
    MEMBER_ALIASES,
    MEMBER_COLUMNS,
    MEMBER_SHEET,
    ORG_COLUMNS,
    ORG_KIND_CHOICES,
    ORG_SHEET,
    Column,
    field_max_length,
)
from members.spreadsheets.existing import compare_with_existing
from members.spreadsheets.org_names import (
    ImportScope,
    OrgNode,
    name_key,
)
from members.spreadsheets.plan import (
    ImportPlan,
    RowError,
    SpreadsheetError,
)
from orgs.models import ALLOWED_CHILD_KINDS, Org, OrgKind


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
        if name_key(sheet_name) == name:
            header = find_header(rows, known, aliases=aliases, min_matches=1)
            if header is None:
                raise SpreadsheetError(
                    f"「{sheet_name}」工作表的前 10 行中没有找到表头"
                    f"（{'、'.join(known[:4])}…），请使用导入模板。"
                )
            return sheet_name, header
    for sheet_name, rows in sheets.items():
        if name_key(sheet_name) in (MEMBER_SHEET, ORG_SHEET, HELP_SHEET):
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


Formulas = dict[int, set[int]]  # row index -> column indexes holding a formula


def _formulas_by_row(cells: set[tuple[int, int]]) -> Formulas:
    by_row: Formulas = {}
    for row, col in cells:
        by_row.setdefault(row, set()).add(col)
    return by_row


def _refuse_formulas(
    reader: _RowReader, index: int, columns: Mapping[str, int], formulas: Formulas
) -> None:
    """A formula's value is whatever the program that saved the file last computed, or
    nothing at all: each one in a column the import reads is named, not used."""
    cols = formulas.get(index)
    if not cols:
        return
    for header, col in columns.items():
        if col in cols:
            ref = f"{column_letters(col + 1)}{index + 1}"
            reader.error(header, f"{ref} 单元格是公式，请粘贴为数值（复制后「选择性粘贴 → 数值」）")


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
    sheet: str,
    rows: list[Row],
    header: Header,
    scope: ImportScope,
    plan: ImportPlan,
    formulas: Formulas,
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
        _refuse_formulas(reader, index, header.columns, formulas)
        name_value = _cell(row, header, "组织名称")
        kind_value = _cell(row, header, "类型")
        if _blank(name_value):
            reader.error("组织名称", "必填项为空")
        if _blank(kind_value):
            reader.error("类型", "必填项为空")
        if not reader.ok:
            continue
        name = _text(reader, "组织名称", name_value, field_max_length(Org, "name"))
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
                fields[field_name] = _text(reader, title, value, field_max_length(Org, field_name))
        email = _cell(row, header, "联系邮箱")
        if not _blank(email):
            fields["email"] = normalize_text(email)
            try:
                validate_email(fields["email"])
            except ValidationError:
                reader.error("联系邮箱", "邮箱格式不正确")
        campus = _cell(row, header, "校区")
        if not _blank(campus):
            fields["campus_id"] = scope.campuses.get(name_key(campus))
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
        seen_key = (id(parent), name_key(name))
        if seen_key in seen:
            reader.error("组织名称", f"与第 {seen[seen_key]} 行重复")
            continue
        seen[seen_key] = reader.row
        existing = scope.children_named(parent, name_key(name))
        if existing is not None:
            if existing.kind != kind:
                reader.error(
                    "类型",
                    f"上级组织下已有同名的{OrgKind(existing.kind).label}，类型不一致",
                )
            continue  # an org that is already there is left as it is
        depth = parent.depth + 1
        node = OrgNode(
            name=name,
            kind=kind,
            depth=depth,
            unit_key=name_key(name) if depth <= 2 else parent.unit_key,
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
    c.field: field_max_length(Member, c.field)
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
    scope: ImportScope,
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
    sheet: str,
    rows: list[Row],
    header: Header,
    scope: ImportScope,
    plan: ImportPlan,
    formulas: Formulas,
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
        _refuse_formulas(reader, index, header.columns, formulas)
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
    compare_with_existing(sheet, scope, plan)


def parse_workbook(data: bytes, *, user: Any) -> ImportPlan:
    """Read an uploaded workbook into a plan. Raises SpreadsheetError when the file is not a
    readable workbook with a 党员 or 组织 sheet; every problem inside it is a RowError."""
    workbook = read_workbook(data)
    sheets = workbook.sheets
    member_sheet = _find_sheet(sheets, MEMBER_SHEET, MEMBER_COLUMNS, MEMBER_ALIASES, 3)
    org_sheet = _find_sheet(sheets, ORG_SHEET, ORG_COLUMNS, None, 3)
    if member_sheet is None and org_sheet is None:
        raise SpreadsheetError(
            "没有找到「党员」或「组织」工作表的表头（学工号、姓名、所在单位、党支部…），"
            "请下载导入模板后按模板填写。"
        )
    plan = ImportPlan()
    scope = ImportScope(user)
    if org_sheet is not None:
        name, header = org_sheet
        formulas = _formulas_by_row(workbook.formulas.get(name, set()))
        _parse_org_rows(name, sheets[name], header, scope, plan, formulas)
    if member_sheet is not None:
        name, header = member_sheet
        formulas = _formulas_by_row(workbook.formulas.get(name, set()))
        _parse_member_rows(name, sheets[name], header, scope, plan, formulas)
    if plan.errors:
        sheet_order = {name: i for i, name in enumerate(sheets)}
        plan.errors.sort(key=lambda e: (sheet_order.get(e.sheet, 0), e.row))
    return plan
