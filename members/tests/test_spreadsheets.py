"""Reading member workbooks into a plan, the template, and the export."""

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from access.scope import members_for_user
from lib.xlsx import XlsxError
from members.models import CadreRank, Member, Whereabouts
from members.spreadsheets import (
    MEMBER_COLUMNS,
    members_xlsx,
    parse_workbook,
    template_xlsx,
)
from orgs.models import Org, OrgKind
from orgs.tests.factories import make_org

HEADERS = [c.title for c in MEMBER_COLUMNS]
GOOD = {
    "学工号*": "2020001",
    "姓名*": "测试",
    "类别*": "教工",
    "政治面貌*": "正式党员",
    "所在单位*": "计算机学院党委",
    "党支部*": "计算机教工第一党支部",
}


def build_xlsx(
    rows: list[dict[str, Any]],
    *,
    headers: list[str] | None = None,
    title_rows: int = 0,
    sheet: str = "党员",
    org_rows: list[dict[str, Any]] | None = None,
) -> bytes:
    """A workbook as a person might make it: optional merged title rows above the header,
    cells typed as given (str, int, float, date)."""
    headers = headers or HEADERS
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    members = workbook.add_worksheet(sheet)
    for r in range(title_rows):
        members.merge_range(r, 0, r, len(headers) - 1, f"2020年党员名册（第{r + 1}行标题）")
    _write_table(members, title_rows, headers, rows, date_format)
    if org_rows is not None:
        org_headers = ["上级组织", "组织名称*", "类型*", "校区", "书记", "组织员", "联系邮箱"]
        _write_table(workbook.add_worksheet("组织"), 0, org_headers, org_rows, date_format)
    workbook.close()
    return buffer.getvalue()


def _write_table(
    sheet: Any, top: int, headers: list[str], rows: list[dict[str, Any]], date_format: Any
) -> None:
    sheet.write_row(top, 0, headers)
    for r, row in enumerate(rows, start=top + 1):
        for c, header in enumerate(headers):
            value = row.get(header, "")
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, date_format)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif value != "":
                sheet.write_string(r, c, value)


def row(**overrides: Any) -> dict[str, Any]:
    """A good member row with some cells replaced; keys use the header without "*"."""
    out = dict(GOOD)
    for key, value in overrides.items():
        header = f"{key}*" if f"{key}*" in GOOD else key
        out[header] = value
    return out


def parse_one(cast: Any, who: str = "school_admin", **overrides: Any) -> Any:
    data = build_xlsx([row(**overrides)], title_rows=1)
    return parse_workbook(data, user=cast.users[who])


# --- messy but good -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "expected"),
    [
        ({"学工号": 2020001.0}, "number", "2020001"),
        ({"学工号": 2020001}, "number", "2020001"),
        ({"学工号": "２０２０００１"}, "number", "2020001"),
        ({"学工号": " 2020001 "}, "number", "2020001"),
        ({"姓名": "张三  "}, "name", "张三"),
        ({"姓名": "欧阳　娜娜"}, "name", "欧阳 娜娜"),
        ({"所在单位": "计算机学院党委 "}, "branch_id", "A1"),
        ({"党支部": "计算机教工第一党支部　"}, "branch_id", "A1"),
        ({"手机号": "138 0013 8000"}, "phone", "13800138000"),
        ({"手机号": "138-0013-8000"}, "phone", "13800138000"),
        ({"手机号": "+86 138 0013 8000"}, "phone", "13800138000"),
        ({"手机号": 13800138000.0}, "phone", "13800138000"),
        ({"手机号": "１３８００１３８０００"}, "phone", "13800138000"),
        ({"身份证号": "11010519491231002x"}, "id_number", "11010519491231002X"),
        ({"入党日期": "2020-02-23"}, "joined_on", "2020-02-23"),
        ({"入党日期": "2020.2.23"}, "joined_on", "2020-02-23"),
        ({"入党日期": "2020/2/23"}, "joined_on", "2020-02-23"),
        ({"入党日期": "2020年2月23日"}, "joined_on", "2020-02-23"),
        ({"入党日期": dt.date(2020, 2, 23)}, "joined_on", "2020-02-23"),
        ({"入党日期": 43884.0}, "joined_on", "2020-02-23"),
        ({"政治面貌起始日期": "２０２０－０２－２３"}, "status_since", "2020-02-23"),
        ({"入党日期": ""}, "joined_on", None),
        ({"性别": "女"}, "gender", "female"),
        ({"类别": "学生"}, "category", "student"),
        ({"政治面貌": "入党积极分子"}, "political_status", "activist"),
        ({"政治面貌": " 预备党员 "}, "political_status", "probationary"),
        ({"干部职级": "正处级"}, "cadre_rank", CadreRank.DIVISION),
        ({"干部职级": ""}, "cadre_rank", ""),
        ({"校区": "主校区"}, "campus_id", "campus"),
        ({"当前去向": "隔离"}, "whereabouts", Whereabouts.QUARANTINED),
        ({"宿舍号": 301.0}, "dorm_room", "301"),
        ({"班级": "计科 2001 班"}, "class_name", "计科 2001 班"),
    ],
)
def test_messy_good_cells_are_cleaned(
    cast: Any, overrides: dict[str, Any], field: str, expected: Any
) -> None:
    plan = parse_one(cast, **overrides)
    assert plan.errors == []
    assert plan.create_count == 1
    if expected == "A1":
        expected = cast.branch_a1.pk
    elif expected == "campus":
        expected = cast.member_a.campus_id
    assert plan.rows[0][field] == expected


def test_blank_whereabouts_is_left_out_so_new_members_start_on_campus(cast: Any) -> None:
    plan = parse_one(cast, 当前去向="")
    assert "whereabouts" not in plan.rows[0]


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "column", "message"),
    [
        ({"学工号": ""}, "学工号", "必填项为空"),
        ({"姓名": "  "}, "姓名", "必填项为空"),
        ({"类别": ""}, "类别", "必填项为空"),
        ({"政治面貌": ""}, "政治面貌", "必填项为空"),
        ({"所在单位": ""}, "所在单位", "必填项为空"),
        ({"党支部": ""}, "党支部", "必填项为空"),
        ({"党支部": "不存在的党支部"}, "党支部", "未知党支部"),
        ({"所在单位": "化学学院党委"}, "党支部", "未知党支部"),
        ({"手机号": "1380013800"}, "手机号", "手机号格式不正确"),
        ({"手机号": "12800138000"}, "手机号", "手机号格式不正确"),
        ({"手机号": "010-62751234"}, "手机号", "手机号格式不正确"),
        ({"身份证号": "110105194912310021"}, "身份证号", "校验位不正确"),
        ({"身份证号": "11010519491231002"}, "身份证号", "应为 18 位"),
        ({"身份证号": "110105491231002"}, "身份证号", "应为 18 位"),
        ({"入党日期": "2021-02-30"}, "入党日期", "日期不存在"),
        ({"去向起始日期": "2021年2月30日"}, "去向起始日期", "日期不存在"),
        ({"政治面貌起始日期": "上个月"}, "政治面貌起始日期", "无法识别的日期"),
        ({"类别": "博士后"}, "类别", "不是有效的类别"),
        ({"政治面貌": "党员"}, "政治面貌", "不是有效的政治面貌"),
        ({"性别": "未知"}, "性别", "不是有效的性别"),
        ({"干部职级": "科员"}, "干部职级", "不是有效的干部职级"),
        ({"当前去向": "出差"}, "当前去向", "不是有效的当前去向"),
        ({"校区": "火星校区"}, "校区", "未知校区"),
        ({"姓名": "长" * 51}, "姓名", "不能超过 50 个字符"),
        ({"手机号": "138****0001"}, "手机号", "已脱敏"),
    ],
)
def test_bad_cells_are_refused_with_row_column_and_reason(
    cast: Any, overrides: dict[str, Any], column: str, message: str
) -> None:
    plan = parse_one(cast, **overrides)
    assert len(plan.errors) == 1, plan.errors
    error = plan.errors[0]
    # row 1 is the merged title, row 2 the header: the data row is Excel row 3
    assert (error.sheet, error.row, error.column) == ("党员", 3, column)
    assert message in error.message
    assert plan.rows == []


def test_every_bad_row_is_listed_not_just_the_first(cast: Any) -> None:
    rows = [
        row(学工号="1", 手机号="123"),
        row(学工号="2"),
        row(学工号="3", 类别="?", 入党日期="2021-02-30"),
        row(学工号="4", 党支部="无此支部"),
    ]
    plan = parse_workbook(build_xlsx(rows), user=cast.users["school_admin"])
    assert [(e.row, e.column) for e in plan.errors] == [
        (2, "手机号"),
        (4, "类别"),
        (4, "入党日期"),
        (5, "党支部"),
    ]
    assert plan.create_count == 1


def test_duplicate_number_within_the_file_is_refused(cast: Any) -> None:
    rows = [row(学工号="2020001"), row(学工号="2020002"), row(学工号=2020001.0)]
    plan = parse_workbook(build_xlsx(rows), user=cast.users["school_admin"])
    assert [(e.row, e.column) for e in plan.errors] == [(4, "学工号")]
    assert "与第 2 行重复" in plan.errors[0].message


def test_missing_required_column_is_reported_on_the_header_row(cast: Any) -> None:
    headers = [h for h in HEADERS if h != "党支部*"]
    plan = parse_workbook(
        build_xlsx([row()], headers=headers, title_rows=2), user=cast.users["school_admin"]
    )
    assert [(e.row, e.column, e.message) for e in plan.errors] == [(3, "党支部", "缺少必填列")]


# --- finding the header ---------------------------------------------------------------------


def test_header_is_found_below_title_rows_and_tolerates_stars_and_spaces(cast: Any) -> None:
    headers = [f" {h.replace('*', ' ＊')} " for h in HEADERS]
    data = build_xlsx(
        [{h: v for h, v in zip(headers, _values(row()), strict=True)}],
        headers=headers,
        title_rows=3,
    )
    plan = parse_workbook(data, user=cast.users["school_admin"])
    assert plan.errors == []
    assert plan.rows[0]["row"] == 5


def _values(r: dict[str, Any]) -> list[Any]:
    return [r.get(h, "") for h in HEADERS]


def test_header_columns_may_be_reordered_and_named_by_aliases(cast: Any) -> None:
    headers = ["党支部", "姓名", "学号", "所在单位", "类别", "政治面貌", "手机"]
    values = {
        "党支部": "计算机学生党支部",
        "姓名": "李雷",
        "学号": 2021001.0,
        "所在单位": "计算机学院党委",
        "类别": "学生",
        "政治面貌": "发展对象",
        "手机": "+86 139-0000-0000",
    }
    plan = parse_workbook(
        build_xlsx([values], headers=headers, sheet="Sheet1"), user=cast.users["unit_a_admin"]
    )
    assert plan.errors == []
    assert plan.rows[0] == {
        "sheet": "党员",
        "row": 2,
        "number": "2021001",
        "name": "李雷",
        "category": "student",
        "political_status": "development_target",
        "phone": "13900000000",
        "branch_id": cast.branch_a2.pk,
    }


def test_workbook_edited_in_openpyxl_with_merged_title_is_read(cast: Any) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "党员"
    ws.append(["计算机学院党员信息表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws.append([])
    ws.append(HEADERS)
    ws.append(_values(row(学工号="２０２０００９", 入党日期=dt.datetime(2019, 7, 1))))
    buffer = io.BytesIO()
    wb.save(buffer)
    plan = parse_workbook(buffer.getvalue(), user=cast.users["unit_a_admin"])
    assert plan.errors == []
    assert (plan.rows[0]["row"], plan.rows[0]["number"]) == (4, "2020009")
    assert plan.rows[0]["joined_on"] == "2019-07-01"


@pytest.mark.parametrize(
    "data",
    [b"", b"not a workbook", b"PK\x03\x04 broken zip", "学工号,姓名\n1,张三".encode()],
)
def test_unreadable_file_raises_with_a_chinese_message(cast: Any, data: bytes) -> None:
    with pytest.raises(XlsxError, match=r"xlsx|工作簿"):
        parse_workbook(data, user=cast.users["school_admin"])


def test_workbook_without_member_header_raises(cast: Any) -> None:
    data = build_xlsx([{"甲": 1}], headers=["甲", "乙"], sheet="Sheet1")
    with pytest.raises(XlsxError, match="表头"):
        parse_workbook(data, user=cast.users["school_admin"])


# --- scope and branches ---------------------------------------------------------------------


def test_unit_admin_gets_unknown_branch_for_unit_b_without_leaking_names(cast: Any) -> None:
    plan = parse_one(cast, "unit_a_admin", 所在单位="化学学院党委", 党支部="化学教工党支部")
    assert [(e.column, e.row) for e in plan.errors] == [("党支部", 3)]
    assert "未知党支部" in plan.errors[0].message
    plan = parse_one(cast, "unit_a_admin", 党支部="化学教工党支部")
    assert "化学学院党委" not in plan.errors[0].message


def test_unit_admin_cannot_take_over_a_unit_b_member_by_number(cast: Any) -> None:
    plan = parse_one(cast, "unit_a_admin", 学工号="B0001")
    assert [(e.column, e.message) for e in plan.errors] == [
        (
            "学工号",
            "学工号已被占用或不在您的管理范围内，无法导入；如需转入本单位，请联系组织部",
        )
    ]


def test_another_units_number_tells_nothing_of_who_holds_it(cast: Any) -> None:
    held = Member.objects.get(number="B0001")
    plan = parse_one(cast, "unit_a_admin", 学工号="B0001")
    (error,) = plan.errors
    for secret in ("党员", held.name, held.branch.name, cast.unit_b.name, "之外"):
        assert secret not in error.message


def test_branch_directly_under_the_school_is_found_by_the_school_name(cast: Any) -> None:
    branch = make_org(cast.school, "机关第一党支部", OrgKind.BRANCH)
    plan = parse_one(cast, 所在单位="示范大学党委", 党支部="机关第一党支部")
    assert plan.errors == []
    assert plan.rows[0]["branch_id"] == branch.pk


def test_branch_under_a_general_branch_is_found_by_its_unit(cast: Any) -> None:
    general = make_org(cast.unit_a, "计算机学院党总支", OrgKind.GENERAL_BRANCH)
    branch = make_org(general, "软件工程党支部", OrgKind.BRANCH)
    plan = parse_one(cast, "unit_a_admin", 党支部="软件工程党支部")
    assert plan.errors == []
    assert plan.rows[0]["branch_id"] == branch.pk


def test_counts_new_updated_and_unchanged(cast: Any) -> None:
    member = cast.member_a
    same = {
        "学工号*": member.number,
        "姓名*": member.name,
        "类别*": "教工",
        "政治面貌*": "正式党员",
        "所在单位*": "计算机学院党委",
        "党支部*": "计算机教工第一党支部",
    }
    rows = [same, row(学工号="A0002", 党支部="计算机学生党支部", 姓名="王五改"), row()]
    headers = list(GOOD)
    plan = parse_workbook(build_xlsx(rows, headers=headers), user=cast.users["unit_a_admin"])
    assert plan.errors == []
    assert (plan.create_count, plan.update_count, plan.unchanged_count) == (1, 1, 1)


# --- the org sheet --------------------------------------------------------------------------


def test_org_rows_plan_new_branches_that_member_rows_can_use(cast: Any) -> None:
    orgs = [
        {"上级组织": "计算机学院党委", "组织名称*": "计算机教工第二党支部", "类型*": "党支部"},
        {"上级组织": "计算机教工第二党支部", "组织名称*": "第一党小组", "类型*": "党小组"},
        {"上级组织": "计算机学院党委", "组织名称*": "计算机学生党支部", "类型*": "党支部"},
    ]
    data = build_xlsx([row(党支部="计算机教工第二党支部")], org_rows=orgs)
    plan = parse_workbook(data, user=cast.users["unit_a_admin"])
    assert plan.errors == []
    assert [(r["name"], r["parent_id"], r["parent_ref"]) for r in plan.org_rows] == [
        ("计算机教工第二党支部", cast.unit_a.pk, None),
        ("第一党小组", None, 0),
    ]
    assert (plan.rows[0]["branch_id"], plan.rows[0]["branch_ref"]) == (None, 0)


@pytest.mark.parametrize(
    ("org", "column", "message"),
    [
        (
            {"上级组织": "", "组织名称*": "新学院党委", "类型*": "二级党委"},
            "上级组织",
            "无权在校党委下直接新建组织",
        ),
        (
            {"上级组织": "化学学院党委", "组织名称*": "化学第二党支部", "类型*": "党支部"},
            "上级组织",
            "未找到上级组织",
        ),
        (
            {"上级组织": "计算机学院党委", "组织名称*": "小组", "类型*": "党小组"},
            "类型",
            "二级党委下不能设立党小组",
        ),
        (
            {"上级组织": "计算机学院党委", "组织名称*": "X", "类型*": "团支部"},
            "类型",
            "不是有效的类型",
        ),
        ({"上级组织": "计算机学院党委", "组织名称*": "", "类型*": "党支部"}, "组织名称", "必填"),
        (
            {"上级组织": "计算机学院党委", "组织名称*": "X", "类型*": "党支部", "联系邮箱": "x@"},
            "联系邮箱",
            "邮箱格式不正确",
        ),
    ],
)
def test_bad_org_rows_are_refused(
    cast: Any, org: dict[str, Any], column: str, message: str
) -> None:
    data = build_xlsx([row()], org_rows=[org])
    plan = parse_workbook(data, user=cast.users["unit_a_admin"])
    assert [(e.sheet, e.row, e.column) for e in plan.errors] == [("组织", 2, column)]
    assert message in plan.errors[0].message


# --- template -------------------------------------------------------------------------------


def test_template_has_the_sheets_columns_and_an_example_that_parses(cast: Any) -> None:
    data = template_xlsx()
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert workbook.sheet_names == ["党员", "组织", "说明"]
    rows = workbook.get_sheet_by_name("党员").to_python()
    assert rows[0] == HEADERS
    assert rows[0][:2] == ["学工号*", "姓名*"]
    assert rows[1][0] == "2020001"
    help_text = str(workbook.get_sheet_by_name("说明").to_python())
    for column in MEMBER_COLUMNS:
        assert column.header in help_text
    plan = parse_workbook(data, user=cast.users["school_admin"])
    assert plan.errors == []
    assert (plan.create_count, len(plan.org_rows)) == (1, 0)  # example orgs already exist


# --- export ---------------------------------------------------------------------------------


def _export(cast: Any, who: str) -> bytes:
    user = cast.users[who]
    members = members_for_user(user).select_related("branch").order_by("number")
    unit_names = dict(Org.objects.filter(depth=2).values_list("path", "name"))
    return members_xlsx(members, user=user, unit_names=unit_names)


def _export_rows(data: bytes) -> dict[str, dict[str, Any]]:
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("党员").to_python()
    assert rows[0] == HEADERS
    return {str(r[0]): dict(zip(HEADERS, r, strict=False)) for r in rows[1:]}


def test_export_masks_phone_and_id_for_duty_office(cast: Any) -> None:
    rows = _export_rows(_export(cast, "duty_office"))
    assert set(rows) == {"A0001", "A0002", "B0001", "B0002"}
    assert rows["A0001"]["手机号"] == "138****0001"
    assert rows["A0001"]["身份证号"] == "1101************2X"
    assert rows["A0001"]["所在单位*"] == "计算机学院党委"
    assert rows["A0001"]["党支部*"] == "计算机教工第一党支部"
    assert rows["A0001"]["政治面貌*"] == "正式党员"


def test_export_shows_full_phone_to_unit_admin_for_their_unit_only(cast: Any) -> None:
    rows = _export_rows(_export(cast, "unit_a_admin"))
    assert set(rows) == {"A0001", "A0002"}
    assert rows["A0001"]["手机号"] == "13800000001"
    assert rows["A0001"]["身份证号"] == "11010519491231002X"


def test_export_writes_dates_as_dates(cast: Any) -> None:
    Member.objects.filter(pk=cast.member_a.pk).update(joined_on=dt.date(2020, 2, 23))
    rows = _export_rows(_export(cast, "school_admin"))
    assert rows["A0001"]["入党日期"] == dt.date(2020, 2, 23)


@pytest.mark.parametrize("exporter", ["school_admin", "duty_office"])
def test_an_export_reimports_without_changes(cast: Any, exporter: str) -> None:
    """Masked cells (containing *) keep the stored value, so a masked export re-imports."""
    Member.objects.filter(pk=cast.member_a.pk).update(
        joined_on=dt.date(2020, 2, 23), cadre_rank=CadreRank.SECTION, whereabouts="home"
    )
    plan = parse_workbook(_export(cast, exporter), user=cast.users["school_admin"])
    assert plan.errors == []
    assert (plan.create_count, plan.update_count, plan.unchanged_count) == (0, 0, 4)


# --- formulas -------------------------------------------------------------------------------


def test_formula_cells_are_named_as_a_reason_not_read_as_their_cached_value(cast: Any) -> None:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("党员")
    sheet.write_row(0, 0, HEADERS)
    for r, number in ((1, "2020001"), (2, "2020002")):
        sheet.write_row(r, 0, [GOOD.get(h, "") for h in HEADERS])
        sheet.write_string(r, 0, number)
    sheet.write_formula(1, 1, '="张"&"三"', None, "张三")  # 姓名 from a formula, cached
    sheet.write_formula(2, 12, "=A3", None, "")  # 手机号 from a formula, never computed
    sheet.write_formula(2, 20, "=1+1", None, 2)  # a column the import does not read
    workbook.close()
    plan = parse_workbook(buffer.getvalue(), user=cast.users["school_admin"])
    assert [(e.row, e.column, e.message) for e in plan.errors] == [
        (2, "姓名", "B2 单元格是公式，请粘贴为数值（复制后「选择性粘贴 → 数值」）"),
        (3, "手机号", "M3 单元格是公式，请粘贴为数值（复制后「选择性粘贴 → 数值」）"),
    ]
    assert plan.rows == []
