"""The journeys through the pages: define a campaign, prepare and submit, review, the board."""

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaigns import services
from campaigns.models import Campaign, Deliverable, Reminder, Submission, SubmissionState
from campaigns.tests.helpers import K, draft, four, media_root, submitted, summary_for
from conftest import Cast
from lib.media_samples import make_video

S = SubmissionState
__all__ = ["four", "media_root"]


def test_school_admin_defines_a_campaign_and_its_deliverables(cast: Cast) -> None:
    client = cast.client("school_admin")
    response = client.post(
        reverse("campaign_new"), {"name": "2020「四个一」", "year": 2020, "description": "通知"}
    )
    campaign = Campaign.objects.get()
    assert response["Location"] == reverse("campaign_detail", args=[campaign.pk])
    response = client.post(
        reverse("deliverable_new", args=[campaign.pk]),
        {
            "kind": K.STORY,
            "name": "战疫故事汇",
            "deadline": "2020-07-31T23:59",
            "submitting_level": "unit",
            "quota": "5",
            "material_types": ["text", "picture", "video"],
            "late_policy": "refuse",
            "requires_summary": "on",
            "subkinds_text": "",
            "topics_text": "",
            "description": "每单位不超过5个",
            "order": "2",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    d = Deliverable.objects.get()
    assert (d.quota, d.material_types, d.requires_summary) == (
        5,
        ["text", "picture", "video"],
        True,
    )
    assert timezone.localtime(d.deadline).strftime("%Y-%m-%d %H:%M") == "2020-07-31 23:59"
    # unlimited, subkinds one per line
    client.post(
        reverse("deliverable_edit", args=[d.pk]),
        {
            "kind": K.RED_FIREWALL,
            "name": "「红色防火墙」",
            "deadline": "2020-12-31T23:59",
            "submitting_level": "unit",
            "quota": "",
            "material_types": ["text"],
            "late_policy": "mark_late",
            "subkinds_text": "先锋岗\n责任状\n突击队\n立项攻关",
            "topics_text": "",
            "order": "4",
        },
    )
    d.refresh_from_db()
    assert d.quota is None and d.subkinds == ["先锋岗", "责任状", "突击队", "立项攻关"]
    page = client.get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    assert "先锋岗、责任状、突击队、立项攻关" in page and "不限" in page


def test_deliverable_form_refuses_no_material_types(cast: Cast, four: dict[str, Any]) -> None:
    d = four[K.STORY]
    response = cast.client("school_admin").post(
        reverse("deliverable_edit", args=[d.pk]),
        {"kind": K.STORY, "name": "x", "deadline": "2020-07-31T23:59", "late_policy": "refuse"},
    )
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode()


def test_unit_admin_prepares_uploads_and_submits_a_story(cast: Cast, four: dict[str, Any]) -> None:
    client = cast.client("unit_a_admin")
    d = four[K.STORY]
    # the summary first
    client.post(
        reverse("deliverable_summary", args=[d.pk]),
        {"org": cast.unit_a.pk, "text": "各支部召开了组织生活会。"},
    )
    # a draft, authors by number and by a free-text name
    response = client.post(
        reverse("submission_new", args=[d.pk]),
        {
            "org": cast.unit_a.pk,
            "title": "云端支部",
            "authors": "A0001 张三\n外校专家",
            "summary": "线上组织生活会",
            "tags": "抗疫一线、组织生活会",
        },
    )
    s = Submission.objects.get()
    assert response["Location"] == reverse("submission_edit", args=[s.pk])
    assert [(a.name, a.member_id) for a in s.authors.all()] == [
        ("张三", cast.member_a.pk),
        ("外校专家", None),
    ]
    assert s.tags == ["抗疫一线", "组织生活会"]
    # a file through the form
    response = client.post(
        reverse("submission_edit", args=[s.pk]),
        {
            "title": "云端支部",
            "authors": "A0001 张三",
            "summary": "线上组织生活会",
            "files": [SimpleUploadedFile("故事.txt", "正文".encode())],
        },
    )
    assert s.files.count() == 1
    # submit
    detail = reverse("submission_detail", args=[s.pk])
    response = client.post(reverse("submission_action", args=[s.pk]), {"action": "submit"})
    assert response["Location"] == detail
    s.refresh_from_db()
    assert s.state == S.SUBMITTED
    page = client.get(detail).content.decode()
    assert "已报送" in page and "撤回" in page


def test_the_sixth_story_shows_the_message(cast: Cast, four: dict[str, Any]) -> None:
    d = four[K.STORY]
    for i in range(5):
        submitted(cast, d, title=f"故事{i}")
    sixth = draft(cast, d, title="第六个")
    client = cast.client("unit_a_admin")
    response = client.post(
        reverse("submission_action", args=[sixth.pk]), {"action": "submit"}, follow=True
    )
    assert "本单位「战疫故事汇」已报送 5 个，已达上限" in response.content.decode()


def test_a_refused_video_is_reported_and_the_warnings_are_shown(
    cast: Cast, four: dict[str, Any], tmp_path: Path
) -> None:
    s = draft(cast, four[K.MICRO_LECTURE])
    client = cast.client("unit_a_admin")
    good = make_video(tmp_path / "good.mp4").read_bytes()
    bad = make_video(tmp_path / "bad.mkv", container="matroska").read_bytes()
    response = client.post(
        reverse("submission_edit", args=[s.pk]),
        {
            "title": s.title,
            "topic": "其他",
            "authors": "A0001",
            "files": [
                SimpleUploadedFile("微党课.mp4", good),
                SimpleUploadedFile("微党课.mkv", bad),
            ],
        },
        follow=True,
    )
    page = response.content.decode()
    assert "文件「微党课.mkv」未被接收" in page
    assert "建议使用 1920×1080" in page
    assert [f.original_name for f in s.files.all()] == ["微党课.mp4"]
    # the warnings stay on the submission page for the reviewer
    services.submission_submit(actor=cast.users["unit_a_admin"], submission=s)
    review = cast.client("reviewer").get(reverse("submission_detail", args=[s.pk])).content
    assert "建议使用 1920×1080" in review.decode()


def test_reviewer_scores_selects_and_returns_through_the_page(
    cast: Cast, four: dict[str, Any]
) -> None:
    s = submitted(cast, four[K.STORY])
    client = cast.client("reviewer")
    client.post(reverse("submission_review", args=[s.pk]), {"score": "88.5", "comment": "好"})
    client.post(reverse("submission_transition", args=[s.pk]), {"to_state": "selected"})
    s.refresh_from_db()
    assert (str(s.score), s.state) == ("88.5", S.SELECTED)
    # the table refuses returning a selected one; the message is shown
    response = client.post(
        reverse("submission_transition", args=[s.pk]),
        {"to_state": "returned", "comment": "不合适"},
        follow=True,
    )
    assert "不能改为" in response.content.decode()
    page = client.get(reverse("submission_detail", args=[s.pk])).content.decode()
    assert "评分 88.5" in page and "已报送 → 择优" in page


def test_unit_withdraws_redrafts_and_resubmits_through_the_page(
    cast: Cast, four: dict[str, Any]
) -> None:
    s = submitted(cast, four[K.STORY])
    client = cast.client("unit_a_admin")
    url = reverse("submission_action", args=[s.pk])
    client.post(url, {"action": "withdraw"})
    client.post(url, {"action": "redraft"})
    client.post(url, {"action": "submit"})
    s.refresh_from_db()
    assert s.state == S.SUBMITTED and s.events.count() == 5


def _board_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_board_shows_cells_and_costs_the_same_queries_however_many(
    cast: Cast, four: dict[str, Any]
) -> None:
    d = four[K.STORY]
    campaign = d.campaign
    url = reverse("campaign_board", args=[campaign.pk])
    client = cast.client("school_admin")
    client.get(url)
    before = _board_queries(client, url)
    for i in range(3):
        submitted(cast, d, title=f"故事{i}")
    s = draft(cast, four[K.RED_FIREWALL])
    services.submission_submit(
        actor=cast.users["unit_a_admin"],
        submission=s,
        now=four[K.RED_FIREWALL].deadline + dt.timedelta(days=1),
    )
    Reminder.objects.create(deliverable=d, org=cast.unit_b, recipients="b@example.edu.cn")
    summary_for(cast, d, "unit_b")
    after = _board_queries(client, url)
    assert after == before
    page = client.get(url).content.decode()
    assert "3 / 5" in page and "逾期 1" in page and "已提醒" in page


def test_unit_admin_sees_only_their_row(cast: Cast, four: dict[str, Any]) -> None:
    url = reverse("campaign_board", args=[four[K.STORY].campaign_id])
    page = cast.client("unit_a_admin").get(url).content.decode()
    assert cast.unit_a.name in page and cast.unit_b.name not in page
    page = cast.client("school_admin").get(url).content.decode()
    assert cast.unit_a.name in page and cast.unit_b.name in page


def test_submission_list_filters_and_is_scoped(cast: Cast, four: dict[str, Any]) -> None:
    submitted(cast, four[K.STORY], title="甲的故事")
    draft(cast, four[K.STORY], title="甲的草稿")
    page = cast.client("reviewer").get(reverse("submission_list")).content.decode()
    assert "甲的故事" in page and "甲的草稿" not in page
    response = cast.client("unit_a_admin").get(reverse("submission_list"), {"state": "draft"})
    drafts = response.content.decode()
    assert "甲的草稿" in drafts and "甲的故事" not in drafts


def test_member_options_lists_members_in_scope(cast: Cast) -> None:
    page = cast.client("unit_a_admin").get(reverse("campaign_member_options"), {"q": "张"})
    assert "A0001 张三" in page.content.decode()
    page = cast.client("unit_a_admin").get(reverse("campaign_member_options"), {"q": "李"})
    assert "李四" not in page.content.decode()


def test_member_options_match_a_number_prefix_in_scope_only(cast: Cast) -> None:
    page = cast.client("unit_a_admin").get(reverse("campaign_member_options"), {"q": "A00"})

    assert page.status_code == 200
    text = page.content.decode()
    assert "A0001 张三" in text and "A0002 王五" in text
    assert "B0001" not in text


def test_demo_seed_loads_four_ones_as_the_notice_defines(
    db: Any, settings: Any, tmp_path: Path
) -> None:
    from demo.management.commands.seed_demo import seed_demo

    settings.MEDIA_ROOT = tmp_path
    seed_demo()
    old = Campaign.objects.get(year=2020)
    rows = {
        d.name: (d.quota, timezone.localtime(d.deadline).strftime("%m-%d %H:%M"), d.is_closed)
        for d in old.deliverables.all()
    }
    assert rows["专题微党课"] == (1, "07-31 23:59", True)
    assert rows["战疫故事汇"] == (5, "07-31 23:59", True)
    assert rows["教育素材库"][:2] == (None, "10-31 23:59")
    d = {x.kind: x for x in old.deliverables.all()}
    assert d[K.STORY].requires_summary
    assert d[K.RED_FIREWALL].subkinds == ["先锋岗", "责任状", "突击队", "立项攻关"]
    assert set(d[K.MATERIAL].material_types) == {"text", "picture", "audio", "video", "case"}
    assert len(d[K.MICRO_LECTURE].topics) == 6 and d[K.MICRO_LECTURE].topics[-1] == "其他"
    current = Campaign.objects.exclude(pk=old.pk).get()
    assert not any(x.is_closed for x in current.deliverables.all())
    states = set(Submission.objects.values_list("state", flat=True))
    assert {S.DRAFT, S.SUBMITTED, S.SELECTED, S.RECOMMENDED, S.PUBLISHED, S.RETURNED} <= states
    assert Reminder.objects.exists()
