"""Shared set-up for the campaigns tests: a 「四个一」 campaign with open deliverables, and
submissions made through the services."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from campaigns import services
from campaigns.demo import campaign_four_ones
from campaigns.models import Campaign, Deliverable, DeliverableKind, Submission
from conftest import Cast

K = DeliverableKind


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def open_deadlines(days: int = 10) -> dict[str, dt.datetime]:
    at = timezone.now() + dt.timedelta(days=days)
    return {"lecture": at, "story": at, "material": at, "firewall": at}


def make_campaign(cast: Cast, *, days: int = 10) -> tuple[Campaign, dict[str, Deliverable]]:
    return campaign_four_ones(
        school=cast.school,
        actor=cast.users["school_admin"],
        name="「四个一」行动",
        year=2020,
        deadlines=open_deadlines(days),
    )


@pytest.fixture
def four(cast: Cast, media_root: Path) -> dict[str, Deliverable]:
    return make_campaign(cast)[1]


def draft(
    cast: Cast,
    d: Deliverable,
    *,
    unit: str = "unit_a",
    title: str = "战疫故事",
    who: str = "unit_a_admin",
    **fields: Any,
) -> Submission:
    org = getattr(cast, unit)
    fields.setdefault("summary", "支部党员讲述身边的战疫故事。")
    if d.topics:
        fields.setdefault("topic", d.topics[0])
    if d.subkinds:
        fields.setdefault("subkind", d.subkinds[0])
    return services.submission_create(
        actor=cast.users[who],
        deliverable=d,
        org=org,
        title=title,
        authors=[services.AuthorIn(member=cast.member_a if unit == "unit_a" else cast.member_b)],
        **fields,
    )


def summary_for(cast: Cast, d: Deliverable, unit: str = "unit_a") -> None:
    services.unit_summary_save(
        actor=cast.users["school_admin"],
        deliverable=d,
        org=getattr(cast, unit),
        text="各支部召开组织生活会。",
    )


def submitted(cast: Cast, d: Deliverable, **kwargs: Any) -> Submission:
    s = draft(cast, d, **kwargs)
    if d.requires_summary:
        summary_for(cast, d, kwargs.get("unit", "unit_a"))
    return services.submission_submit(actor=cast.users["unit_a_admin"], submission=s)
