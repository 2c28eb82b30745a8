"""The task-item form refuses nonsense quotas and warns (without refusing) about a deadline
that has already passed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, Deliverable, DeliverableKind
from campaigns.tests.helpers import make_campaign
from conftest import Cast


def _form(**changes: object) -> dict[str, object]:
    deadline = timezone.localtime() + dt.timedelta(days=30)
    form: dict[str, object] = {
        "kind": DeliverableKind.STORY,
        "name": "战疫故事汇",
        "deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
        "submitting_level": "unit",
        "quota": "5",
        "material_types": ["text"],
        "late_policy": "refuse",
        "description": "",
        "order": "1",
    }
    form.update(changes)
    return form


@pytest.fixture
def campaign(cast: Cast) -> Campaign:
    return Campaign.objects.create(name="「四个一」", year=2020, org=cast.school)


@pytest.mark.parametrize(
    "quota", ["0", "-3", "5000", "2147483647", "100000000000000", "99999999999999999999"]
)
def test_nonsense_quota_is_refused(cast: Cast, campaign: Campaign, quota: str) -> None:
    response = cast.client("school_admin").post(
        reverse("deliverable_new", args=[campaign.pk]), _form(quota=quota)
    )

    assert response.status_code == 200
    assert response.context["form"].errors["quota"]
    assert not Deliverable.objects.exists()


def test_deadline_already_past_is_saved_with_a_visible_warning(
    cast: Cast, campaign: Campaign
) -> None:
    client = cast.client("school_admin")
    response = client.post(
        reverse("deliverable_new", args=[campaign.pk]),
        _form(deadline="2020-07-31T23:59"),
        follow=True,
    )

    assert response.status_code == 200
    assert Deliverable.objects.count() == 1
    page = response.content.decode()
    assert "alert-warning" in page
    assert "截止时间已过" in page


def test_future_deadline_saves_without_warning(cast: Cast, campaign: Campaign) -> None:
    response = cast.client("school_admin").post(
        reverse("deliverable_new", args=[campaign.pk]), _form(), follow=True
    )

    assert Deliverable.objects.count() == 1
    assert "截止时间已过" not in response.content.decode()


def test_editing_a_past_deadline_also_warns(cast: Cast) -> None:
    _, deliverables = make_campaign(cast)
    d = deliverables["story"]

    response = cast.client("school_admin").post(
        reverse("deliverable_edit", args=[d.pk]),
        _form(kind=d.kind, name=d.name, deadline="2020-01-01T00:00", quota=""),
        follow=True,
    )

    d.refresh_from_db()
    assert timezone.localtime(d.deadline).date() == dt.date(2020, 1, 1)
    assert "截止时间已过" in response.content.decode()


def test_a_double_submitted_submission_form_creates_one_submission(cast: Cast) -> None:
    import uuid

    from campaigns.models import Submission

    _, deliverables = make_campaign(cast)
    d = deliverables["story"]
    client = cast.client("unit_a_admin")
    page = client.get(reverse("submission_new", args=[d.pk]))
    assert 'name="form_token"' in page.content.decode()
    data = {
        "org": str(cast.unit_a.pk),
        "title": "抗疫一线的党员",
        "authors": "A0001",
        "form_token": str(uuid.uuid4()),
    }
    if d.subkinds:
        data["subkind"] = d.subkinds[0]
    if d.topics:
        data["topic"] = d.topics[0]

    first = client.post(reverse("submission_new", args=[d.pk]), data)
    second = client.post(reverse("submission_new", args=[d.pk]), data)

    assert first.status_code == second.status_code == 302, first.content.decode()[:500]
    assert Submission.objects.filter(title="抗疫一线的党员").count() == 1
    assert first["Location"] == second["Location"]


def test_django_messages_stay_chinese_for_an_english_browser(
    cast: Cast, campaign: Campaign
) -> None:
    response = cast.client("school_admin").post(
        reverse("deliverable_new", args=[campaign.pk]),
        _form(quota="5000", material_types=["nonsense"]),
        HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9",
    )

    errors = response.context["form"].errors
    assert "1000" in errors["quota"][0] and "Ensure" not in errors["quota"][0]
    assert "Select a valid choice" not in errors["material_types"][0]
