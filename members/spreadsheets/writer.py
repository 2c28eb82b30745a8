"""Writing member workbooks: the import template and the export of a member list, in the same
columns so an export can be edited and imported again.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from access.scope import Masker
from lib.xlsx import XlsxBook
from members.models import Member
from members.spreadsheets.columns import (
    CHOICES,
    HELP_SHEET,
    MEMBER_COLUMNS,
    MEMBER_SHEET,
    ORG_COLUMNS,
    ORG_CREATABLE_KINDS,
    ORG_SHEET,
    _choices_of,
)
from orgs.models import Campus


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
    book = XlsxBook()
    workbook = book.workbook
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
    return book.close()


def members_xlsx(members: Iterable[Member], *, user: Any, unit_names: Mapping[str, str]) -> bytes:
    """A member list in the template's columns, phone and ID number masked for `user`.

    `members` need `branch` selected; `unit_names` maps a unit's path to its name. Written
    row by row (xlsxwriter's constant_memory mode) so a long list stays small in memory."""
    masker = Masker(user)
    campuses = dict(Campus.objects.values_list("pk", "name"))
    labels = {name: dict(_choices_of(name)) for name in CHOICES}
    labels["cadre_rank"][""] = ""
    book = XlsxBook(constant_memory=True)
    workbook = book.workbook
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
    return book.close()


ERROR_HEADERS = (("工作表", 14), ("行号", 8), ("列", 16), ("原因", 70))


def errors_xlsx(errors: Iterable[Mapping[str, Any]], *, filename: str) -> bytes:
    """An import's problems, one row each, to fix a large file from a list."""
    book = XlsxBook()
    fmt = _formats(book.workbook)
    sheet = book.sheet("错误清单")
    book.cell(
        sheet, 0, 0, f"「{filename}」导入错误清单（整个文件未导入，请修改后重新上传）", fmt["title"]
    )
    for col, (header, width) in enumerate(ERROR_HEADERS):
        sheet.set_column(col, col, width, fmt["wrap"] if header == "原因" else None)
        book.cell(sheet, 1, col, header, fmt["header"])
    for line, error in enumerate(errors, start=2):
        values = (error["sheet"], error["row"], error["column"] or "—", error["message"])
        book.row(sheet, line, values)
    sheet.freeze_panes(2, 0)
    return book.close()
