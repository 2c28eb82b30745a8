"""The audit log reads as Chinese sentences, masked for the viewer, in a fixed number of queries."""

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.render import ACTIONS, render_events
from audit.services import audit_record, field_changes, snapshot
from conftest import Cast
from members import services as members
from members.models import Member

REPR = re.compile(r"None|True|False|\[|\]|\{|\}|'|object \(")


def _lines(cast: Cast, viewer: str = "school_admin", **params: Any) -> list[str]:
    page = cast.client(viewer).get(reverse("audit_list"), params)
    assert page.status_code == 200
    return [line.sentence for line in page.context["lines"]]


@pytest.fixture
def named(cast: Cast) -> Cast:
    admin = cast.users["school_admin"]
    admin.first_name = "王老师"
    admin.save(update_fields=["first_name"])
    return cast


def test_a_member_edit_reads_as_who_changed_what(named: Cast) -> None:
    # given the school admin changes a member's phone and category
    members.member_update(
        actor=named.users["school_admin"],
        member=named.member_a,
        phone="13900000009",
        category="student",
    )
    # then the log says who changed which member, with labels and display values
    assert _lines(named) == [
        "组织部管理员 王老师 修改了党员 张三（A0001）：类别 教工 → 学生；"
        "手机号 13800000001 → 13900000009"
    ]


def test_a_status_change_shows_labels_and_a_chinese_date(named: Cast) -> None:
    members.member_status_change(
        actor=named.users["school_admin"],
        member=named.member_a,
        to_status="probationary",
        changed_on=dt.date(2026, 3, 1),
    )
    [line] = _lines(named)
    assert line == (
        "组织部管理员 王老师 变更了党员 张三（A0001）的政治面貌："
        "政治面貌 正式党员 → 预备党员；变更日期 2026年3月1日"
    )


@pytest.mark.parametrize(
    ("viewer", "shown"),
    [
        ("school_admin", "13800000001 → 13900000009"),
        ("unit_a_admin", "13800000001 → 13900000009"),  # member_a is in unit A
        ("unit_b_admin", "138****0001 → 139****0009"),
        ("duty_office", "138****0001 → 139****0009"),
        ("member_a", "13800000001 → 13900000009"),  # their own record
        ("member_b", "138****0001 → 139****0009"),
    ],
)
def test_phone_numbers_are_masked_as_the_masker_masks_them(
    cast: Cast, viewer: str, shown: str
) -> None:
    members.member_update(
        actor=cast.users["school_admin"], member=cast.member_a, phone="13900000009"
    )
    [line] = render_events(AuditEvent.objects.all(), viewer=cast.users[viewer])
    assert line.sentence.endswith(f"手机号 {shown}")


def test_id_numbers_of_a_deleted_member_stay_masked(cast: Cast) -> None:
    audit_record(
        actor=cast.users["school_admin"],
        action="member.update",
        target=cast.other_a,
        changes={"id_number": ["11010519491231002X", "110105194912310036"]},
    )
    AuditEvent.objects.update(target_id="999999")  # a member who is no longer on the roll
    [line] = render_events(AuditEvent.objects.all(), viewer=cast.users["unit_a_admin"])
    assert "1101************2X → 1101************36" in line.sentence


def test_an_export_says_how_many_and_which_filters(named: Cast) -> None:
    audit_record(
        actor=named.users["school_admin"],
        action="member.export",
        label="党员名册导出",
        changes={
            "filters": {"unit": str(named.unit_a.pk), "political_status": "full"},
            "count": 312,
        },
    )
    assert _lines(named) == [
        "组织部管理员 王老师 导出了党员名单（312 人）："
        "筛选条件 单位 计算机学院党委，政治面貌 正式党员"
    ]


def test_an_unknown_action_gets_a_readable_generic_sentence(named: Cast) -> None:
    audit_record(actor=named.users["unit_a_admin"], action="meeting.approve", target=named.unit_a)
    audit_record(actor=None, action="nightly.cleanup", changes={"count": 3})
    assert _lines(named) == [
        "系统 处理了：条数 3",
        "二级党委管理员 unit_a_admin 批准了党组织 计算机学院党委",
    ]


def test_a_member_without_a_grant_is_named_by_their_record(cast: Cast) -> None:
    audit_record(actor=cast.users["member_a"], action="pledge.sign", label="签署承诺书：抗疫承诺")
    assert _lines(cast) == ["党员 张三 签署了承诺书「抗疫承诺」"]


def test_field_changes_give_old_and_new_for_the_changed_fields(cast: Cast) -> None:
    before = snapshot(cast.member_a, ["phone", "branch", "joined_on", "category"])
    cast.member_a.phone, cast.member_a.branch = "13900000009", cast.branch_a2
    cast.member_a.joined_on = dt.date(2020, 7, 1)
    changes = field_changes(before, cast.member_a, ["phone", "branch", "joined_on", "category"])
    assert changes == {
        "phone": ["13800000001", "13900000009"],
        "branch": ["计算机教工第一党支部", "计算机学生党支部"],
        "joined_on": [None, "2020-07-01"],
    }
    assert field_changes(None, cast.member_a, ["phone"]) == {"phone": [None, "13900000009"]}
    audit_record(
        actor=cast.users["school_admin"],
        action="member.update",
        target=cast.member_a,
        changes=changes,
    )
    [line] = _lines(cast)
    assert line.endswith(  # in the model's field order
        "：入党日期 2020年7月1日；党支部 计算机教工第一党支部 → 计算机学生党支部；"
        "手机号 13800000001 → 13900000009"
    )


# Payloads in the shapes the call sites write (see every audit_record( in the repo).
PAYLOADS: dict[str, dict[str, Any]] = {
    "org.move": {"parent": ["计算机学院党委", "化学学院党委"]},
    "org.delete": {"name": ["旧支部", None]},
    "grant.create": {"user": "zhibu", "org": "计算机学院党委", "role": "unit_admin"},
    "grant.revoke": {"user": "zhibu", "org": "计算机学院党委", "role": "branch_secretary"},
    "member.move": {"branch": ["甲支部", "乙支部"], "moved_on": "2026-03-01"},
    "member.whereabouts_change": {
        "whereabouts": ["on_campus", "home"],
        "changed_on": "2026-02-01",
        "place": "武汉",
    },
    "member.export": {"filters": {"q": "张"}, "count": 3},
    "member.import": {
        "filename": "名册.xlsx",
        "created": 3,
        "updated": 1,
        "unchanged": 0,
        "orgs_created": 2,
    },
    "member.api_list": {"count": 50, "full": 50, "total": 312, "offset": 0, "filters": {}},
    "campaign.remind": {"reminders": ["微党课 → 计算机学院党委", "故事汇 → 化学学院党委"]},
    "campaign.casebook_export": {"submissions": [1, 2, 3]},
    "campaign.package_export": {"submissions": [1, 2], "files": 5},
    "campaign.package_import": {"source": "甲大学", "installation_id": "abc"},
    "deliverable.create": {
        "material_types": [None, ["video", "text"]],
        "name": [None, "微党课"],
        "topics": [None, []],
        "order": [None, 4],
    },
    "submission.submitted": {"state": ["draft", "submitted"]},
    "submission.returned": {"state": ["submitted", "returned"], "comment": "请补充材料"},
    "submission.review": {"score": ["80.0", "92.5"], "comment": "好"},
    "submission.attach": {"files": ["a.mp4", "b.jpg"], "refused": ["c.exe：类型不符"]},
    "submission.file_delete": {"file": "a.mp4"},
    "submission.file_download": {"file": 7, "name": "a.mp4"},
    "library.download": {"file": 7, "name": "a.mp4"},
    "unit_summary.update": {"text": ["初稿", "定稿"]},
    "post.update": {
        "name": "校门值守岗",
        "slots": "[{'name': '早班', 'start': '08:00', 'hours': 4.0}]",
        "needs_cadre": "False",
    },
    "roster.settings": {"rest_hours": 10, "weights": {"spread": 50, "night": 2}},
    "roster.solved": {"score": 100.0, "bound": 100.0, "assignments": 320},
    "roster.import": {"n": 12},
    "duty.log": {"temperatures_taken": 30, "people_registered": 12},
    "duty.stats_export": {"filters": {"unit": "1"}},
    "pledge.update": {"before": {"title": "旧标题", "closes_on": "2026-03-01"}},
    "pledge.sign": {"member": "A0001"},
    "zone.update": {"members": ["A0001", "A0002"]},
    "team.create": {"leader": "A0001", "members": ["A0001", "A0002", "A0003"]},
}


# The object each kind of action is about (as the call sites pass `target`).
TARGETS = {
    "org": "orgs.org",
    "campus": "orgs.campus",
    "grant": "access.grant",
    "api_token": "access.apitoken",
    "member": "members.member",
    "campaign": "campaigns.campaign",
    "deliverable": "campaigns.deliverable",
    "unit_summary": "campaigns.unitsummary",
    "submission": "campaigns.submission",
    "library": "campaigns.submission",
    "post": "rosters.post",
    "phase": "rosters.phase",
    "signup": "rosters.signup",
    "allocation": "rosters.allocation",
    "roster": "rosters.roster",
    "assignment": "rosters.roster",
    "swap": "rosters.swaprequest",
    "calendar_feed": "rosters.calendarfeed",
    "duty": "rosters.assignment",
    "pledge": "duty.pledge",
    "zone": "duty.responsibilityzone",
    "team": "duty.team",
}


def test_every_action_reads_without_codes_or_python_reprs(cast: Cast) -> None:
    for action in ACTIONS:
        prefix = action.split(".", 1)[0]
        AuditEvent.objects.create(
            actor=cast.users["school_admin"],
            action=action,
            target_type=TARGETS.get(prefix, ""),
            target_id="3",
            target_label="SwapRequest object (3)" if prefix == "swap" else "甲 2026-03-01 早班",
            changes=PAYLOADS.get(action, {}),
        )
    lines = _lines(cast, per_page=200)
    assert len(lines) == len(ACTIONS)
    for line in lines:
        assert line.startswith("组织部管理员 school_admin ")
        assert not any(code in line for code in ACTIONS), line
        assert not REPR.search(line), line
    text = "\n".join(lines)
    assert "撤销了用户 zhibu 在「计算机学院党委」的支部书记角色" in text
    assert "甲 2026年3月1日 早班" in text
    assert "任务项 甲 2026年3月1日 早班：名称 微党课；允许的素材类型 视频、文字；顺序 4" in text
    assert "班次 名称 早班，开始 08:00，时长（小时） 4" in text
    assert "批准了换班申请 编号 3" in text
    assert "其中 50 人显示完整手机号或身份证号（共 312 人符合条件）" in text


def _varied(cast: Cast, n: int) -> None:
    people = [cast.users[u] for u in ("school_admin", "unit_a_admin", "member_a", "duty_office")]
    for i in range(n):
        members.member_update(
            actor=people[i % 4],
            member=cast.member_a if i % 2 else cast.other_b,
            phone=f"139{i:08d}",
        )
        audit_record(
            actor=people[(i + 1) % 4],
            action="member.export",
            changes={"filters": {"unit": str(cast.unit_a.pk), "campus": "1"}, "count": i},
        )
        audit_record(actor=None, action="roster.solved", changes={"score": i, "bound": i})


def test_the_list_makes_a_fixed_number_of_queries(cast: Cast) -> None:
    _varied(cast, 80)  # 240 rows
    client = cast.client("school_admin")
    counts = {}
    for per_page in (50, 200):
        client.get(reverse("audit_list"), {"per_page": per_page})
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("audit_list"), {"per_page": per_page})
        assert len(page.context["lines"]) == per_page
        counts[per_page] = len(queries)
    assert counts[50] == counts[200]


def test_filters_by_person_action_object_and_date(cast: Cast) -> None:
    admin, unit_b = cast.users["school_admin"], cast.users["unit_b_admin"]
    members.member_update(actor=admin, member=cast.member_a, phone="13911112222")
    members.member_update(actor=unit_b, member=cast.other_b, phone="13933334444")
    audit_record(actor=cast.users["unit_b_admin"], action="org.update", target=cast.unit_b)
    old = audit_record(actor=cast.users["school_admin"], action="org.update", target=cast.unit_a)
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=40))

    assert len(_lines(cast, person="unit_b_admin")) == 2
    assert [s[-10:] for s in _lines(cast, person="张三")] == []  # 张三 did nothing
    assert len(_lines(cast, action="member.")) == 2
    assert len(_lines(cast, action="org.update")) == 2
    assert len(_lines(cast, target_type="orgs.org", q="化学")) == 1
    assert len(_lines(cast, target_type="members.member", target_id=str(cast.member_a.pk))) == 1
    since = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert len(_lines(cast, since=since)) == 3
    until = (timezone.localdate() - dt.timedelta(days=30)).isoformat()
    assert len(_lines(cast, until=until)) == 1


def test_bad_filters_are_refused_in_chinese(cast: Cast) -> None:
    page = cast.client("school_admin").get(
        reverse("audit_list"), {"since": "2026-13-45", "action": "drop.table"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "请输入一个有效的日期" in html or "有效的日期" in html
    assert "没有这种操作。" in html


def test_the_page_shows_sentences_not_codes(named: Cast) -> None:
    members.member_update(
        actor=named.users["school_admin"], member=named.member_a, phone="13900000009"
    )
    html = named.client("school_admin").get(reverse("audit_list")).content.decode()
    lines = html[html.index('id="audit-lines"') :]
    assert "组织部管理员 王老师 修改了党员 张三（A0001）：手机号 13800000001 → 13900000009" in lines
    assert "member.update" not in lines
    assert Member.objects.get(pk=named.member_a.pk).phone == "13900000009"


def test_paging_older_and_newer_by_cursor(cast: Cast) -> None:
    # given 120 events, some in the same instant
    now = timezone.now()
    for i in range(120):
        event = audit_record(actor=None, action="roster.import", changes={"n": i})
        AuditEvent.objects.filter(pk=event.pk).update(at=now - dt.timedelta(seconds=i // 3))
    client = cast.client("school_admin")

    def page(**params: Any) -> Any:
        return client.get(reverse("audit_list"), params).context["page"]

    # when the admin pages back through them
    first = page()
    second = page(before=str(first.older))
    third = page(before=str(second.older))
    back = page(after=str(third.newer))
    # then every event is shown once, newest first, and 「较新」 leads back
    shown = [e.changes["n"] for p in (first, second, third) for e in p.events]
    assert shown == sorted(range(120), key=lambda i: (i // 3, -i))  # (-at, -id)
    assert (first.newer, third.older) == (None, None)
    assert [e.pk for e in back.events] == [e.pk for e in second.events]
    assert first.count == 120 and not first.capped


def test_a_bad_cursor_shows_the_newest_page(cast: Cast) -> None:
    audit_record(actor=None, action="roster.import", changes={"n": 1})
    for cursor in ("x-1", "99999999999999999999-1", "-"):
        page = cast.client("school_admin").get(reverse("audit_list"), {"before": cursor})
        assert page.status_code == 200 and len(page.context["events"]) == 1
