"""The outputs' pages (教育素材库, 案例集, upward package, import) for every role of the cast."""

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from campaigns.models import MaterialType, SubmissionState
from campaigns.tests.factories_outputs import (
    CampaignFactory,
    DeliverableFactory,
    SubmissionFactory,
    add_file,
    jpeg_bytes,
)
from conftest import FORBIDDEN, HIDDEN, LOGIN, OK, ROLES, Cast, expect

# (url name, object from the fixture below, expected status per role)
TABLE: list[tuple[str, str | None, dict[str, int]]] = [
    ("library", None, expect(OK)),
    ("library_detail", "selected", expect(OK)),
    ("library_detail", "draft", expect(HIDDEN)),
    ("library_detail", "submitted", expect(HIDDEN)),
    ("library_file", "selected_file", expect(OK)),
    ("library_file", "submitted_file", expect(HIDDEN)),
    ("library_file_download", "selected_file", expect(OK)),
    ("library_file_download", "submitted_file", expect(HIDDEN)),
    ("campaign_outputs", "campaign", expect(FORBIDDEN, school_admin=OK, reviewer=OK)),
    ("campaign_casebook", "campaign", expect(FORBIDDEN, school_admin=OK, reviewer=OK)),
    ("campaign_package", "campaign", expect(FORBIDDEN, school_admin=OK)),
    ("package_import", None, expect(FORBIDDEN, school_admin=OK)),
]

COVERED_ELSEWHERE: set[str] = set()


@pytest.fixture
def objects(cast: Cast, settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    campaign = CampaignFactory.create(org=cast.school)
    deliverable = DeliverableFactory.create(campaign=campaign)
    picture = jpeg_bytes(tmp_path)
    found: dict[str, Any] = {"campaign": campaign}
    for name, state, org in (
        ("selected", SubmissionState.SELECTED, cast.unit_a),
        ("submitted", SubmissionState.SUBMITTED, cast.unit_a),
        ("draft", SubmissionState.DRAFT, cast.unit_a),
    ):
        found[name] = SubmissionFactory.create(deliverable=deliverable, org=org, state=state)
        found[f"{name}_file"] = add_file(
            found[name], picture, "照片.jpg", MaterialType.PICTURE, "image/jpeg"
        )
    return found


CASES = [(name, arg, role, table[role]) for name, arg, table in TABLE for role in ROLES]


@pytest.mark.parametrize(("name", "arg", "role", "status"), CASES)
def test_page_access(
    cast: Cast, objects: dict[str, Any], name: str, arg: str | None, role: str, status: int
) -> None:
    url = reverse(name) if arg is None else reverse(name, args=[objects[arg].pk])
    response = cast.client(role).get(url)
    assert response.status_code == status, f"{role} GET {name}({arg})"
    if status == LOGIN:
        assert response["Location"].startswith(reverse("login"))
