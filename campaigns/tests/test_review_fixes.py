"""Defects found in review: double submits, unaudited downloads, stale writes, stray files."""

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from campaigns import services
from campaigns.models import Deliverable, SubmissionFile, SubmissionState
from campaigns.tests.helpers import K, draft, four, media_root, submitted
from conftest import Cast

S = SubmissionState
__all__ = ["four", "media_root"]

DELIVERABLE_POST = {
    "kind": K.STORY,
    "name": "战疫故事汇（补充）",
    "deadline": "2020-07-31T23:59",
    "submitting_level": "unit",
    "quota": "5",
    "material_types": ["text"],
    "late_policy": "refuse",
    "order": "9",
}


def test_a_double_submitted_deliverable_form_adds_one_deliverable(
    cast: Cast, four: dict[str, Any]
) -> None:
    # given the 添加任务项 form with its one-time token
    campaign = four[K.STORY].campaign
    before = Deliverable.objects.count()
    client = cast.client("school_admin")
    data = {**DELIVERABLE_POST, "form_token": str(uuid.uuid4())}
    # when it is sent twice (a double click)
    first = client.post(reverse("deliverable_new", args=[campaign.pk]), data)
    second = client.post(reverse("deliverable_new", args=[campaign.pk]), data)
    # then one deliverable is added, and both answers lead to the campaign
    assert Deliverable.objects.count() == before + 1
    assert first.status_code == second.status_code == 302
    assert second["Location"] == reverse("campaign_detail", args=[campaign.pk])


def test_a_double_submitted_unit_summary_is_written_once(cast: Cast, four: dict[str, Any]) -> None:
    d = four[K.STORY]
    client = cast.client("unit_a_admin")
    data = {
        "org": cast.unit_a.pk,
        "text": "各支部召开了组织生活会。",
        "form_token": str(uuid.uuid4()),
    }
    client.post(reverse("deliverable_summary", args=[d.pk]), data)
    client.post(reverse("deliverable_summary", args=[d.pk]), data)
    assert AuditEvent.objects.filter(action__startswith="unit_summary.").count() == 1


def test_a_double_submitted_edit_attaches_its_file_once(cast: Cast, four: dict[str, Any]) -> None:
    # given a draft and its edit form with one file in it
    s = draft(cast, four[K.STORY])
    client = cast.client("unit_a_admin")
    token = str(uuid.uuid4())

    def send() -> Any:
        return client.post(
            reverse("submission_edit", args=[s.pk]),
            {
                "title": s.title,
                "authors": "A0001",
                "summary": s.summary,
                "form_token": token,
                "files": [SimpleUploadedFile("故事.txt", "正文".encode())],
            },
        )

    # when the form is sent twice
    first, second = send(), send()
    # then the file is attached once, and the second answer leads where the first did
    assert [f.original_name for f in s.files.all()] == ["故事.txt"]
    assert second.status_code == 302 and second["Location"] == first["Location"]


def test_downloading_a_submission_file_is_audited(cast: Cast, four: dict[str, Any]) -> None:
    s = draft(cast, four[K.STORY])
    result = services.submission_attach(
        actor=cast.users["unit_a_admin"],
        submission=s,
        incoming=[_incoming_text(cast, "故事.txt")],
    )
    f = result.files[0]
    client = cast.client("unit_a_admin")
    # playing or previewing in the page is not an export
    client.get(reverse("submission_file", args=[f.pk]))
    assert not AuditEvent.objects.filter(action="submission.file_download").exists()
    # a download is
    response = client.get(reverse("submission_file", args=[f.pk]) + "?download=1")
    assert response.status_code == 200
    b"".join(response.streaming_content)  # type: ignore[attr-defined]
    event = AuditEvent.objects.get(action="submission.file_download")
    assert event.actor == cast.users["unit_a_admin"] and event.target_id == str(s.pk)


def _incoming_text(cast: Cast, name: str) -> services.IncomingFile:
    import tempfile

    with tempfile.NamedTemporaryFile(delete=False, suffix=".txt") as out:
        out.write("正文内容".encode())
    return services.incoming_from_path(Path(out.name), name=name, keep_source=False)


def test_a_change_of_state_does_not_write_back_a_stale_score(
    cast: Cast, four: dict[str, Any]
) -> None:
    # given a submitted story, loaded by one reviewer's page
    s = submitted(cast, four[K.STORY])
    stale = type(s).objects.get(pk=s.pk)
    # when another reviewer scores it, and then the first one shortlists their copy
    services.submission_review(
        reviewer=cast.users["reviewer"], submission=s, score=Decimal("92.5"), comment="好"
    )
    services.submission_transition(
        submission=stale, to_state=S.SHORTLISTED, actor=cast.users["school_admin"]
    )
    # then the score stays
    s.refresh_from_db()
    assert (s.state, s.score) == (S.SHORTLISTED, Decimal("92.5"))


def test_a_failed_attach_keeps_none_of_the_files(
    cast: Cast, four: dict[str, Any], media_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a draft and two good files, the second of which fails to be recorded
    s = draft(cast, four[K.STORY])
    real_create = SubmissionFile.objects.create
    calls = {"n": 0}

    def create(**kwargs: Any) -> SubmissionFile:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("database went away")
        return real_create(**kwargs)

    monkeypatch.setattr(SubmissionFile.objects, "create", create)
    # when the attach fails half way
    with pytest.raises(RuntimeError):
        services.submission_attach(
            actor=cast.users["unit_a_admin"],
            submission=s,
            incoming=[_incoming_text(cast, "一.txt"), _incoming_text(cast, "二.txt")],
        )
    # then no row and no file is left in storage
    assert not SubmissionFile.objects.filter(submission=s).exists()
    stored = media_root / "submissions"
    assert not stored.exists() or not [p for p in stored.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("declared", "stored"),
    [
        ("image/png", "image/png"),
        ("video/mp4", "video/mp4"),
        ("text/html", "application/octet-stream"),
        ("image/svg+xml", "application/octet-stream"),
        ("application/javascript", "application/octet-stream"),
    ],
)
def test_an_imported_package_cannot_declare_a_type_that_runs_in_the_browser(
    declared: str, stored: str
) -> None:
    from campaigns.package import _safe_content_type

    assert _safe_content_type(declared) == stored
