"""典型选树's rules, each refusal with its Chinese reason: nominate, return, renominate, report."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from conftest import Cast
from duty.models import Team, TeamKind
from rolemodels import services
from rolemodels.models import RoleModel, RoleModelFile, RoleModelState
from uploads.models import Upload
from uploads.tests.helpers import (
    finished_upload,
    media_root_fixture,  # noqa: F401 (a fixture)
)


def _upload(user: Any, filename: str = "感谢信.png", data: bytes = b"\x89PNG letter") -> Upload:
    return finished_upload(user, filename, data)


def _nominate(cast: Cast, who: str = "branch_secretary", **extra: Any) -> RoleModel:
    data: dict[str, Any] = {
        "actor": cast.users[who],
        "title": " 抗疫先锋 ",
        "deeds": " 连续值守校门三十天。 ",
        "member": cast.member_a,
        **extra,
    }
    return services.nominate(**data)


def _published(cast: Cast, **extra: Any) -> RoleModel:
    rm = _nominate(cast, **extra)
    services.approve(actor=cast.users["unit_a_admin"], role_model=rm)
    services.approve(actor=cast.users["school_admin"], role_model=rm)
    rm.refresh_from_db()
    return rm


def test_a_nomination_keeps_its_evidence_and_is_audited(cast: Cast, media_root: Path) -> None:
    user = cast.users["branch_secretary"]
    rm = _nominate(cast, upload_ids=[str(_upload(user).pk)])

    assert (rm.title, rm.deeds, rm.org) == ("抗疫先锋", "连续值守校门三十天。", cast.branch_a1)
    [f] = rm.files.all()
    assert f.original_name == "感谢信.png" and str(f.file.name).startswith("rolemodels/")
    assert AuditEvent.objects.filter(action="role_model.nominate").count() == 1


def test_more_than_twenty_evidence_files_are_refused(cast: Cast, media_root: Path) -> None:
    user = cast.users["branch_secretary"]
    ids = [str(_upload(user, f"{n}.png").pk) for n in range(services.MAX_FILES + 1)]

    with pytest.raises(ValidationError, match="每个推荐最多 20 个佐证材料。"):
        _nominate(cast, upload_ids=ids)
    assert not RoleModel.objects.exists() and not RoleModelFile.objects.exists()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"member": None}, "请选择一名党员或一支先锋队 / 突击队。"),
        ({"title": " "}, "请填写推荐称号和先进事迹。"),
        ({"deeds": ""}, "请填写推荐称号和先进事迹。"),
    ],
)
def test_a_nomination_against_the_rules_is_refused(
    cast: Cast, extra: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        _nominate(cast, **extra)
    assert not RoleModel.objects.exists()


def test_a_member_and_a_team_at_once_is_refused(cast: Cast) -> None:
    team = Team.objects.create(name="突击队", kind=TeamKind.COMMANDO, org=cast.unit_a)
    with pytest.raises(ValidationError, match="请选择一名党员或一支先锋队"):
        _nominate(cast, team=team)


def test_a_school_level_team_is_not_nominated_in_the_schools_name(cast: Cast) -> None:
    team = Team.objects.create(name="校级突击队", kind=TeamKind.COMMANDO, org=cast.school)
    with pytest.raises(ValidationError, match="请以单位或党支部的名义推荐。"):
        _nominate(cast, who="school_admin", member=None, team=team)


def test_a_secretary_may_not_nominate_from_another_branch(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        _nominate(cast, member=cast.other_a)


def test_the_unit_and_then_the_school_approve(cast: Cast) -> None:
    rm = _nominate(cast)
    # the school does not take the unit's step, nor the secretary either
    for who in ("school_admin", "branch_secretary"):
        with pytest.raises(PermissionDenied):
            services.approve(actor=cast.users[who], role_model=rm)
    services.approve(actor=cast.users["unit_a_admin"], role_model=rm, comment=" 同意 ")
    assert rm.state == RoleModelState.UNIT_APPROVED and not rm.published
    services.approve(actor=cast.users["school_admin"], role_model=rm)
    assert rm.state == RoleModelState.PUBLISHED and rm.published and rm.published_at
    assert [e.comment for e in rm.events.all()] == ["", "同意", ""]


def test_returning_needs_a_reason_and_the_step(cast: Cast) -> None:
    rm = _nominate(cast)
    with pytest.raises(ValidationError, match="退回须填写原因。"):
        services.give_back(actor=cast.users["unit_a_admin"], role_model=rm, reason="  ")
    with pytest.raises(PermissionDenied):
        services.give_back(actor=cast.users["unit_b_admin"], role_model=rm, reason="不是本单位")
    rm.refresh_from_db()
    assert rm.state == RoleModelState.NOMINATED
    # the school returns at its own step
    services.approve(actor=cast.users["unit_a_admin"], role_model=rm)
    services.give_back(actor=cast.users["school_admin"], role_model=rm, reason="材料不全")
    rm.refresh_from_db()
    assert rm.state == RoleModelState.RETURNED


def test_only_a_returned_nomination_comes_back_and_only_with_its_words(cast: Cast) -> None:
    rm = _nominate(cast)
    with pytest.raises(ValidationError, match="只有被退回的推荐可以修改后重新推荐。"):
        services.renominate(
            actor=cast.users["branch_secretary"], role_model=rm, title="x", deeds="x"
        )
    services.give_back(actor=cast.users["unit_a_admin"], role_model=rm, reason="事迹不具体")
    with pytest.raises(ValidationError, match="请填写推荐称号和先进事迹。"):
        services.renominate(
            actor=cast.users["branch_secretary"], role_model=rm, title="抗疫先锋", deeds=" "
        )
    with pytest.raises(PermissionDenied):
        services.renominate(
            actor=cast.users["unit_b_admin"], role_model=rm, title="抗疫先锋", deeds="事迹"
        )
    services.renominate(
        actor=cast.users["branch_secretary"], role_model=rm, title=" 抗疫先锋 ", deeds=" 事迹 "
    )
    rm.refresh_from_db()
    assert (rm.state, rm.title, rm.deeds) == (RoleModelState.NOMINATED, "抗疫先锋", "事迹")


# --- reported upward as a 红色防火墙 submission ---------------------------------------------


@pytest.fixture
def four(cast: Cast, media_root: Path) -> dict[str, Any]:
    from campaigns.tests.helpers import make_campaign

    return make_campaign(cast)[1]


def test_only_a_red_firewall_deliverable_takes_a_role_model(
    cast: Cast, four: dict[str, Any]
) -> None:
    rm = _published(cast)
    with pytest.raises(ValidationError, match="请选择「红色防火墙」任务项。"):
        services.report_upward(
            actor=cast.users["unit_a_admin"], role_model=rm, deliverable=four["story"]
        )


def test_an_unpublished_role_model_is_not_reported(cast: Cast, four: dict[str, Any]) -> None:
    rm = _nominate(cast)
    with pytest.raises(ValidationError, match="组织部审核发布后才能上报。"):
        services.report_upward(
            actor=cast.users["unit_a_admin"], role_model=rm, deliverable=four["red_firewall"]
        )


def test_a_role_model_is_reported_once_by_who_may_submit(cast: Cast, four: dict[str, Any]) -> None:
    rm = _published(cast)
    with pytest.raises(PermissionDenied):
        services.report_upward(
            actor=cast.users["unit_b_admin"], role_model=rm, deliverable=four["red_firewall"]
        )
    services.report_upward(
        actor=cast.users["unit_a_admin"], role_model=rm, deliverable=four["red_firewall"]
    )
    with pytest.raises(ValidationError, match="已上报过。"):
        services.report_upward(
            actor=cast.users["unit_a_admin"], role_model=rm, deliverable=four["red_firewall"]
        )


def test_a_team_is_reported_under_its_name_with_the_evidence(
    cast: Cast, four: dict[str, Any]
) -> None:
    team = Team.objects.create(name="计算机学院党员突击队", kind=TeamKind.COMMANDO, org=cast.unit_a)
    user = cast.users["unit_a_admin"]
    rm = _published(
        cast,
        who="unit_a_admin",
        member=None,
        team=team,
        upload_ids=[str(_upload(user, "现场.png", b"not really a picture").pk)],
    )

    submission = services.report_upward(actor=user, role_model=rm, deliverable=four["red_firewall"])

    assert submission.title == "计算机学院党员突击队：抗疫先锋"
    assert submission.subkind == "突击队"
    assert [a.name for a in submission.authors.all()] == ["计算机学院党员突击队（党员突击队）"]
    # the evidence went to the submission, or was refused (and the audit row names it)
    event = AuditEvent.objects.get(action="role_model.report")
    assert event.changes["submission"] == submission.pk
    assert submission.files.count() + len(event.changes["refused"]) == 1
