"""Study pages: a plan through its form, a session with its material, the material served."""

import uuid
from pathlib import Path

from django.urls import reverse
from django.utils import timezone

from conftest import Cast
from study.models import StudyFile, StudyPlan, StudySession
from uploads.tests.helpers import (
    finished_upload,
    media_root_fixture,  # noqa: F401 (a fixture)
)

TODAY = timezone.localdate()
YEAR = TODAY.year


def _token() -> str:
    return str(uuid.uuid4())


def test_a_unit_makes_a_plan_once_and_a_bad_one_is_shown_again(cast: Cast) -> None:
    client = cast.client("unit_a_admin")
    data = {
        "form_token": _token(),
        "org": cast.unit_a.pk,
        "kind": "annual",
        "title": "年度理论学习计划",
        "starts_on": f"{YEAR}-01-01",
        "ends_on": f"{YEAR + 1}-01-31",
        "hours_target": "32",
    }
    refused = client.post(reverse("study_plan_new"), data)
    assert refused.status_code == 200
    assert "年度学习计划须在同一年内。" in refused.content.decode()
    assert not StudyPlan.objects.exists()

    data |= {"form_token": _token(), "ends_on": f"{YEAR}-12-31"}
    first = client.post(reverse("study_plan_new"), data)
    again = client.post(reverse("study_plan_new"), data)  # a double click
    plan = StudyPlan.objects.get()
    assert first["Location"] == reverse("study_plan_detail", args=[plan.pk])
    assert again.status_code == 302
    page = client.get(first["Location"]).content.decode()
    assert "年度理论学习计划" in page


def test_a_member_may_not_open_the_plan_form(cast: Cast) -> None:
    assert cast.client("member_a").get(reverse("study_plan_new")).status_code == 403


def test_a_sessions_material_is_kept_and_served_to_who_sees_the_session(
    cast: Cast, media_root: Path
) -> None:
    user = cast.users["branch_secretary"]
    data = b"%PDF slides"
    upload = finished_upload(user, "学习课件.pdf", data)
    client = cast.client("branch_secretary")

    response = client.post(
        reverse("study_session_new"),
        {
            "form_token": _token(),
            "org": cast.branch_a1.pk,
            "kind": "self_study",
            "title": "学习防控工作方案",
            "held_on": str(TODAY),
            "hours": "2",
            "upload_ids": [str(upload.pk)],
        },
    )

    session = StudySession.objects.get()
    assert response["Location"] == reverse("study_session_detail", args=[session.pk])
    material = StudyFile.objects.get(session=session)
    url = reverse("study_file", args=[material.pk])
    served = client.get(url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == data  # type: ignore[attr-defined]
    assert cast.client("member_b").get(url).status_code == 404
    assert client.get(reverse("study_file", args=[material.pk + 1])).status_code == 404
