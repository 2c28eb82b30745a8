"""The import journey in a real browser: Chromium driven by Playwright against the live server."""

import io
import re
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from playwright.sync_api import Page, expect

from conftest import Cast, sign_in

pytestmark = pytest.mark.browser

HEADER = ["学工号", "姓名", "类别", "政治面貌", "所在单位", "党支部", "手机号"]


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("党员")
    sheet.merge_range(0, 0, 0, len(HEADER) - 1, "计算机学院党员名册（2020年2月）")
    for r, row in enumerate([HEADER, *rows], start=1):
        sheet.write_row(r, 0, row)
    book.close()
    path.write_bytes(buffer.getvalue())
    return path


def test_unit_admin_imports_fixes_errors_and_cannot_open_other_unit(
    cast: Cast, live_server: Any, page: Page, tmp_path: Path, transactional_db: Any
) -> None:
    base = live_server.url
    good = ["A2001", "周八", "教工", "正式党员", "计算机学院党委", "计算机教工第一党支部"]
    bad_file = _xlsx(
        tmp_path / "bad.xlsx",
        [
            [*good, "138-0000-2001"],
            ["A2002", "吴九", "学生", "预备党员", "化学学院党委", "化学教工党支部", "13800002002"],
            [
                "A2003",
                "郑十",
                "学生",
                "入党积极分子",
                "计算机学院党委",
                "计算机学生党支部",
                "12345",
            ],
        ],
    )
    fixed_file = _xlsx(
        tmp_path / "fixed.xlsx",
        [
            [*good, "138-0000-2001"],
            [
                "A2003",
                "郑十",
                "学生",
                "入党积极分子",
                "计算机学院党委",
                "计算机学生党支部",
                "13800002003",
            ],
        ],
    )
    sign_in(page, base, "unit_a_admin")

    page.get_by_role("link", name="批量导入").first.click()
    page.set_input_files("input[type=file]", str(bad_file))
    page.get_by_role("button", name="上传并检查").click()

    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("化学教工党支部")
    expect(errors).to_contain_text("手机号")
    expect(errors.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_role("button", name="应用导入")).to_have_count(0)

    page.goto(f"{base}/members/import/")
    page.set_input_files("input[type=file]", str(fixed_file))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.locator("#count-create")).to_have_text("2")
    page.get_by_role("button", name="应用导入").click()

    expect(page.locator(".alert-success")).to_contain_text("新增 2 人")
    page.fill("#id_q", "周八")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="周八").click()
    expect(page.locator("h1")).to_contain_text("A2001")
    expect(page.locator("body")).to_contain_text("13800002001")

    response = page.goto(f"{base}/members/{cast.member_b.pk}/")
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text("李四")


def test_member_list_filters_in_place_on_a_phone(
    cast: Cast, live_server: Any, page: Page, transactional_db: Any
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "school_admin")
    page.goto(f"{live_server.url}/members/")

    page.select_option("select[name=unit]", label="化学学院党委")

    expect(page.locator("#member-rows tr")).to_have_count(2)
    expect(page).to_have_url(re.compile(rf"unit={cast.unit_b.pk}"))
