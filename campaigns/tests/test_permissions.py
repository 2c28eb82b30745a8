"""Every campaigns page for every role of the cast: allowed, refused (403) or hidden (404);
and the POST-only actions, refused without a trace."""

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from campaigns import services
from campaigns.models import Submission, SubmissionState
from campaigns.tests.helpers import K, draft, make_campaign, summary_for
from conftest import (
    BAD_REQUEST,
    FORBIDDEN,
    HIDDEN,
    LOGIN,
    OK,
    REDIRECT,
    ROLES,
    Cast,
    WriteRow,
    assert_writes,
    expect,
    write_cases,
)

S = SubmissionState
MANAGE_ONLY = expect(FORBIDDEN, school_admin=OK)
EDITORS = expect(FORBIDDEN, school_admin=OK, unit_a_admin=OK, unit_b_admin=OK)
A_SUBMITTED = expect(
    HIDDEN, school_admin=OK, unit_a_admin=OK, reviewer=OK
)  # branch_secretary's scope is a branch, not unit A's own submissions

TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("campaign_list", None, expect(OK)),
    ("campaign_new", None, MANAGE_ONLY),
    ("campaign_detail", "campaign", expect(OK)),
    ("campaign_edit", "campaign", MANAGE_ONLY),
    (
        "campaign_board",
        "campaign",
        expect(FORBIDDEN, school_admin=OK, unit_a_admin=OK, unit_b_admin=OK, reviewer=OK),
    ),
    ("deliverable_new", "campaign", MANAGE_ONLY),
    ("deliverable_edit", "story", MANAGE_ONLY),
    ("deliverable_summary", "story", EDITORS),
    ("submission_new", "story", EDITORS),
    (
        "submission_list",
        None,
        expect(OK, duty_office=FORBIDDEN, member_a=FORBIDDEN),
    ),
    ("submission_detail", "draft_a", expect(HIDDEN, unit_a_admin=OK)),
    ("submission_detail", "submitted_a", A_SUBMITTED),
    ("submission_edit", "draft_a", expect(HIDDEN, unit_a_admin=OK)),
    ("submission_file", "file_a", A_SUBMITTED),
    ("campaign_member_options", None, EDITORS),
]

# POST-only actions: tested below.
COVERED_ELSEWHERE = {
    "submission_action",
    "submission_review",
    "submission_transition",
    "submission_file_delete",
}


@pytest.fixture
def objects(cast: Cast, settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    campaign, four = make_campaign(cast)
    story = four[K.STORY]
    summary_for(cast, story)
    submitted_a = draft(cast, story, title="已报送")
    note = tmp_path / "story.txt"
    note.write_text("故事正文", encoding="utf-8")
    (file_a,) = services.submission_attach(
        actor=cast.users["unit_a_admin"],
        submission=submitted_a,
        incoming=[services.incoming_from_path(note, name="故事.txt")],
    ).files
    services.submission_submit(actor=cast.users["unit_a_admin"], submission=submitted_a)
    return {
        "campaign": campaign,
        "story": story,
        "draft_a": draft(cast, story, title="草稿"),
        "submitted_a": submitted_a,
        "file_a": file_a,
    }


def _url(objects: dict[str, Any], name: str, arg: str | None) -> str:
    return reverse(name) if arg is None else reverse(name, args=[objects[arg].pk])


CASES = [(name, arg, role, table[role]) for name, arg, table in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "arg", "role", "status"), CASES)
def test_page_access(
    cast: Cast, objects: dict[str, Any], name: str, arg: str | None, role: str, status: int
) -> None:
    response = cast.client(role).get(_url(objects, name, arg))
    assert response.status_code == status, f"{role} GET {name}({arg})"
    if status == LOGIN:
        assert response["Location"].startswith(reverse("login"))


# --- POST-only actions --------------------------------------------------------------------

POSTS = [
    # (url name, object, role, data, status, state afterwards)
    ("submission_action", "draft_a", "unit_b_admin", {"action": "submit"}, HIDDEN, S.DRAFT),
    ("submission_action", "draft_a", "school_admin", {"action": "submit"}, HIDDEN, S.DRAFT),
    ("submission_action", "draft_a", "reviewer", {"action": "submit"}, HIDDEN, S.DRAFT),
    (
        "submission_action",
        "submitted_a",
        "reviewer",
        {"action": "withdraw"},
        FORBIDDEN,
        S.SUBMITTED,
    ),
    (
        "submission_action",
        "submitted_a",
        "unit_b_admin",
        {"action": "withdraw"},
        HIDDEN,
        S.SUBMITTED,
    ),
    ("submission_action", "submitted_a", "member_a", {"action": "withdraw"}, HIDDEN, S.SUBMITTED),
    (
        "submission_transition",
        "submitted_a",
        "unit_a_admin",
        {"to_state": S.SELECTED},
        FORBIDDEN,
        S.SUBMITTED,
    ),
    (
        "submission_transition",
        "submitted_a",
        "unit_b_admin",
        {"to_state": S.SELECTED},
        HIDDEN,
        S.SUBMITTED,
    ),
    (
        "submission_transition",
        "submitted_a",
        "branch_secretary",
        {"to_state": S.SELECTED},
        HIDDEN,
        S.SUBMITTED,
    ),
    ("submission_transition", "draft_a", "reviewer", {"to_state": S.SELECTED}, HIDDEN, S.DRAFT),
    ("submission_review", "submitted_a", "unit_a_admin", {"score": "99"}, FORBIDDEN, S.SUBMITTED),
    ("submission_review", "submitted_a", "duty_office", {"score": "99"}, HIDDEN, S.SUBMITTED),
    ("submission_file_delete", "file_a", "unit_b_admin", {}, HIDDEN, S.SUBMITTED),
    ("submission_file_delete", "file_a", "reviewer", {}, FORBIDDEN, S.SUBMITTED),
]


@pytest.mark.parametrize(("name", "obj", "role", "data", "status", "state"), POSTS)
def test_refused_post_changes_nothing(
    cast: Cast,
    objects: dict[str, Any],
    name: str,
    obj: str,
    role: str,
    data: dict[str, str],
    status: int,
    state: str,
) -> None:
    before = AuditEvent.objects.count()
    response = cast.client(role).post(_url(objects, name, obj), data)
    assert response.status_code == status
    assert AuditEvent.objects.count() == before
    pk = objects[obj].submission_id if obj == "file_a" else objects[obj].pk
    assert Submission.objects.get(pk=pk).state == state


def test_anonymous_posts_go_to_login(cast: Cast, objects: dict[str, Any]) -> None:
    for name in sorted(COVERED_ELSEWHERE):
        obj = "file_a" if name == "submission_file_delete" else "submitted_a"
        response = cast.client("anonymous").post(_url(objects, name, obj), {})
        assert response.status_code == LOGIN


# --- every write route, for every role (see access/tests/test_permissions.py) --------------

# Reviewers act on unit A's submitted work; unit A may not judge its own.
REVIEW_A = expect(HIDDEN, school_admin=REDIRECT, unit_a_admin=FORBIDDEN, reviewer=REDIRECT)

# (url name, object, expected status per role[, POST data]); each role's POST is rolled back.
WRITE_TABLE: list[WriteRow] = [
    ("campaign_new", None, MANAGE_ONLY),
    ("campaign_edit", "campaign", MANAGE_ONLY),
    ("deliverable_new", "campaign", MANAGE_ONLY),
    ("deliverable_edit", "story", MANAGE_ONLY),
    ("deliverable_summary", "story", EDITORS),
    ("submission_new", "story", EDITORS),
    ("submission_edit", "draft_a", expect(HIDDEN, unit_a_admin=OK)),
    ("submission_action", "draft_a", expect(HIDDEN, unit_a_admin=REDIRECT), {"action": "submit"}),
    (
        "submission_action",
        "submitted_a",
        expect(HIDDEN, school_admin=REDIRECT, unit_a_admin=REDIRECT, reviewer=FORBIDDEN),
        {"action": "withdraw"},
    ),
    ("submission_review", "submitted_a", REVIEW_A, {"score": "90"}),
    ("submission_transition", "submitted_a", REVIEW_A, {"to_state": S.SELECTED}),
    (
        "submission_file_delete",
        "file_a",
        expect(HIDDEN, school_admin=REDIRECT, unit_a_admin=REDIRECT, reviewer=FORBIDDEN),
    ),
    ("package_import", None, expect(FORBIDDEN, school_admin=BAD_REQUEST)),
    (
        "api:submission_transition",
        "submitted_a",
        {**expect(HIDDEN, school_admin=OK, unit_a_admin=FORBIDDEN, reviewer=OK), "anonymous": 401},
        {"to_state": S.SELECTED},
    ),
]

WRITES_COVERED_ELSEWHERE: dict[str, str] = {}


@pytest.mark.parametrize(("name", "arg", "expected", "data"), write_cases(WRITE_TABLE))
def test_write_access(
    cast: Cast,
    objects: dict[str, Any],
    name: str,
    arg: str | None,
    expected: dict[str, int],
    data: dict[str, Any],
) -> None:
    assert_writes(cast, _url(objects, name, arg), expected, data)
