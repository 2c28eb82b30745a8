"""The import's per-object pages: a batch is seen only by the person who uploaded it."""

import io
from typing import Any
from urllib.parse import unquote

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import FORBIDDEN, HIDDEN, OK, ROLES, Cast, expect
from members.models import ImportBatch
from members.tests.test_spreadsheets import build_xlsx, row

# Per-object pages: the batch belongs to one uploader, so the table is written out below.
COVERED_ELSEWHERE = {"member_import_errors"}

ERRORS_URL = "/members/import/{}/errors.xlsx"


@pytest.fixture
def batch(cast: Cast) -> ImportBatch:
    rows = [row(学工号="N0001", 性别="=1+1"), row(学工号="N0002", 类别="老师")]
    data = build_xlsx(rows)
    upload = SimpleUploadedFile("=HYPERLINK(1)名册.xlsx", data)
    response = cast.client("unit_a_admin").post("/members/import/", {"file": upload})
    assert response.status_code == 302
    return ImportBatch.objects.get()


EXPECTED = expect(
    FORBIDDEN,
    unit_a_admin=OK,  # the uploader
    school_admin=HIDDEN,  # may import too, but not see another's batch
    unit_b_admin=HIDDEN,
)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_uploader_downloads_the_errors(cast: Cast, batch: Any, role: str) -> None:
    response = cast.client(role).get(ERRORS_URL.format(batch.pk))
    assert response.status_code == EXPECTED[role]


def test_the_errors_download_lists_every_problem_as_text(cast: Cast, batch: Any) -> None:
    response = cast.client("unit_a_admin").get(ERRORS_URL.format(batch.pk))
    name = unquote(response["Content-Disposition"].split("''", 1)[1])
    assert name == "导入错误清单-=HYPERLINK(1)名册.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["错误清单"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
    assert [(r[0], r[1], r[2]) for r in rows] == [("党员", 2, "性别"), ("党员", 3, "类别")]
    assert rows[0][3].startswith("「=1+1」不是有效的性别")
    assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r)
    page = cast.client("unit_a_admin").get(f"/members/import/{batch.pk}/").content.decode()
    assert ERRORS_URL.format(batch.pk) in page


def test_a_batch_without_errors_has_no_errors_download(cast: Cast) -> None:
    client = cast.client("unit_a_admin")
    upload = SimpleUploadedFile("名册.xlsx", build_xlsx([row(学工号="N0003")]))
    assert client.post("/members/import/", {"file": upload}).status_code == 302
    batch = ImportBatch.objects.get()
    assert client.get(ERRORS_URL.format(batch.pk)).status_code == 404
