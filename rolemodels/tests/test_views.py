from django.urls import reverse

from audit.models import AuditEvent
from conftest import Cast
from rolemodels.models import RoleModel, RoleModelState


def _nominate(cast: Cast) -> RoleModel:
    r = cast.client("branch_secretary").post(
        reverse("role_model_new"),
        {"member": cast.member_a.number, "title": "抗疫先锋", "deeds": "连续值守校门三十天。"},
    )
    assert r.status_code == 302
    return RoleModel.objects.get()


def test_nominated_approved_published_and_reported_as_red_firewall(cast: Cast) -> None:
    from campaigns.models import Submission
    from campaigns.tests.helpers import make_campaign

    _, four = make_campaign(cast)
    rm = _nominate(cast)
    assert rm.state == RoleModelState.NOMINATED and not rm.published
    # not yet published: other units and members do not see it
    assert (
        cast.client("member_b").get(reverse("role_model_detail", args=[rm.pk])).status_code == 404
    )
    cast.client("unit_a_admin").post(reverse("role_model_approve", args=[rm.pk]))
    rm.refresh_from_db()
    assert rm.state == RoleModelState.UNIT_APPROVED
    assert (
        cast.client("unit_a_admin").post(reverse("role_model_approve", args=[rm.pk])).status_code
        == 403
    )
    cast.client("school_admin").post(reverse("role_model_approve", args=[rm.pk]))
    rm.refresh_from_db()
    assert rm.published and rm.state == RoleModelState.PUBLISHED
    # published: everyone signed in sees the deeds, not the history
    page = cast.client("member_b").get(reverse("role_model_detail", args=[rm.pk]))
    assert "连续值守校门三十天" in page.content.decode()
    assert 'id="events"' not in page.content.decode()
    r = cast.client("unit_a_admin").post(
        reverse("role_model_report", args=[rm.pk]), {"deliverable": four["red_firewall"].pk}
    )
    submission = Submission.objects.get()
    assert r["Location"] == reverse("submission_edit", args=[submission.pk])
    assert submission.deliverable == four["red_firewall"] and "三十天" in submission.summary
    rm.refresh_from_db()
    assert rm.submission == submission
    steps = [e.step for e in rm.events.all()]
    assert steps == ["推荐", "单位审核通过", "组织部审核通过并发布"]


def test_a_returned_nomination_keeps_the_reason_and_can_come_back(cast: Cast) -> None:
    rm = _nominate(cast)
    client = cast.client("unit_a_admin")
    before = AuditEvent.objects.count()
    client.post(reverse("role_model_return", args=[rm.pk]), {"reason": ""})
    rm.refresh_from_db()
    assert rm.state == RoleModelState.NOMINATED and AuditEvent.objects.count() == before
    client.post(reverse("role_model_return", args=[rm.pk]), {"reason": "事迹不够具体"})
    rm.refresh_from_db()
    assert rm.state == RoleModelState.RETURNED
    assert rm.events.last().comment == "事迹不够具体"  # type: ignore[union-attr]
    cast.client("branch_secretary").post(
        reverse("role_model_renominate", args=[rm.pk]),
        {"title": "抗疫先锋", "deeds": "连续值守校门三十天，协助转运物资 2 吨。"},
    )
    rm.refresh_from_db()
    assert rm.state == RoleModelState.NOMINATED and "2 吨" in rm.deeds


def test_a_team_can_be_nominated_but_not_a_member_of_another_unit(cast: Cast) -> None:
    from duty.models import Team, TeamKind

    team = Team.objects.create(name="计算机学院党员突击队", kind=TeamKind.COMMANDO, org=cast.unit_a)
    client = cast.client("unit_a_admin")
    r = client.post(
        reverse("role_model_new"), {"team": team.pk, "title": "先进集体", "deeds": "转运物资。"}
    )
    assert r.status_code == 302
    assert RoleModel.objects.get().team == team
    r = client.post(
        reverse("role_model_new"),
        {"member": cast.member_b.number, "title": "x", "deeds": "x"},
    )
    assert r.status_code == 200 and RoleModel.objects.count() == 1


def test_the_unit_and_then_the_school_see_the_nomination_on_their_home_page(cast: Cast) -> None:
    rm = _nominate(cast)
    row = "待审核的典型推荐"
    assert row in cast.client("unit_a_admin").get("/").content.decode()
    assert row not in cast.client("school_admin").get("/").content.decode()
    assert row not in cast.client("unit_b_admin").get("/").content.decode()
    cast.client("unit_a_admin").post(reverse("role_model_approve", args=[rm.pk]))
    assert row not in cast.client("unit_a_admin").get("/").content.decode()
    assert row in cast.client("school_admin").get("/").content.decode()
