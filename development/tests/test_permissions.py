"""Every 发展党员 page, for every role of the cast: allowed, refused (403) or hidden (404).

The objects: an applicant's file in branch A1 (opened by 组织部) with one evidence file."""

import datetime as dt
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from conftest import (
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
from development.models import Candidate, DevelopmentStage, Evidence, StageStep
from development.tests.helpers import applicant

READERS = {"school_admin": OK, "unit_a_admin": OK, "unit_b_admin": OK, "branch_secretary": OK}
OF_A1 = {"school_admin": OK, "unit_a_admin": OK, "branch_secretary": OK}

TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("candidate_list", None, expect(FORBIDDEN, **READERS)),
    ("candidate_due", None, expect(FORBIDDEN, **READERS)),
    ("candidate_new", None, expect(FORBIDDEN, **READERS)),
    ("interval_rules", None, expect(FORBIDDEN, **READERS)),
    ("candidate_export", None, expect(FORBIDDEN, **READERS)),
    # a candidate never reads their own file (the review and objections are on it)
    ("candidate_detail", "candidate", expect(HIDDEN, **OF_A1)),
    ("candidate_advance", "candidate", expect(HIDDEN, **OF_A1)),
    ("evidence_file", "evidence", expect(HIDDEN, **OF_A1)),
]

# POST-only: in WRITE_TABLE below, and through the pages in test_views.py.
COVERED_ELSEWHERE = {
    "candidate_details",
    "candidate_publicity",
    "candidate_objection",
    "candidate_evidence",
}


def _objects(cast: Cast) -> dict[str, Any]:
    c = applicant(cast, timezone.localdate() - dt.timedelta(days=30), name="申请人甲")
    evidence = Evidence.objects.create(
        candidate=c,
        stage=DevelopmentStage.APPLICANT,
        file=ContentFile(b"%PDF-1.4 application", name="application.pdf"),
        original_name="入党申请书.pdf",
        size=21,
        content_type="application/pdf",
    )
    return {"candidate": c, "evidence": evidence}


CASES = [(name, arg, role, table[role]) for name, arg, table in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "arg", "role", "status"), CASES)
def test_page_access(cast: Cast, name: str, arg: str | None, role: str, status: int) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    response = cast.client(role).get(url)
    assert response.status_code == status, f"{role} GET {name}({arg})"
    if status == LOGIN:
        assert response["Location"].startswith(reverse("login"))


A1_STAFF_DID = {"school_admin": REDIRECT, "unit_a_admin": REDIRECT, "branch_secretary": REDIRECT}

# (url name, object, expected status per role); an empty POST reaches the permission check and
# allowed roles get the form back with its errors (200) or go back to the file (302).
WRITE_TABLE: list[WriteRow] = [
    ("candidate_new", None, expect(FORBIDDEN, **READERS)),
    ("candidate_details", "candidate", expect(HIDDEN, **A1_STAFF_DID)),
    ("candidate_advance", "candidate", expect(HIDDEN, **OF_A1)),
    ("candidate_publicity", "candidate", expect(HIDDEN, **A1_STAFF_DID)),
    ("candidate_objection", "candidate", expect(HIDDEN, **A1_STAFF_DID)),
    ("candidate_evidence", "candidate", expect(HIDDEN, **A1_STAFF_DID)),
]

WRITES_COVERED_ELSEWHERE: dict[str, str] = {}


@pytest.mark.parametrize(("name", "arg", "expected", "data"), write_cases(WRITE_TABLE))
def test_write_access(
    cast: Cast, name: str, arg: str | None, expected: dict[str, int], data: dict[str, Any]
) -> None:
    objects = _objects(cast)
    url = reverse(name, args=[objects[arg].pk]) if arg else reverse(name)
    assert_writes(cast, url, expected, data)


@pytest.mark.parametrize("role", ["unit_b_admin", "member_a", "duty_office", "reviewer"])
def test_refused_steps_change_nothing(cast: Cast, role: str) -> None:
    c = _objects(cast)["candidate"]
    before = (AuditEvent.objects.count(), StageStep.objects.count())
    response = cast.client(role).post(
        reverse("candidate_advance", args=[c.pk]), {"on": str(timezone.localdate())}
    )
    assert response.status_code == HIDDEN
    assert (AuditEvent.objects.count(), StageStep.objects.count()) == before
    assert Candidate.objects.get(pk=c.pk).stage == DevelopmentStage.APPLICANT
