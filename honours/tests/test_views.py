"""表彰评比 through its pages: a round, a unit's nomination with evidence, review, 公示 with an
objection, the final list, certificates, and the honour on the member's page."""

import io
import uuid
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from conftest import FORBIDDEN, HIDDEN, Cast
from honours.models import CommendationRound, Nomination, NominationState, Objection
from honours.tests.helpers import days, make_round, move_window, shift_checked_in


def _post(cast: Cast, who: str, url: str, data: dict[str, Any] | None = None) -> Any:
    return cast.client(who).post(url, {"form_token": str(uuid.uuid4()), **(data or {})})


def test_school_admin_opens_a_round_through_the_form(cast: Cast) -> None:
    response = _post(
        cast,
        "school_admin",
        reverse("honour_round_new"),
        {
            "year": 2020,
            "kind": "worker",
            "nominate_from": str(days(0)),
            "nominate_until": str(days(7)),
            "review_until": str(days(14)),
            "default_quota": 2,
        },
    )
    r = CommendationRound.objects.get()
    assert response["Location"] == reverse("honour_round_detail", args=[r.pk])
    assert r.title == "优秀党务工作者" and r.default_quota == 2


def test_a_unit_nominates_a_member_with_evidence_and_the_whole_round_runs(cast: Cast) -> None:
    check = shift_checked_in(cast)
    r = make_round(cast)
    _post(
        cast,
        "unit_a_admin",
        reverse("honour_nominate", args=[r.pk]),
        {"member": "A0001", "reason": "坚守北门值守岗位"},
    )
    n = Nomination.objects.get()
    page = cast.client("unit_a_admin").get(reverse("honour_nomination_detail", args=[n.pk]))
    assert f'value="duty:{check.pk}"' in page.content.decode()
    _post(
        cast,
        "unit_a_admin",
        reverse("honour_evidence_add", args=[n.pk]),
        {"evidence": [f"duty:{check.pk}"]},
    )
    assert n.evidence.count() == 1

    move_window(r, closes=-1)
    _post(cast, "school_admin", reverse("honour_review", args=[n.pk]), {"decision": "select"})
    _post(cast, "school_admin", reverse("honour_publicity_start", args=[r.pk]))
    n.refresh_from_db()
    assert n.state == NominationState.SELECTED

    # 公示: member_b (another unit) sees the nominee, not the evidence, and objects
    page = cast.client("member_b").get(reverse("honour_nomination_detail", args=[n.pk]))
    assert page.status_code == 200 and "北门值班值守岗" not in page.content.decode()
    _post(
        cast,
        "member_b",
        reverse("honour_objection_raise", args=[n.pk]),
        {"text": "该同志值班期间有缺岗情况"},
    )
    objection = Objection.objects.get()
    refused = _post(
        cast, "unit_a_admin", reverse("honour_objection_handle", args=[objection.pk]), {}
    )
    assert refused.status_code == FORBIDDEN
    assert (
        _post(cast, "member_b", reverse("honour_objection_handle", args=[objection.pk])).status_code
        == FORBIDDEN
    )
    _post(
        cast,
        "school_admin",
        reverse("honour_objection_handle", args=[objection.pk]),
        {"decision": "dismissed", "note": "经核查，系正常换班"},
    )
    CommendationRound.objects.filter(pk=r.pk).update(publicity_until=days(-1))
    _post(cast, "school_admin", reverse("honour_round_finalise", args=[r.pk]))
    n.refresh_from_db()
    assert n.state == NominationState.AWARDED

    docx = cast.client("unit_a_admin").get(reverse("honour_certificates", args=[r.pk]))
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "张三同志" in text
    assert (
        cast.client("unit_b_admin").get(reverse("honour_certificates", args=[r.pk])).status_code
        == HIDDEN
    )
    honours = cast.client("member_a").get(reverse("honour_member", args=[cast.member_a.pk]))
    assert "优秀共产党员" in honours.content.decode()


def test_nominating_over_quota_says_so_in_chinese(cast: Cast) -> None:
    r = make_round(cast)
    url = reverse("honour_nominate", args=[r.pk])
    _post(cast, "unit_a_admin", url, {"member": "A0001", "reason": "事迹"})
    page = _post(cast, "unit_a_admin", url, {"member": "A0002", "reason": "事迹"})
    assert "名额（1 个）已用完" in page.content.decode()
    assert Nomination.objects.count() == 1


def test_round_page_makes_a_fixed_number_of_queries(cast: Cast) -> None:
    r = make_round(cast)
    client = cast.client("school_admin")
    url = reverse("honour_round_detail", args=[r.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _post(
        cast,
        "unit_a_admin",
        reverse("honour_nominate", args=[r.pk]),
        {"member": "A0001", "reason": "x"},
    )
    _post(
        cast,
        "unit_b_admin",
        reverse("honour_nominate", args=[r.pk]),
        {"member": "B0001", "reason": "x"},
    )
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert Nomination.objects.count() == 2
    assert len(more) == len(few)


def test_review_before_nominations_close_is_refused_on_the_page(cast: Cast) -> None:
    r = make_round(cast)
    _post(
        cast,
        "unit_a_admin",
        reverse("honour_nominate", args=[r.pk]),
        {"member": "A0001", "reason": "x"},
    )
    n = Nomination.objects.get()
    client = cast.client("school_admin")
    response = client.post(
        reverse("honour_review", args=[n.pk]),
        {"form_token": str(uuid.uuid4()), "decision": "select"},
    )
    assert "推荐截止" in client.get(response["Location"]).content.decode()
    n.refresh_from_db()
    assert n.state == NominationState.NOMINATED


def test_home_asks_units_to_nominate_and_the_school_to_review(cast: Cast) -> None:
    r = make_round(cast)
    unit_home = cast.client("unit_a_admin").get(reverse("home")).content.decode()
    assert "正在推荐的表彰评比" in unit_home
    _post(
        cast,
        "unit_a_admin",
        reverse("honour_nominate", args=[r.pk]),
        {"member": "A0001", "reason": "x"},
    )
    move_window(r, closes=-1)
    school_home = cast.client("school_admin").get(reverse("home")).content.decode()
    assert "待评审的表彰推荐" in school_home


def test_member_and_branch_pages_link_to_their_honours(cast: Cast) -> None:
    member_page = cast.client("member_a").get(reverse("member_detail", args=[cast.member_a.pk]))
    assert reverse("honour_member", args=[cast.member_a.pk]) in member_page.content.decode()
    org_page = cast.client("branch_secretary").get(reverse("org_detail", args=[cast.branch_a1.pk]))
    assert reverse("honour_org", args=[cast.branch_a1.pk]) in org_page.content.decode()
