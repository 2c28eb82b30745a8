"""The first-login journey in Chromium: a unit admin makes logins for a branch, downloads
the sheet of initial passwords, and a member signs in with theirs and must change it."""

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from conftest import Cast, sign_in

pytestmark = pytest.mark.browser


def test_unit_admin_issues_logins_and_a_member_changes_the_first_password(
    cast: Cast, live_server: Any, page: Page, tmp_path: Path, transactional_db: Any
) -> None:
    base = live_server.url
    sign_in(page, base, "unit_a_admin")
    page.goto(f"{base}/members/?branch={cast.branch_a2.pk}")
    page.click("#accounts-link")
    expect(page.locator("#count-without")).to_have_text("1")

    with page.expect_download() as download_info:
        page.click("#create-accounts")
    download = download_info.value
    assert download.suggested_filename.startswith("初始密码")
    sheet_path = tmp_path / "initial.xlsx"
    download.save_as(sheet_path)
    rows = list(openpyxl.load_workbook(sheet_path)["初始密码"].iter_rows(values_only=True))
    assert rows[1][:4] == ("王五", "A0002", "计算机学生党支部", "A0002")
    password = rows[1][4]

    page.reload()
    expect(page.locator("#count-without")).to_have_text("0")
    expect(page.get_by_text("已创建 1 个登录账号")).to_be_visible()

    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("#id_username", "A0002")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/password/")
    expect(page.locator("#password-forced")).to_be_visible()
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/password/")

    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", "short")
    page.fill("#id_new_password2", "short")
    page.click("main button[type=submit]")
    expect(page.get_by_text("密码太短")).to_be_visible()

    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", "Spring-in-Wuhan-2020")
    page.fill("#id_new_password2", "Spring-in-Wuhan-2020")
    page.click("main button[type=submit]")
    expect(page).to_have_url(f"{base}/")
    expect(page.get_by_text("密码已修改")).to_be_visible()


def test_unit_admin_grants_a_member_picked_from_suggestions(
    cast: Cast, live_server: Any, page: Page, transactional_db: Any
) -> None:
    base = live_server.url
    sign_in(page, base, "unit_a_admin")
    page.goto(f"{base}/grants/")

    page.fill("#id_person", "张")
    expect(page.locator("#people-options option")).to_have_count(1)
    assert page.locator("#people-options option").get_attribute("value") == "A0001"
    page.fill("#id_person", "李")  # another unit's member: no suggestion
    expect(page.locator("#people-options option")).to_have_count(0)

    page.fill("#id_person", "A0001")
    page.select_option("#id_org", label="计算机教工第一党支部")
    page.select_option("#id_role", label="支部书记")
    page.click("main button[type=submit]")

    expect(page.get_by_text("已授权。")).to_be_visible()
    expect(page.locator("tbody tr", has_text="member_a")).to_contain_text("支部书记")
