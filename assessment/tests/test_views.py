"""岗位评分 and 述职评议 through their pages."""

import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment.models import Appraisal
from assessment.tests.helpers import phase_with_shift
from conftest import Cast


def test_duty_office_rates_and_the_member_sees_it_beside_their_shifts(cast: Cast) -> None:
    phase = phase_with_shift(cast)
    office = cast.client("duty_office")
    page = office.get(reverse("rating_phase", args=[phase.pk])).content.decode()
    assert "张三" in page
    office.post(
        reverse("rating_set", args=[phase.pk, cast.member_a.pk]),
        {"form_token": str(uuid.uuid4()), "score": "5", "comment": "坚守岗位，认真负责"},
    )
    mine = cast.client("member_a").get(reverse("rating_participant", args=[cast.member_a.pk]))
    text = mine.content.decode()
    assert "5 分" in text and "坚守岗位，认真负责" in text and "准时" in text


def test_secretary_hands_in_the_report_and_the_unit_records_the_result(cast: Cast) -> None:
    url = reverse("appraisal", args=[cast.branch_a1.pk])
    secretary = cast.client("branch_secretary")
    secretary.post(
        reverse("appraisal_report_upload", args=[cast.branch_a1.pk]),
        {
            "form_token": str(uuid.uuid4()),
            "file": SimpleUploadedFile("述职报告.docx", b"PK report"),
        },
    )
    assert "述职报告.docx" in secretary.get(url).content.decode()
    download = secretary.get(reverse("appraisal_report", args=[cast.branch_a1.pk]))
    assert download.content == b"PK report"
    bad = secretary.post(
        reverse("appraisal_report_upload", args=[cast.branch_a1.pk]),
        {"form_token": str(uuid.uuid4()), "file": SimpleUploadedFile("x.exe", b"MZ")},
    )
    assert "PDF、Word" in secretary.get(bad["Location"]).content.decode()

    cast.client("unit_a_admin").post(
        reverse("appraisal_result", args=[cast.branch_a1.pk]),
        {"form_token": str(uuid.uuid4()), "result": "good", "note": "工作扎实"},
    )
    assert Appraisal.objects.get().result == "good"
    assert "较好：工作扎实" in secretary.get(url).content.decode()


def test_appraisal_page_shows_the_years_meeting_compliance(cast: Cast) -> None:
    page = cast.client("unit_a_admin").get(reverse("appraisal", args=[cast.unit_a.pk]))
    text = page.content.decode()
    # no meeting was held this year: the default rules' meetings are missing in both branches
    assert 'id="compliance"' in text and "缺 0 项" not in text
    assert cast.branch_a1.name in text.split('id="compliance"')[1].split("</td>")[0]
