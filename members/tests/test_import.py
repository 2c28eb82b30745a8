"""The import services and pages: preview, all-or-nothing apply, re-import, scope, once."""

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from access.models import Grant
from access.scope import forget
from audit.models import AuditEvent
from lib.tests.test_xlsx import cell, crafted
from members import forms_import, imports
from members.imports import import_batch_apply, import_batch_create
from members.models import (
    ImportBatch,
    Member,
    PoliticalStatus,
    StatusChange,
    Transfer,
    Whereabouts,
    WhereaboutsChange,
    pack_rows,
    unpack_rows,
)
from members.spreadsheets import parse_workbook
from members.tests.test_spreadsheets import GOOD, build_xlsx, row
from orgs.models import Org, OrgKind


def batch_for(cast: Any, who: str, rows: list[dict[str, Any]], **kwargs: Any) -> ImportBatch:
    data = build_xlsx(rows, **kwargs)
    return import_batch_create(actor=cast.users[who], filename="名册.xlsx", data=data)


def new_rows(count: int, **overrides: Any) -> list[dict[str, Any]]:
    return [row(学工号=f"N{i:04d}", 姓名=f"新党员{i}", **overrides) for i in range(count)]


# --- services -------------------------------------------------------------------------------


def test_import_creates_members_and_writes_one_audit_record(cast: Any) -> None:
    batch = batch_for(cast, "unit_a_admin", new_rows(3, 手机号="138 0000 9999"))
    assert (batch.state, batch.create_count, batch.update_count) == ("preview", 3, 0)
    assert not Member.objects.filter(number__startswith="N").exists()  # preview writes nothing

    batch = import_batch_apply(actor=cast.users["unit_a_admin"], batch=batch)

    assert batch.state == ImportBatch.State.APPLIED
    created = Member.objects.filter(number__startswith="N")
    assert created.count() == 3
    assert set(created.values_list("branch_id", "phone", "whereabouts")) == {
        (cast.branch_a1.pk, "13800009999", Whereabouts.ON_CAMPUS)
    }
    events = AuditEvent.objects.filter(action="member.import")
    assert events.count() == 1
    assert events[0].changes["created"] == 3


def test_reimport_updates_by_number_instead_of_duplicating(cast: Any) -> None:
    admin = cast.users["unit_a_admin"]
    import_batch_apply(actor=admin, batch=batch_for(cast, "unit_a_admin", new_rows(2)))
    total = Member.objects.count()

    again = batch_for(
        cast,
        "unit_a_admin",
        [row(学工号="N0000", 姓名="改名了"), row(学工号="N0001", 姓名="新党员1")],
    )
    assert (again.create_count, again.update_count) == (0, 1)
    import_batch_apply(actor=admin, batch=again)

    assert Member.objects.count() == total
    assert Member.objects.get(number="N0000").name == "改名了"


def test_changed_status_whereabouts_and_branch_write_history(cast: Any) -> None:
    member = cast.member_a
    batch = batch_for(
        cast,
        "unit_a_admin",
        [
            {
                **row(学工号=member.number, 姓名=member.name),
                "政治面貌*": "预备党员",
                "政治面貌起始日期": "2020.2.23",
                "当前去向": "隔离",
                "党支部*": "计算机学生党支部",
            }
        ],
    )
    assert batch.update_count == 1
    import_batch_apply(actor=cast.users["unit_a_admin"], batch=batch)

    member.refresh_from_db()
    assert member.political_status == PoliticalStatus.PROBATIONARY
    assert member.whereabouts == Whereabouts.QUARANTINED
    assert member.branch_id == cast.branch_a2.pk
    status = StatusChange.objects.get(member=member)
    assert (status.from_status, status.to_status, status.changed_on) == (
        "full",
        "probationary",
        dt.date(2020, 2, 23),
    )
    where = WhereaboutsChange.objects.get(member=member)
    assert (where.from_whereabouts, where.to_whereabouts) == ("on_campus", "quarantined")
    assert member.whereabouts_since == where.changed_on
    assert Transfer.objects.get(member=member).from_branch_id == cast.branch_a1.pk


def test_unchanged_rows_write_nothing(cast: Any) -> None:
    member = cast.member_a
    before = member.updated_at
    rows = [row(学工号=member.number, 姓名=member.name)]
    batch = batch_for(cast, "unit_a_admin", rows, headers=list(GOOD))
    assert (batch.create_count, batch.update_count) == (0, 0)
    import_batch_apply(actor=cast.users["unit_a_admin"], batch=batch)
    member.refresh_from_db()
    assert member.updated_at == before
    assert not StatusChange.objects.exists()


def test_a_file_with_one_bad_row_leaves_the_database_unchanged(cast: Any) -> None:
    rows = [*new_rows(3), row(学工号="BAD1", 手机号="12345")]
    total = Member.objects.count()
    batch = batch_for(cast, "unit_a_admin", rows)
    assert batch.state == ImportBatch.State.REJECTED
    assert batch.errors == [
        {"sheet": "党员", "row": 5, "column": "手机号", "message": batch.errors[0]["message"]}
    ]
    with pytest.raises(ValidationError):
        import_batch_apply(actor=cast.users["unit_a_admin"], batch=batch)
    assert Member.objects.count() == total


def test_an_apply_that_fails_midway_leaves_nothing(cast: Any, monkeypatch: Any) -> None:
    orgs = [{"上级组织": "计算机学院党委", "组织名称*": "新党支部", "类型*": "党支部"}]
    member = cast.member_a
    rows = [*new_rows(5), row(学工号=member.number, 姓名="改名", 党支部="新党支部")]
    batch = batch_for(cast, "unit_a_admin", rows, org_rows=orgs)
    total, org_total = Member.objects.count(), Org.objects.count()

    def boom(**kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "audit_record", boom)  # the very last write
    with pytest.raises(RuntimeError):
        import_batch_apply(actor=cast.users["unit_a_admin"], batch=batch)

    assert Member.objects.count() == total
    assert Org.objects.count() == org_total
    member.refresh_from_db()
    assert member.name == "张三"
    assert not Transfer.objects.exists()
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.PREVIEW


def test_apply_twice_creates_once(cast: Any) -> None:
    admin = cast.users["unit_a_admin"]
    batch = batch_for(cast, "unit_a_admin", new_rows(2))
    import_batch_apply(actor=admin, batch=batch)
    with pytest.raises(ValidationError, match="已经导入"):
        import_batch_apply(actor=admin, batch=batch)
    assert Member.objects.filter(number__startswith="N").count() == 2
    assert AuditEvent.objects.filter(action="member.import").count() == 1


def test_only_the_creator_may_apply(cast: Any) -> None:
    batch = batch_for(cast, "unit_a_admin", new_rows(1))
    with pytest.raises(PermissionDenied):
        import_batch_apply(actor=cast.users["school_admin"], batch=batch)
    assert not Member.objects.filter(number__startswith="N").exists()


def test_unit_admin_cannot_import_into_unit_b(cast: Any) -> None:
    rows = [row(所在单位="化学学院党委", 党支部="化学教工党支部")]
    batch = batch_for(cast, "unit_a_admin", rows)
    assert batch.state == ImportBatch.State.REJECTED
    assert [(e["row"], e["column"]) for e in batch.errors] == [(2, "党支部")]
    assert "未知党支部" in batch.errors[0]["message"]
    # the school admin may
    assert batch_for(cast, "school_admin", rows).state == ImportBatch.State.PREVIEW


def test_apply_rechecks_scope(cast: Any) -> None:
    batch = batch_for(cast, "unit_a_admin", new_rows(1))
    Grant.objects.filter(user=cast.users["unit_a_admin"]).update(org=cast.unit_b)
    forget(cast.users["unit_a_admin"])
    with pytest.raises(ValidationError, match="不在您的管理范围内"):
        import_batch_apply(actor=cast.users["unit_a_admin"], batch=batch)
    assert not Member.objects.filter(number__startswith="N").exists()


def test_org_rows_create_orgs_before_members(cast: Any) -> None:
    orgs = [
        {
            "上级组织": "计算机学院党委",
            "组织名称*": "计算机教工第二党支部",
            "类型*": "党支部",
            "书记": "李四",
        },
        {"上级组织": "计算机教工第二党支部", "组织名称*": "第一党小组", "类型*": "党小组"},
    ]
    batch = batch_for(cast, "unit_a_admin", [row(党支部="计算机教工第二党支部")], org_rows=orgs)
    assert (batch.errors, batch.org_count) == ([], 2)
    import_batch_apply(actor=cast.users["unit_a_admin"], batch=batch)

    branch = Org.objects.get(name="计算机教工第二党支部")
    assert (branch.kind, branch.secretary, branch.get_parent()) == (
        OrgKind.BRANCH,
        "李四",
        cast.unit_a,
    )
    assert Org.objects.get(name="第一党小组").get_parent() == branch
    assert Member.objects.get(number="2020001").branch == branch


def test_a_batch_keeps_its_rows_exactly_as_read(cast: Any) -> None:
    """Stored packed, read back equal: a key absent from a row (a blank 当前去向 leaves the
    member's whereabouts as they are) stays absent, org rows and member rows keep their order."""
    orgs = [{"上级组织": "计算机学院党委", "组织名称*": "计算机教工第二党支部", "类型*": "党支部"}]
    rows = [row(党支部="计算机教工第二党支部", 当前去向=""), row(学工号="2020002", 当前去向="在校")]
    data = build_xlsx(rows, org_rows=orgs)
    plan = parse_workbook(data, user=cast.users["unit_a_admin"])
    assert "whereabouts" not in plan.rows[0] and plan.rows[1]["whereabouts"] == "on_campus"

    batch = import_batch_create(actor=cast.users["unit_a_admin"], filename="名册.xlsx", data=data)

    stored = ImportBatch.objects.get(pk=batch.pk)
    assert stored.rows == [*plan.org_rows, *plan.rows]
    assert pack_rows([]) and unpack_rows(pack_rows([])) == [] and unpack_rows(b"") == []


# --- pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["branch_secretary", "duty_office", "reviewer", "member_a"])
@pytest.mark.parametrize("url", ["/members/import/", "/members/import/template.xlsx"])
def test_import_pages_refuse_users_without_import_permission(cast: Any, who: str, url: str) -> None:
    assert cast.client(who).get(url).status_code == 403


def test_import_pages_need_login(cast: Any) -> None:
    response = cast.client("anonymous").get("/members/import/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_template_download_is_an_xlsx(cast: Any) -> None:
    response = cast.client("unit_a_admin").get("/members/import/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert workbook.sheet_names == ["党员", "组织", "说明"]


def _upload(client: Any, data: bytes, name: str = "名册.xlsx") -> Any:
    return client.post("/members/import/", {"file": SimpleUploadedFile(name, data)})


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("名册.xls", b"\xd0\xcf\x11\xe0", "只支持 .xlsx"),
        ("名册.csv", "学工号,姓名".encode(), "只支持 .xlsx"),
        ("名册.xlsx", b"this is not a zip", "不是有效的 .xlsx"),
        ("名册.xlsx", b"PK\x03\x04garbage", "无法读取"),
    ],
)
def test_upload_refuses_files_that_are_not_xlsx(
    cast: Any, name: str, data: bytes, message: str
) -> None:
    response = _upload(cast.client("unit_a_admin"), data, name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_sheet_reaching_the_last_cell_is_refused_through_the_page_and_the_server_lives(
    cast: Any,
) -> None:
    # 1.8 KB whose cells sit at A1 and XFD1048576: read as a grid, 512 GB.
    data = crafted(
        f'<row r="1">{cell("A1", "1")}</row><row r="1048576">{cell("XFD1048576", "1")}</row>'
    )
    response = _upload(cast.client("unit_a_admin"), data)
    assert response.status_code == 200
    assert "一直到第 1048576 行（XFD1048576）" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_upload_refuses_files_over_20_mb(cast: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(forms_import, "MAX_UPLOAD_BYTES", 10)
    response = _upload(cast.client("unit_a_admin"), build_xlsx(new_rows(1)))
    assert "文件不能超过 20 MB" in response.content.decode()


def test_upload_preview_apply_journey(cast: Any) -> None:
    client = cast.client("unit_a_admin")
    member = cast.member_a
    rows = [*new_rows(2), row(学工号=member.number, 姓名="张三丰")]
    response = _upload(client, build_xlsx(rows, title_rows=1))
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert response["Location"] == f"/members/import/{batch.pk}/"

    page = client.get(response["Location"]).content.decode()
    assert re.search(r'id="count-create">2<', page)
    assert re.search(r'id="count-update">1<', page)
    assert "应用导入" in page
    token = re.search(r'name="form_token" value="([^"]+)"', page)
    assert token is not None

    apply_url = f"/members/import/{batch.pk}/apply/"
    response = client.post(apply_url, {"form_token": token[1]})
    assert response.status_code == 302
    assert response["Location"] == "/members/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["已导入：新增 2 人，更新 1 人"]
    # a double click resends the same token: sent to the first result, nothing written again
    again = client.post(apply_url, {"form_token": token[1]})
    assert again.status_code == 302
    assert Member.objects.filter(number__startswith="N").count() == 2
    assert AuditEvent.objects.filter(action="member.import").count() == 1
    member.refresh_from_db()
    assert member.name == "张三丰"


def test_preview_lists_errors_and_offers_no_apply(cast: Any) -> None:
    client = cast.client("unit_a_admin")
    rows = [row(学工号="1", 身份证号="110105194912310021"), row(学工号="1")]
    _upload(client, build_xlsx(rows, title_rows=2))
    batch = ImportBatch.objects.get()
    page = client.get(f"/members/import/{batch.pk}/").content.decode()
    assert "应用导入" not in page
    assert '<td>4</td><td class="text-nowrap">身份证号</td><td>身份证号校验位不正确</td>' in page
    assert "与第 4 行重复" in page
    response = client.post(f"/members/import/{batch.pk}/apply/", {"form_token": ""})
    assert response.status_code == 302
    assert not Member.objects.filter(number="1").exists()


def test_preview_of_another_users_batch_is_404(cast: Any) -> None:
    batch = batch_for(cast, "unit_a_admin", new_rows(1))
    assert cast.client("unit_b_admin").get(f"/members/import/{batch.pk}/").status_code == 404
    assert cast.client("school_admin").get(f"/members/import/{batch.pk}/").status_code == 404
    response = cast.client("unit_b_admin").post(f"/members/import/{batch.pk}/apply/")
    assert response.status_code == 404
    assert cast.client("unit_a_admin").get(f"/members/import/{batch.pk}/").status_code == 200


def test_apply_is_post_only(cast: Any) -> None:
    batch = batch_for(cast, "unit_a_admin", new_rows(1))
    assert cast.client("unit_a_admin").get(f"/members/import/{batch.pk}/apply/").status_code == 405
