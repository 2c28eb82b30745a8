"""发展党员 pages: the 公示, objections, evidence and a closed file, through the forms."""

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from conftest import Cast
from development import services
from development.models import Candidate, DevelopmentStage, Evidence, Objection, Publicity
from development.tests.helpers import applicant, contacts
from uploads.tests.helpers import (
    finished_upload,
    media_root_fixture,  # noqa: F401 (a fixture)
)

TODAY = timezone.localdate()


def _token() -> str:
    return str(uuid.uuid4())


def _said(response: Any) -> str:
    """The latest message the page shows after the redirect."""
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    return shown[-1] if shown else ""


def _target(cast: Cast) -> Candidate:
    admin = cast.users["school_admin"]
    start = TODAY - dt.timedelta(days=800)
    c = applicant(cast, start)
    one, _ = contacts(cast)
    services.candidate_details_update(actor=admin, candidate=c, contact_1=one)
    services.candidate_advance(actor=admin, candidate=c, on=start)
    services.candidate_advance(actor=admin, candidate=c, on=start + dt.timedelta(days=400))
    c.refresh_from_db()
    return c


def test_a_publicity_with_its_dates_the_wrong_way_round_is_refused(cast: Cast) -> None:
    c = _target(cast)
    url = reverse("candidate_publicity", args=[c.pk])
    response = cast.client("branch_secretary").post(
        url,
        {"form_token": _token(), "starts_on": str(TODAY), "ends_on": str(TODAY - dt.timedelta(2))},
    )
    assert response["Location"] == reverse("candidate_detail", args=[c.pk])
    assert _said(response) == "公示结束不能早于开始。"
    assert not Publicity.objects.exists()


def test_objections_are_recorded_on_the_latest_publicity_and_then_checked(cast: Cast) -> None:
    c = _target(cast)
    client = cast.client("branch_secretary")
    url = reverse("candidate_objection", args=[c.pk])
    # no 公示 yet
    early = client.post(url, {"form_token": _token(), "received_on": str(TODAY), "text": "反映"})
    assert _said(early) == "尚未公示，不能记录公示意见。"

    r = client.post(
        reverse("candidate_publicity", args=[c.pk]),
        {
            "form_token": _token(),
            "starts_on": str(TODAY - dt.timedelta(days=6)),
            "ends_on": str(TODAY),
        },
    )
    assert _said(r) == "已记录公示。"
    empty = client.post(url, {"form_token": _token(), "received_on": str(TODAY), "text": ""})
    assert _said(empty) == "这个字段是必填项。"
    ok = client.post(url, {"form_token": _token(), "received_on": str(TODAY), "text": "反映其态度"})
    assert _said(ok) == "已记录公示意见，请核查后填写结论。"
    objection = Objection.objects.get()

    missing = client.post(
        url,
        {"form_token": _token(), "objection": "999999", "finding": "x", "resolved_on": str(TODAY)},
    )
    assert _said(missing) == "找不到该意见。"
    bad = client.post(url, {"form_token": _token(), "objection": objection.pk, "finding": ""})
    assert _said(bad) == "这个字段是必填项。"
    done = client.post(
        url,
        {
            "form_token": _token(),
            "objection": objection.pk,
            "finding": "经核查不属实",
            "resolved_on": str(TODAY),
        },
    )
    assert _said(done) == "已记录核查结论。"
    objection.refresh_from_db()
    assert (objection.finding, objection.upheld) == ("经核查不属实", False)


def test_a_full_members_file_has_no_next_step(cast: Cast) -> None:
    c = applicant(cast, TODAY)
    Candidate.objects.filter(pk=c.pk).update(stage=DevelopmentStage.FULL)
    response = cast.client("school_admin").get(reverse("candidate_advance", args=[c.pk]))
    assert response["Location"] == reverse("candidate_detail", args=[c.pk])
    assert _said(response) == "已是正式党员，没有下一阶段。"


def test_evidence_is_uploaded_and_served_to_who_sees_the_file(cast: Cast, media_root: Path) -> None:
    c = applicant(cast, TODAY)
    user = cast.users["branch_secretary"]
    data = b"%PDF thought report"
    upload = finished_upload(user, "思想汇报.pdf", data)
    client = cast.client("branch_secretary")

    response = client.post(
        reverse("candidate_evidence", args=[c.pk]),
        {"form_token": _token(), "upload_ids": [str(upload.pk)]},
    )

    assert _said(response) == "已添加 1 个材料。"
    evidence = Evidence.objects.get()
    url = reverse("evidence_file", args=[evidence.pk])
    served = client.get(url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == data  # type: ignore[attr-defined]
    assert cast.client("member_b").get(url).status_code == 404
    assert client.get(reverse("evidence_file", args=[evidence.pk + 1])).status_code == 404
