import datetime as dt
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import Cast
from development.models import Candidate, DevelopmentStage
from development.tests.helpers import applicant, contacts
from members.models import PoliticalStatus
from members.tests.factories import MemberFactory

TODAY = timezone.localdate()


def test_a_secretary_opens_a_file_names_a_contact_and_makes_an_activist(cast: Cast) -> None:
    person = MemberFactory.create(
        branch=cast.branch_a1, name="申请人乙", political_status=PoliticalStatus.MASSES
    )
    one, _ = contacts(cast)
    client = cast.client("branch_secretary")
    r = client.post(
        reverse("candidate_new"),
        {"member": person.number, "applied_on": str(TODAY - dt.timedelta(days=40))},
    )
    c = Candidate.objects.get(member=person)
    assert r.status_code == 302 and r["Location"] == reverse("candidate_detail", args=[c.pk])
    page = client.get(reverse("candidate_detail", args=[c.pk])).content.decode()
    assert "入党申请人" in page and "确定为入党积极分子" in page
    # without a contact the step is refused with the reason, and nothing changes
    r = client.post(reverse("candidate_advance", args=[c.pk]), {"on": str(TODAY)})
    assert r.status_code == 200 and "须指定培养联系人" in r.content.decode()
    client.post(reverse("candidate_details", args=[c.pk]), {"contact_1": one.number})
    r = client.post(reverse("candidate_advance", args=[c.pk]), {"on": str(TODAY)})
    assert r.status_code == 302
    c.refresh_from_db()
    person.refresh_from_db()
    assert c.stage == DevelopmentStage.ACTIVIST and c.contact_1 == one
    assert person.political_status == PoliticalStatus.ACTIVIST


def test_a_person_outside_the_secretarys_branch_is_not_found(cast: Cast) -> None:
    r = cast.client("branch_secretary").post(
        reverse("candidate_new"), {"member": cast.member_b.number, "applied_on": str(TODAY)}
    )
    assert r.status_code == 200
    assert not Candidate.objects.filter(member=cast.member_b).exists()


def test_a_date_breaking_a_rule_is_refused_on_the_page_with_the_rule(cast: Cast) -> None:
    c = applicant(cast, TODAY - dt.timedelta(days=100))
    one, _ = contacts(cast)
    client = cast.client("unit_a_admin")
    client.post(reverse("candidate_details", args=[c.pk]), {"contact_1": one.number})
    client.post(reverse("candidate_advance", args=[c.pk]), {"on": str(TODAY)})
    r = client.post(reverse("candidate_advance", args=[c.pk]), {"on": str(TODAY)})
    assert "从入党积极分子到发展对象至少 12 个月" in r.content.decode()
    assert Candidate.objects.get(pk=c.pk).stage == DevelopmentStage.ACTIVIST


def test_the_list_makes_a_fixed_number_of_queries(cast: Cast) -> None:
    applicant(cast, TODAY)
    client = cast.client("school_admin")
    client.get(reverse("candidate_list"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("candidate_list"))
    for _ in range(4):
        applicant(cast, TODAY)
    with CaptureQueriesContext(connection) as after:
        r = client.get(reverse("candidate_list"))
    assert len(after.captured_queries) == len(before.captured_queries)
    assert r.content.decode().count("candidate_detail") == 0  # names, not url names
    assert len(r.context["page"].object_list) == 5


def test_the_export_lists_the_files_in_scope(cast: Cast) -> None:
    applicant(cast, TODAY, name="导出甲")
    r = cast.client("unit_a_admin").get(reverse("candidate_export"))
    sheet = load_workbook(io.BytesIO(r.content)).active
    names = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert names == ["导出甲"]
    r = cast.client("unit_b_admin").get(reverse("candidate_export"))
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet.max_row == 1


def test_the_due_page_lists_who_may_take_the_next_step(cast: Cast) -> None:
    c = applicant(cast, TODAY - dt.timedelta(days=90), name="等待甲")
    page = cast.client("branch_secretary").get(reverse("candidate_due")).content.decode()
    assert "等待甲" in page and "入党积极分子" in page
    assert c.stage == DevelopmentStage.APPLICANT


def test_figures_count_files_per_unit_for_the_school_and_per_branch_for_a_unit(
    cast: Cast,
) -> None:
    from development.selectors import stage_figures

    applicant(cast, TODAY)
    applicant(cast, TODAY)
    school = {f.name: f.row for f in stage_figures(user=cast.users["school_admin"])}
    assert school == {"计算机学院党委": [2, 0, 0, 0, 0], "化学学院党委": [0, 0, 0, 0, 0]}
    unit = {f.name: f.row[0] for f in stage_figures(user=cast.users["unit_a_admin"])}
    assert unit == {"计算机教工第一党支部": 2, "计算机学生党支部": 0}
