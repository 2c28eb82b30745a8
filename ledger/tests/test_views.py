"""干部纪实台账 through its pages: a suggestion accepted with an edit, then both exports."""

import io
import uuid

from django.urls import reverse
from docx import Document

from conftest import Cast
from ledger.models import CadreRecord
from ledger.tests.helpers import cadre_with_shifts
from lib.xlsx import read_workbook


def test_unit_admin_accepts_an_edited_suggestion_and_exports_the_ledger(cast: Cast) -> None:
    checks = cadre_with_shifts(cast)
    client = cast.client("unit_a_admin")
    page = client.get(reverse("ledger_cadre", args=[cast.member_a.pk])).content.decode()
    assert "北门值班值守岗 3 班，签到准时" in page

    url = reverse("ledger_record_new", args=[cast.member_a.pk])
    keys = ",".join(f"check:{c.pk}" for c in checks)
    form = client.get(url, {"text": "3 班", "sources": keys, "suggested": "1"}).content.decode()
    assert "北门值班值守岗" in form
    response = client.post(
        url,
        {
            "form_token": str(uuid.uuid4()),
            "kind": "outstanding",
            "occurred_from": str(checks[0].date),
            "occurred_until": str(checks[-1].date),
            "text": "北门值守 3 班，签到准时，主动承担夜间巡查",
            "sources": keys,
            "suggested": "True",
        },
    )
    assert response.status_code == 302
    record = CadreRecord.objects.get()
    assert record.suggested and record.sources.count() == 3

    xlsx = client.get(reverse("ledger_export_xlsx", args=[cast.member_a.pk]))
    rows = read_workbook(xlsx.content).sheets["干部纪实台账"]
    assert rows[2][4] == "北门值守 3 班，签到准时，主动承担夜间巡查"
    docx = client.get(reverse("ledger_export_docx", args=[cast.member_a.pk]))
    text = "\n".join(
        cell.text
        for t in Document(io.BytesIO(docx.content)).tables
        for r in t.rows
        for cell in r.cells
    )
    assert "主动承担夜间巡查" in text


def test_branch_secretary_and_the_cadre_never_see_the_ledger(cast: Cast) -> None:
    cadre_with_shifts(cast)
    for who in ("branch_secretary", "member_a"):
        url = reverse("ledger_cadre", args=[cast.member_a.pk])
        assert cast.client(who).get(url).status_code == 404
