import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import Cast
from meetings import services
from meetings.models import AttendanceStatus, Meeting, MeetingKind, MeetingState
from meetings.tests.factories import held_meeting


def _token() -> str:
    return str(uuid.uuid4())


def test_a_secretary_records_marks_attendance_and_submits_on_one_screen(cast: Cast) -> None:
    client = cast.client("branch_secretary")
    held = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("meeting_new"),
        {
            "form_token": _token(),
            "org": cast.branch_a1.pk,
            "kind": MeetingKind.THEME_DAY,
            "topic": "线上主题党日",
            "held_at": held,
            "mode": "online",
            "platform": "腾讯会议",
            "link": "123 456 789",
            "minutes": "讲评战疫故事。",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("meeting_edit", args=[meeting.pk])
    page = client.get(response["Location"])
    assert f'name="status_{cast.member_a.pk}"' in page.content.decode()
    response = client.post(
        reverse("meeting_edit", args=[meeting.pk]),
        {
            "form_token": _token(),
            "org": cast.branch_a1.pk,
            "kind": MeetingKind.THEME_DAY,
            "topic": "线上主题党日",
            "held_at": held,
            "mode": "online",
            "platform": "腾讯会议",
            "minutes": "讲评战疫故事。",
            f"status_{cast.member_a.pk}": AttendanceStatus.LEAVE,
            f"reason_{cast.member_a.pk}": "隔离观察",
            "then": "submit",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.SUBMITTED
    assert meeting.attendance.get().reason == "隔离观察"


def test_leave_without_reason_is_refused_and_the_form_keeps_what_was_typed(cast: Cast) -> None:
    meeting = held_meeting(cast.branch_a1)
    client = cast.client("branch_secretary")
    response = client.post(
        reverse("meeting_edit", args=[meeting.pk]),
        {
            "form_token": _token(),
            "org": cast.branch_a1.pk,
            "kind": MeetingKind.THEME_DAY,
            "topic": "新的主题",
            "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "mode": "offline",
            "place": "会议室",
            f"status_{cast.member_a.pk}": AttendanceStatus.LEAVE,
            f"reason_{cast.member_a.pk}": "",
        },
    )
    assert response.status_code == 200
    assert "请假须填写原因" in response.content.decode()
    assert 'value="新的主题"' in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.topic == "学习防疫精神"


def test_unit_approves_then_school_approves_through_the_pages(cast: Cast) -> None:
    meeting = services.meeting_submit(actor=None, meeting=held_meeting(cast.branch_a1))
    url = reverse("meeting_approve", args=[meeting.pk])
    assert cast.client("unit_a_admin").post(url, {"form_token": _token()}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.UNIT_APPROVED
    queue = cast.client("school_admin").get(reverse("meeting_queue"))
    assert meeting.topic in queue.content.decode()
    assert cast.client("school_admin").post(url, {"form_token": _token()}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.APPROVED
    page = cast.client("branch_secretary").get(reverse("meeting_detail", args=[meeting.pk]))
    assert "组织部审核通过" in page.content.decode()


def test_a_return_without_a_reason_changes_nothing_and_says_why(cast: Cast) -> None:
    meeting = services.meeting_submit(actor=None, meeting=held_meeting(cast.branch_a1))
    client = cast.client("unit_a_admin")
    url = reverse("meeting_return", args=[meeting.pk])
    response = client.post(url, {"form_token": _token(), "reason": " "}, follow=True)
    assert "退回须填写原因" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.SUBMITTED
    client.post(url, {"form_token": _token(), "reason": "缺少会议记录附件"})
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.RETURNED


def test_a_double_click_approves_once(cast: Cast) -> None:
    meeting = services.meeting_submit(actor=None, meeting=held_meeting(cast.branch_a1))
    client = cast.client("unit_a_admin")
    token = _token()
    url = reverse("meeting_approve", args=[meeting.pk])
    client.post(url, {"form_token": token})
    client.post(url, {"form_token": token})
    assert meeting.events.count() == 3  # created, submitted, approved once


def test_the_detail_flags_decisions_without_quorum(cast: Cast) -> None:
    meeting = held_meeting(
        cast.branch_a1, kind=MeetingKind.GENERAL_ASSEMBLY, decisions="同意接收预备党员"
    )
    page = cast.client("branch_secretary").get(reverse("meeting_detail", args=[meeting.pk]))
    assert "未达法定人数" in page.content.decode()
    listing = cast.client("branch_secretary").get(reverse("meeting_list"))
    assert "未达法定人数" in listing.content.decode()


@pytest.mark.parametrize("n", [2, 12])
def test_the_list_makes_a_fixed_number_of_queries(cast: Cast, n: int) -> None:
    for _ in range(n):
        held_meeting(cast.branch_a1)
    client = cast.client("unit_a_admin")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("meeting_list"), {"kind": "theme_day"})
    assert response.status_code == 200
    assert len(ctx.captured_queries) <= 9, [q["sql"] for q in ctx.captured_queries]


def test_the_list_filters_by_month(cast: Cast) -> None:
    held_meeting(cast.branch_a1, topic="上月的会", days_ago=40)
    held_meeting(cast.branch_a1, topic="今天的会", days_ago=0)
    month = timezone.localdate().strftime("%Y-%m")
    page = cast.client("branch_secretary").get(reverse("meeting_list"), {"month": month})
    assert "今天的会" in page.content.decode()
    assert "上月的会" not in page.content.decode()
    bad = cast.client("branch_secretary").get(reverse("meeting_list"), {"month": "2026-13"})
    assert "月份格式" in bad.content.decode()


def test_a_member_checks_in_with_the_code_from_the_qr(cast: Cast) -> None:
    meeting = held_meeting(cast.branch_a1, days_ago=0)
    detail = cast.client("branch_secretary").get(reverse("meeting_detail", args=[meeting.pk]))
    assert "<svg" in detail.content.decode()
    client = cast.client("member_a")
    page = client.get(reverse("meeting_check_in"), {"code": meeting.checkin_code})
    assert meeting.checkin_code in page.content.decode()
    response = client.post(reverse("meeting_check_in"), {"code": meeting.checkin_code})
    assert response.status_code == 302
    assert meeting.attendance.get(member=cast.member_a).status == AttendanceStatus.PRESENT
    wrong = client.post(reverse("meeting_check_in"), {"code": "999999x"})
    assert "签到码无效" in wrong.content.decode()


def test_committee_seats_are_added_and_ended(cast: Cast) -> None:
    client = cast.client("branch_secretary")
    url = reverse("committee", args=[cast.branch_a1.pk])
    client.post(
        url,
        {
            "form_token": _token(),
            "member": cast.member_a.pk,
            "title": "secretary",
            "term_start": "2025-01-01",
            "term_end": "2027-12-31",
        },
    )
    seat = cast.branch_a1.committee_seats.get()
    assert seat.get_title_display() == "书记"
    client.post(url, {"form_token": _token(), "end": seat.pk, "on": "2026-06-30"})
    seat.refresh_from_db()
    assert seat.term_end == dt.date(2026, 6, 30)
    refused = client.post(
        url,
        {
            "form_token": _token(),
            "member": cast.other_a.pk,  # in another branch
            "title": "deputy",
            "term_start": "2025-01-01",
        },
    )
    assert refused.status_code == 200
    assert cast.branch_a1.committee_seats.count() == 1


def test_the_minutes_download_as_a_record_book_page(cast: Cast) -> None:
    import io

    from docx import Document

    meeting = held_meeting(
        cast.branch_a1,
        kind=MeetingKind.GENERAL_ASSEMBLY,
        agenda="讨论发展对象\n学习文件",
        guests="上级党委组织员",
        decisions="同意接收",
    )
    services.meeting_update(
        actor=None, meeting=meeting, data={}, marks={cast.member_a.pk: ("leave", "出差")}
    )
    response = cast.client("branch_secretary").get(reverse("meeting_minutes", args=[meeting.pk]))
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert "计算机教工第一党支部支部党员大会会议记录" in text
    assert "1. 讨论发展对象" in text
    assert cells["请假人员"] == "张三（出差）"
    assert cells["列席人员"] == "上级党委组织员"
    assert "未达到半数" in cells["表决人数"]


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def _finished_upload(client: Any, data: bytes, filename: str) -> str:
    from uploads.tests.helpers import create, patch, upload_url

    url = upload_url(create(client, len(data), filename=filename))
    assert patch(client, url, data, 0).status_code == 204
    return url.rstrip("/").rsplit("/", 1)[1]


def test_photos_join_the_meeting_when_saved_and_are_seen_by_who_sees_it(
    cast: Cast, media_root: Path
) -> None:
    meeting = held_meeting(cast.branch_a1)
    client = cast.client("branch_secretary")
    upload_id = _finished_upload(client, b"\x89PNG fake image", "签到表.png")
    response = client.post(
        reverse("meeting_edit", args=[meeting.pk]),
        {
            "form_token": _token(),
            "org": cast.branch_a1.pk,
            "kind": MeetingKind.THEME_DAY,
            "topic": "学习防疫精神",
            "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "mode": "offline",
            "place": "会议室",
            "upload_ids": [upload_id],
        },
    )
    assert response.status_code == 302
    file = meeting.files.get()
    assert file.original_name == "签到表.png" and file.is_image
    url = reverse("meeting_file", args=[file.pk])
    assert client.get(url).status_code == 200
    assert cast.client("unit_b_admin").get(url).status_code == 404
    detail = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert f'src="{url}"' in detail


def test_the_export_lists_the_users_meetings_with_attendance_and_text_stays_text(
    cast: Cast,
) -> None:
    import io

    from openpyxl import load_workbook

    held_meeting(cast.branch_a1, topic='=HYPERLINK("x")')
    held_meeting(cast.branch_b1, topic="化学支部的会")
    response = cast.client("unit_a_admin").get(reverse("meeting_export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    assert rows[0][2] == '=HYPERLINK("x")' and rows[0][8:12] == (1, 0, 0, 1)
    assert sheet.cell(2, 3).data_type == "s"


def test_stories_of_an_org_life_meeting_become_a_story_submission(cast: Cast) -> None:
    from campaigns.models import Submission, SubmissionState
    from campaigns.tests.helpers import make_campaign

    _, four = make_campaign(cast)
    story_deliverable = four["story"]
    meeting = held_meeting(cast.branch_a1, kind=MeetingKind.ORG_LIFE, topic="讲战疫故事")
    secretary = cast.client("branch_secretary")
    response = secretary.post(
        reverse("story_new", args=[meeting.pk]),
        {
            "form_token": _token(),
            "member": cast.member_a.pk,
            "title": "守护校门的七天",
            "text": "疫情期间我在北门值守……",
            "picked": "on",
        },
    )
    assert response.status_code == 302
    story = meeting.stories.get()
    assert (
        cast.client("unit_b_admin").get(reverse("story_new", args=[meeting.pk])).status_code == 404
    )
    compile_url = reverse("stories_compile", args=[meeting.pk])
    data = {"deliverable": story_deliverable.pk}
    # the secretary picks; handing in is for those who submit for the unit
    assert secretary.post(compile_url, {**data, "form_token": _token()}).status_code == 403
    assert cast.client("unit_b_admin").post(compile_url, data).status_code == 404
    detail = cast.client("unit_a_admin").get(reverse("meeting_detail", args=[meeting.pk]))
    assert "汇编为战疫故事汇" in detail.content.decode()
    response = cast.client("unit_a_admin").post(compile_url, {**data, "form_token": _token()})
    submission = Submission.objects.get()
    assert response["Location"] == reverse("submission_edit", args=[submission.pk])
    assert submission.org == cast.unit_a and submission.state == SubmissionState.DRAFT
    assert "守护校门的七天" in submission.summary
    assert [a.member for a in submission.authors.all()] == [cast.member_a]
    story.refresh_from_db()
    assert story.submission == submission
    edit = secretary.post(
        reverse("story_edit", args=[meeting.pk, story.pk]),
        {"form_token": _token(), "member": cast.member_a.pk, "title": "改", "text": "改"},
    )
    assert "已汇编报送" in edit.content.decode()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_storys_pictures_go_into_the_story_submission(
    cast: Cast, settings: Any, tmp_path: Path
) -> None:
    from campaigns.models import Submission
    from campaigns.tests.helpers import make_campaign

    settings.MEDIA_ROOT = tmp_path
    _, four = make_campaign(cast)
    meeting = held_meeting(cast.branch_a1, kind=MeetingKind.ORG_LIFE, topic="讲战疫故事")
    secretary = cast.client("branch_secretary")
    picture = _finished_upload(secretary, PNG, "北门值守.png")
    not_media = _finished_upload(secretary, b"%PDF-1.4 x", "说明.pdf")
    story_data = {
        "member": cast.member_a.pk,
        "title": "守护校门的七天",
        "text": "疫情期间我在北门值守……",
        "picked": "on",
    }
    # a file that is not a picture or video is refused and the story is not saved
    refused = secretary.post(
        reverse("story_new", args=[meeting.pk]),
        {**story_data, "form_token": _token(), "upload_ids": [not_media]},
    )
    assert "不是图片或视频" in refused.content.decode()
    assert not meeting.stories.exists()
    secretary.post(
        reverse("story_new", args=[meeting.pk]),
        {**story_data, "form_token": _token(), "upload_ids": [picture]},
    )
    story = meeting.stories.get()
    [file] = story.files.all()
    assert file.is_image and file.original_name == "北门值守.png"
    page = secretary.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    assert reverse("story_file", args=[file.pk]) in page
    assert cast.client("unit_b_admin").get(reverse("story_file", args=[file.pk])).status_code == 404
    cast.client("unit_a_admin").post(
        reverse("stories_compile", args=[meeting.pk]),
        {"deliverable": four["story"].pk, "form_token": _token()},
    )
    submission = Submission.objects.get()
    assert [f.original_name for f in submission.files.all()] == ["北门值守.png"]


def test_a_group_meeting_expects_the_group_the_secretary_assigned(cast: Cast) -> None:
    from members.models import Member
    from members.tests.factories import MemberFactory
    from orgs.models import OrgKind
    from orgs.tests.factories import make_org

    group = make_org(cast.branch_a1, "第一党小组", OrgKind.GROUP)
    other = MemberFactory.create(branch=cast.branch_a1, name="组外党员")
    client = cast.client("branch_secretary")
    url = reverse("party_groups", args=[cast.branch_a1.pk])
    assert "第一党小组" in client.get(url).content.decode()
    client.post(url, {"member": cast.member_a.pk, "group": group.pk})
    assert Member.objects.get(pk=cast.member_a.pk).party_group == group
    # a group of another branch, or a member of another branch, is refused
    elsewhere = make_org(cast.branch_b1, "化学党小组", OrgKind.GROUP)
    client.post(url, {"member": other.pk, "group": elsewhere.pk})
    client.post(url, {"member": cast.member_b.pk, "group": group.pk})
    assert Member.objects.get(pk=other.pk).party_group is None
    assert Member.objects.get(pk=cast.member_b.pk).party_group is None
    meeting = held_meeting(group, kind="group")
    assert [a.member_id for a in meeting.attendance.all()] == [cast.member_a.pk]


def test_with_no_compliance_rule_at_all_the_pages_still_answer(cast: Cast) -> None:
    from meetings.models import ComplianceRule

    ComplianceRule.objects.all().delete()  # a school may drop every rule
    for who in ("branch_secretary", "school_admin"):
        client = cast.client(who)
        assert client.get(reverse("home")).status_code == 200
        assert client.get(reverse("compliance")).status_code == 200
