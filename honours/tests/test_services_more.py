"""表彰评比: the refusals the journeys do not reach, each with its Chinese reason."""

import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import Cast
from honours import services
from honours.models import CommendationRound, Nomination, NominationState, RoundQuota
from honours.tests.helpers import days, make_round, move_window


def _round(cast: Cast, **extra: Any) -> CommendationRound:
    data: dict[str, Any] = {
        "actor": cast.users["school_admin"],
        "year": days(0).year,
        "kind": "member",
        "title": "",
        "nominate_from": days(-5),
        "nominate_until": days(5),
        "review_until": days(15),
        **extra,
    }
    return services.round_create(**data)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"kind": "hero"}, "请选择奖项。"),
        ({"kind": "custom", "title": " "}, "自设奖项请填写奖项名称。"),
        ({"nominate_until": days(-6)}, "推荐截止不能早于推荐开始。"),
        ({"review_until": days(4)}, "评审截止不能早于推荐截止。"),
        ({"default_quota": 0}, "每单位名额至少 1 个。"),
    ],
)
def test_a_round_against_the_rules_is_refused(
    cast: Cast, extra: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        _round(cast, **extra)
    assert not CommendationRound.objects.exists()


def test_a_round_takes_its_awards_name_and_only_the_school_starts_one(cast: Cast) -> None:
    assert _round(cast).title == "优秀共产党员"
    assert _round(cast, kind="custom", title=" 抗疫先锋 ").title == "抗疫先锋"
    with pytest.raises(PermissionDenied):
        _round(cast, actor=cast.users["unit_a_admin"])


def test_a_quota_is_not_negative_and_is_fixed_once_publicity_starts(cast: Cast) -> None:
    admin = cast.users["school_admin"]
    r = make_round(cast)
    with pytest.raises(ValidationError, match="名额不能为负数。"):
        services.quota_set(actor=admin, round_=r, unit=cast.unit_a, quota=-1)
    services.quota_set(actor=admin, round_=r, unit=cast.unit_a, quota=0)
    assert RoundQuota.objects.get(round=r, unit=cast.unit_a).quota == 0
    CommendationRound.objects.filter(pk=r.pk).update(publicity_from=days(0))
    r.refresh_from_db()
    with pytest.raises(ValidationError, match="已进入公示，名额不能再调整。"):
        services.quota_set(actor=admin, round_=r, unit=cast.unit_a, quota=3)


def _nominate(cast: Cast, r: CommendationRound, **extra: Any) -> Nomination:
    data: dict[str, Any] = {
        "actor": cast.users["unit_a_admin"],
        "round_": r,
        "reason": "坚守值守岗位",
        "member": cast.member_a,
        **extra,
    }
    return services.nomination_create(**data)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"member": None}, "请选择一名推荐人选（或一个党支部）。"),
        ({"reason": "  "}, "请填写主要事迹。"),
    ],
)
def test_a_nomination_against_the_rules_is_refused(
    cast: Cast, extra: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        _nominate(cast, make_round(cast), **extra)
    assert not Nomination.objects.exists()


def test_a_personal_award_takes_a_member_and_a_branch_award_a_branch(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="本奖项推荐个人，请选择党员。"):
        _nominate(cast, make_round(cast), member=None, branch=cast.branch_a1)
    with pytest.raises(ValidationError, match="请选择党支部。"):
        _nominate(cast, make_round(cast, kind="branch"), member=None, branch=cast.unit_a)


def test_a_nominee_is_nominated_once_per_round(cast: Cast) -> None:
    r = make_round(cast)
    services.quota_set(actor=cast.users["school_admin"], round_=r, unit=cast.unit_a, quota=3)
    _nominate(cast, r)
    with pytest.raises(ValidationError, match="张三已被推荐。"):
        _nominate(cast, r)
    branches = make_round(cast, kind="branch")
    services.quota_set(actor=cast.users["school_admin"], round_=branches, unit=cast.unit_a, quota=3)
    _nominate(cast, branches, member=None, branch=cast.branch_a1)
    with pytest.raises(ValidationError, match="计算机教工第一党支部已被推荐。"):
        _nominate(cast, branches, member=None, branch=cast.branch_a1)


def test_evidence_is_added_by_the_unit_before_review(cast: Cast) -> None:
    r = make_round(cast)
    n = _nominate(cast, r)
    with pytest.raises(PermissionDenied):
        services.evidence_add(actor=cast.users["unit_b_admin"], nomination=n, keys=["x"])
    with pytest.raises(ValidationError, match="请从列出的记录中选择佐证材料。"):
        services.evidence_add(actor=cast.users["unit_a_admin"], nomination=n, keys=[])
    move_window(r, closes=-1)
    services.nomination_review(actor=cast.users["school_admin"], nomination=n, selected=False)
    n.refresh_from_db()
    with pytest.raises(ValidationError, match="评审后不能再补充材料。"):
        services.evidence_add(actor=cast.users["unit_a_admin"], nomination=n, keys=["x"])


def _reviewed(cast: Cast, *, selected: bool = True) -> tuple[CommendationRound, Nomination]:
    r = make_round(cast)
    n = _nominate(cast, r)
    move_window(r, closes=-1)
    services.nomination_review(actor=cast.users["school_admin"], nomination=n, selected=selected)
    n.refresh_from_db()
    return r, n


def test_publicity_needs_someone_to_honour_and_a_sensible_length(cast: Cast) -> None:
    admin = cast.users["school_admin"]
    r, _ = _reviewed(cast, selected=False)
    with pytest.raises(ValidationError, match="没有拟表彰人选，无法公示。"):
        services.publicity_start(actor=admin, round_=r)
    r, _ = _reviewed(cast)
    for length in (0, 31):
        with pytest.raises(ValidationError, match="公示期为 1 至 30 天。"):
            services.publicity_start(actor=admin, round_=r, days=length)
    services.publicity_start(actor=admin, round_=r, days=7)
    with pytest.raises(ValidationError, match="已经公示过。"):
        services.publicity_start(actor=admin, round_=r, days=7)


def test_no_review_once_publicity_started(cast: Cast) -> None:
    admin = cast.users["school_admin"]
    r, n = _reviewed(cast)
    services.publicity_start(actor=admin, round_=r, days=7)
    with pytest.raises(ValidationError, match="已进入公示，不能再评审。"):
        services.nomination_review(actor=admin, nomination=n, selected=False)


def test_objections_are_specific_within_the_publicity_about_who_is_listed(
    cast: Cast,
) -> None:
    admin = cast.users["school_admin"]
    r, n = _reviewed(cast)
    services.publicity_start(actor=admin, round_=r, days=7)
    member = cast.users["member_b"]
    with pytest.raises(ValidationError, match=re.escape("请写明异议的具体内容（至少 5 个字）。")):
        services.objection_raise(actor=member, nomination=n, text=" 不行 ")
    Nomination.objects.filter(pk=n.pk).update(state=NominationState.NOT_SELECTED)
    with pytest.raises(ValidationError, match="只能对公示中的拟表彰人选提出异议。"):
        services.objection_raise(actor=member, nomination=n, text="值班期间多次缺岗")
    Nomination.objects.filter(pk=n.pk).update(state=NominationState.SELECTED)
    CommendationRound.objects.filter(pk=r.pk).update(publicity_until=days(-1))
    with pytest.raises(ValidationError, match="不在公示期内，不能提出异议。"):
        services.objection_raise(actor=member, nomination=n, text="值班期间多次缺岗")


def test_an_objection_is_answered_once_with_what_was_found(cast: Cast) -> None:
    admin = cast.users["school_admin"]
    r, n = _reviewed(cast)
    services.publicity_start(actor=admin, round_=r, days=7)
    objection = services.objection_raise(
        actor=cast.users["member_b"], nomination=n, text="值班期间多次缺岗"
    )
    with pytest.raises(ValidationError, match="请填写核查情况。"):
        services.objection_handle(actor=admin, objection=objection, upheld=False, reply=" ")
    services.objection_handle(actor=admin, objection=objection, upheld=False, reply="经核查不属实")
    objection.refresh_from_db()
    with pytest.raises(ValidationError, match="这条异议已处理。"):
        services.objection_handle(actor=admin, objection=objection, upheld=True, reply="再查")
    n.refresh_from_db()
    assert n.state == NominationState.SELECTED  # a dismissed objection keeps the nominee


def test_the_list_is_final_once_and_only_after_publicity(cast: Cast) -> None:
    admin = cast.users["school_admin"]
    r, _ = _reviewed(cast)
    with pytest.raises(ValidationError, match="请先公示。"):
        services.round_finalise(actor=admin, round_=r)
    services.publicity_start(actor=admin, round_=r, days=1)
    CommendationRound.objects.filter(pk=r.pk).update(publicity_until=days(-1))
    r.refresh_from_db()
    assert services.round_finalise(actor=admin, round_=r) == 1
    with pytest.raises(ValidationError, match="名单已确定。"):
        services.round_finalise(actor=admin, round_=r)
