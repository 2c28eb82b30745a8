"""/api/campaigns: the same scope as the pages, paginated lists at a fixed query count."""

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns import services
from campaigns.models import SubmissionState
from campaigns.tests.helpers import K, draft, make_campaign, summary_for
from conftest import Cast

S = SubmissionState


@pytest.fixture
def data(cast: Cast, settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    campaign, four = make_campaign(cast)
    story = four[K.STORY]
    summary_for(cast, story)
    submitted_a = draft(cast, story, title="甲单位的故事")
    services.submission_submit(actor=cast.users["unit_a_admin"], submission=submitted_a)
    return {
        "campaign": campaign,
        "story": story,
        "submitted_a": submitted_a,
        "draft_a": draft(cast, story, title="甲单位草稿"),
    }


@pytest.mark.parametrize(
    ("role", "titles"),
    [
        ("school_admin", ["甲单位的故事"]),
        ("reviewer", ["甲单位的故事"]),
        ("unit_a_admin", ["甲单位草稿", "甲单位的故事"]),
        ("unit_b_admin", []),
        ("branch_secretary", []),
        ("duty_office", []),
        ("member_a", []),
    ],
)
def test_submission_list_is_scoped(
    cast: Cast, data: dict[str, Any], role: str, titles: list[str]
) -> None:
    response = cast.client(role).get("/api/campaigns/submissions")
    assert response.status_code == 200
    assert sorted(i["title"] for i in response.json()["items"]) == sorted(titles)


@pytest.mark.parametrize(
    ("role", "obj", "status"),
    [
        ("school_admin", "submitted_a", 200),
        ("reviewer", "submitted_a", 200),
        ("unit_b_admin", "submitted_a", 404),
        ("member_a", "submitted_a", 404),
        ("school_admin", "draft_a", 404),
        ("unit_a_admin", "draft_a", 200),
    ],
)
def test_submission_detail_and_events_are_scoped(
    cast: Cast, data: dict[str, Any], role: str, obj: str, status: int
) -> None:
    client = cast.client(role)
    pk = data[obj].pk
    assert client.get(f"/api/campaigns/submissions/{pk}").status_code == status
    events = client.get(f"/api/campaigns/submissions/{pk}/events")
    assert events.status_code == status
    if status == 200:
        assert events.json()[0]["to_state"] == S.DRAFT
    else:
        assert events.json()["detail"] == "未找到，或不在您的权限范围内。"


def test_campaigns_and_deliverables_are_listed_for_every_role(
    cast: Cast, data: dict[str, Any]
) -> None:
    client = cast.client("member_a")
    listed = client.get("/api/campaigns").json()
    assert [c["name"] for c in listed["items"]] == ["「四个一」行动"]
    detail = client.get(f"/api/campaigns/{data['campaign'].pk}").json()
    quotas = {d["name"]: d["quota"] for d in detail["deliverables"]}
    assert quotas == {"专题微党课": 1, "战疫故事汇": 5, "教育素材库": None, "「红色防火墙」": None}
    deliverables = client.get(f"/api/campaigns/{data['campaign'].pk}/deliverables").json()
    assert len(deliverables) == 4


def test_anonymous_gets_401(db: Any) -> None:
    from django.test import Client

    response = Client().get("/api/campaigns/submissions")
    assert response.status_code == 401


def test_list_costs_a_fixed_number_of_queries(cast: Cast, data: dict[str, Any]) -> None:
    client = cast.client("school_admin")
    client.get("/api/campaigns/submissions")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/campaigns/submissions")
    for i in range(10):
        s = draft(cast, data["story"], title=f"更多{i}", unit="unit_b", who="unit_b_admin")
        summary_for(cast, data["story"], "unit_b") if i == 0 else None
        s.state = S.SUBMITTED
        s.save()
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/campaigns/submissions")
    assert response.json()["count"] == 11
    assert len(many) == len(few), "\n".join(q["sql"][:150] for q in many.captured_queries)


def test_transition_through_the_api(cast: Cast, data: dict[str, Any]) -> None:
    url = f"/api/campaigns/submissions/{data['submitted_a'].pk}/transition"
    # a unit admin may not select
    refused = cast.client("unit_a_admin").post(
        url, {"to_state": "selected"}, content_type="application/json"
    )
    assert refused.status_code == 403
    # a reviewer selects; a step the table does not allow is a 400 in Chinese
    ok = cast.client("reviewer").post(
        url, {"to_state": "selected", "comment": "择优"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["state"] == "selected"
    bad = cast.client("reviewer").post(
        url, {"to_state": "returned", "comment": "x"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert "不能改为" in bad.json()["detail"]
