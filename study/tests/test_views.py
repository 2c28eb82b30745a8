import datetime as dt
import io
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import Cast
from meetings import services as meeting_services
from meetings.models import AttendanceStatus
from meetings.tests.factories import held_meeting
from members.tests.factories import MemberFactory
from study.models import StudyAttendance, StudySession
from study.tests.helpers import self_study

YEAR = timezone.localdate().year


def test_a_member_does_a_self_study_item_once_and_earns_its_hours(cast: Cast) -> None:
    session = self_study(cast)
    client = cast.client("member_a")
    page = client.get(reverse("study_home")).content.decode()
    assert "学习防控工作方案" in page and "待完成的自学" in page
    url = reverse("study_session_done", args=[session.pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # refused: already done, nothing written
    assert StudyAttendance.objects.filter(member=cast.member_a).count() == 1
    home = client.get(reverse("study_home")).content.decode()
    assert '<span id="my-hours">2.0</span>' in home
    # a member of another unit neither sees nor marks it
    assert cast.client("member_b").post(url).status_code in (403, 404)


def test_a_meeting_session_gives_those_present_its_hours(cast: Cast) -> None:
    meeting = held_meeting(cast.branch_a1, kind="lecture", lecturer=cast.member_a)
    other = MemberFactory.create(branch=cast.branch_a1, name="缺席者")
    meeting_services.meeting_update(
        actor=None,
        meeting=meeting,
        data={},
        marks={
            cast.member_a.pk: (AttendanceStatus.PRESENT, ""),
            other.pk: (AttendanceStatus.ABSENT, ""),
        },
    )
    meeting_services.meeting_submit(actor=cast.users["branch_secretary"], meeting=meeting)
    client = cast.client("branch_secretary")
    r = client.post(
        reverse("study_session_new"),
        {
            "org": cast.branch_a1.pk,
            "kind": "meeting",
            "title": "专题党课",
            "held_on": str(timezone.localdate()),
            "hours": "1.5",
            "meeting": meeting.pk,
        },
    )
    assert r.status_code == 302, r.context["form"].errors
    session = StudySession.objects.get()
    assert list(session.attendance.values_list("member_id", "hours")) == [
        (cast.member_a.pk, Decimal("1.5"))
    ]
    hours = client.get(reverse("study_hours"), {"year": YEAR}).content.decode()
    assert "1.5" in hours and "缺席者" in hours


def test_a_session_of_another_units_meeting_is_refused(cast: Cast) -> None:
    meeting = held_meeting(cast.branch_b1, kind="lecture", lecturer=cast.member_b)
    r = cast.client("unit_a_admin").post(
        reverse("study_session_new"),
        {
            "org": cast.branch_a1.pk,
            "kind": "meeting",
            "title": "x",
            "held_on": str(timezone.localdate()),
            "hours": "1",
            "meeting": meeting.pk,
        },
    )
    assert r.status_code == 200
    assert not StudySession.objects.exists()


def test_hours_page_and_export_make_fixed_queries_and_stay_in_scope(cast: Cast) -> None:
    session = self_study(cast)
    from study import services

    services.self_study_done(actor=cast.users["member_a"], session=session, member=cast.member_a)
    client = cast.client("unit_a_admin")
    client.get(reverse("study_hours"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("study_hours"))
    for _ in range(3):
        m = MemberFactory.create(branch=cast.branch_a1)
        services.self_study_done(actor=cast.users["school_admin"], session=session, member=m)
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("study_hours"))
    assert len(after.captured_queries) == len(before.captured_queries)
    r = client.get(reverse("study_hours_export"), {"year": YEAR})
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(min_row=2, values_only=True))
    assert ("计算机教工第一党支部", "A0001", "张三", "正式党员", 1, 2) in rows
    assert all(row[0] != "化学教工党支部" for row in rows)
    assert dt.date.today().year == YEAR


def test_hours_figures_per_unit(cast: Cast) -> None:
    from study import services
    from study.selectors import hours_figures

    session = self_study(cast)
    services.self_study_done(actor=cast.users["member_a"], session=session, member=cast.member_a)
    figures = {
        f.name: (f.members, f.hours)
        for f in hours_figures(user=cast.users["school_admin"], year=YEAR)
    }
    assert figures["计算机学院党委"] == (2, Decimal("2"))
    assert figures["化学学院党委"] == (2, Decimal("0"))
