"""The pages: a member reports, the branch reads it on its desk and handles it; a branch asks
its unit (请示) and gets a 批复; a stale 已阅 is refused in Chinese; a double submit writes once."""

import uuid
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import Cast
from escalations import services
from escalations.models import Escalation, EscalationState
from escalations.tests.helpers import branch_request, member_report, overdue


def _post(client: Any, url: str, **data: Any) -> Any:
    return client.post(url, {"form_token": str(uuid.uuid4()), **data}, follow=True)


def test_member_reports_through_the_page_once_and_the_branch_reads_and_handles_it(
    cast: Cast,
) -> None:
    member = cast.client("member_a")
    page = member.get(reverse("escalation_new"))
    assert "党员本人（张三，报送计算机教工第一党支部）" in page.content.decode()
    data = {
        "form_token": str(uuid.uuid4()),
        "kind": "situation",
        "reporter": "member",
        "category": "health",
        "urgency": "critical",
        "title": "家人确诊",
        "body": "家人今日确诊，本人居家隔离。",
    }
    first = member.post(reverse("escalation_new"), data)
    again = member.post(reverse("escalation_new"), data)  # a double click
    e = Escalation.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == reverse("escalation_detail", args=[e.pk])
    assert e.to_org == cast.branch_a1 and e.reporter_member == cast.member_a

    secretary = cast.client("branch_secretary")
    desk = secretary.get(reverse("escalation_list") + "?view=desk").content.decode()
    assert "家人确诊" in desk
    assert "待确认已阅的情况报告" in secretary.get(reverse("home")).content.decode()
    detail = secretary.get(reverse("escalation_detail", args=[e.pk])).content.decode()
    assert "确认已阅" in detail and "登记处理情况" not in detail

    acked = _post(secretary, reverse("escalation_acknowledge", args=[e.pk]), level=0)
    assert "已确认已阅" in acked.content.decode()
    handled = _post(
        secretary, reverse("escalation_handle", args=[e.pk]), note="已联系社区，每日跟进"
    )
    page = handled.content.decode()
    assert "已联系社区，每日跟进" in page and "已处理" in page
    e.refresh_from_db()
    assert e.state == EscalationState.HANDLED
    # the member sees the timeline, without the buttons
    mine = member.get(reverse("escalation_detail", args=[e.pk])).content.decode()
    assert "处理过程" in mine and "确认已阅</button>" not in mine


def test_bad_report_form_keeps_what_was_typed_with_a_chinese_reason(cast: Cast) -> None:
    response = cast.client("branch_secretary").post(
        reverse("escalation_new"),
        {
            "form_token": str(uuid.uuid4()),
            "kind": "situation",
            "reporter": str(cast.branch_a1.pk),
            "category": "safety",
            "urgency": "",
            "title": "实验室安全检查",
            "body": "",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "这个字段是必填项" in page and "实验室安全检查" in page
    assert not Escalation.objects.exists()


def test_a_stale_acknowledgement_is_refused_in_chinese(cast: Cast) -> None:
    e = member_report(cast)
    services.escalations_sweep(now=overdue(e))
    page = _post(
        cast.client("branch_secretary"), reverse("escalation_acknowledge", args=[e.pk]), level=0
    ).content.decode()
    assert "已超时上报至计算机学院党委，请刷新页面后再操作" in page
    e.refresh_from_db()
    assert e.state == EscalationState.OPEN


def test_a_branch_asks_its_unit_and_the_unit_answers_in_the_thread(cast: Cast) -> None:
    secretary = cast.client("branch_secretary")
    response = _post(
        secretary,
        reverse("escalation_new"),
        kind="request",
        reporter=str(cast.branch_a1.pk),
        category="work",
        urgency="normal",
        title="关于推迟换届的请示",
        body="因疫情拟推迟支部换届，妥否，请批示。",
    )
    assert "已报送计算机学院党委" in response.content.decode()
    r = Escalation.objects.get()
    unit = cast.client("unit_a_admin")
    assert "关于推迟换届的请示" in unit.get(reverse("escalation_list")).content.decode()
    assert "待批复的请示" in unit.get(reverse("home")).content.decode()

    page = _post(
        unit, reverse("escalation_reply", args=[r.pk]), body="同意推迟至疫情结束后。", level=0
    )

    assert "已批复" in page.content.decode()
    thread = secretary.get(reverse("escalation_detail", args=[r.pk])).content.decode()
    assert "同意推迟至疫情结束后。" in thread and "批复</strong>" in thread


def test_the_list_makes_a_fixed_number_of_queries(cast: Cast) -> None:
    client = cast.client("unit_a_admin")
    url = reverse("escalation_list") + "?view=all"
    member_report(cast)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(6):
        member_report(cast, title=f"情况{i}")
        branch_request(cast, title=f"请示{i}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("情况") >= 6
    assert len(many) == len(few)


def test_the_menu_links_the_page_for_those_who_may_open_it(cast: Cast) -> None:
    url = reverse("escalation_list")
    for who, shown in [("member_a", True), ("unit_b_admin", True), ("duty_office", False)]:
        page = cast.client(who).get(reverse("home")).content.decode()
        assert (f'href="{url}"' in page) is shown, who


def test_files_uploaded_with_a_report_are_kept_and_served_to_who_sees_it(
    cast: Cast, settings: Any, tmp_path: Any
) -> None:
    from uploads.tests.helpers import create, patch, upload_url

    settings.MEDIA_ROOT = tmp_path
    member = cast.client("member_a")
    data = b"\xff\xd8\xff fake photo"
    url = upload_url(create(member, len(data), filename="体温计.jpg"))
    assert patch(member, url, data, 0).status_code == 204
    upload_id = url.rstrip("/").rsplit("/", 1)[1]

    response = _post(
        member,
        reverse("escalation_new"),
        kind="situation",
        reporter="member",
        category="fever",
        urgency="urgent",
        title="本人发热",
        body="今晨体温 37.6 ℃。",
        upload_ids=[upload_id],
    )

    assert response.status_code == 200
    e = Escalation.objects.get()
    file = e.files.get()
    assert file.original_name == "体温计.jpg" and file.size == len(data)
    file_url = reverse("escalation_file", args=[file.pk])
    assert f'href="{file_url}"' in response.content.decode()
    served = cast.client("branch_secretary").get(file_url)
    assert b"".join(served.streaming_content) == data  # type: ignore[attr-defined]
    assert cast.client("unit_b_admin").get(file_url).status_code == 404
