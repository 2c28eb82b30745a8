"""表彰评比's rules: the windows, the quota per unit, evidence from the platform's records,
review, 公示 with objections, the final list and its certificates."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document

from conftest import Cast
from honours import selectors, services
from honours.certificates import certificates_docx
from honours.models import CommendationRound, NominationState, Objection
from honours.tests.helpers import days, make_round, move_window, shift_checked_in


def _nominate(
    cast: Cast, round_: CommendationRound, member: object = None, who: str = "unit_a_admin"
):  # type: ignore[no-untyped-def]
    return services.nomination_create(
        actor=cast.users[who],
        round_=round_,
        member=member or cast.member_a,  # type: ignore[arg-type]
        reason="疫情期间坚守北门值守岗位",
    )


def test_nominations_only_inside_the_window(cast: Cast) -> None:
    early = make_round(cast, opens=1, closes=5)
    with pytest.raises(ValidationError, match="开始"):
        _nominate(cast, early)
    late = make_round(cast, opens=-10, closes=-1)
    with pytest.raises(ValidationError, match="截止"):
        _nominate(cast, late)
    assert _nominate(cast, make_round(cast)).state == NominationState.NOMINATED


def test_a_unit_nominates_within_its_quota(cast: Cast) -> None:
    r = make_round(cast)
    _nominate(cast, r)
    with pytest.raises(ValidationError, match="名额（1 个）已用完"):
        _nominate(cast, r, cast.other_a)
    services.quota_set(actor=cast.users["school_admin"], round_=r, unit=cast.unit_a, quota=2)
    _nominate(cast, r, cast.other_a)
    # unit B's quota is its own
    services.nomination_create(
        actor=cast.users["unit_b_admin"], round_=r, member=cast.member_b, reason="事迹"
    )


def test_a_unit_cannot_nominate_another_units_member(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        _nominate(cast, make_round(cast), cast.member_b)


def test_branch_award_takes_a_branch(cast: Cast) -> None:
    r = make_round(cast, kind="branch")
    with pytest.raises(ValidationError, match="党支部"):
        _nominate(cast, r)
    n = services.nomination_create(
        actor=cast.users["unit_a_admin"], round_=r, branch=cast.branch_a1, reason="三会一课规范"
    )
    assert n.unit == cast.unit_a


def test_evidence_comes_from_the_nominees_records_only(cast: Cast) -> None:
    check = shift_checked_in(cast)
    n = _nominate(cast, make_round(cast))
    offered = selectors.candidates(member=cast.member_a)
    assert [c.key for c in offered] == [f"duty:{check.pk}"]
    assert "北门值班值守岗" in offered[0].label

    assert (
        services.evidence_add(
            actor=cast.users["unit_a_admin"], nomination=n, keys=[f"duty:{check.pk}"]
        )
        == 1
    )
    with pytest.raises(ValidationError, match="列出的记录"):
        services.evidence_add(actor=cast.users["unit_a_admin"], nomination=n, keys=["duty:999"])
    assert n.evidence.count() == 1


def test_review_only_after_nominations_close_and_before_review_ends(cast: Cast) -> None:
    r = make_round(cast)
    n = _nominate(cast, r)
    admin = cast.users["school_admin"]
    with pytest.raises(ValidationError, match="推荐截止"):
        services.nomination_review(actor=admin, nomination=n, selected=True)
    move_window(r, closes=-1)
    with pytest.raises(PermissionDenied):
        services.nomination_review(actor=cast.users["unit_a_admin"], nomination=n, selected=True)
    services.nomination_review(actor=admin, nomination=n, selected=True)
    move_window(r, closes=-20, review=-1)
    with pytest.raises(ValidationError, match="评审已于"):
        services.nomination_review(actor=admin, nomination=n, selected=False)


def test_publicity_objection_upheld_withdraws_and_the_rest_are_honoured(cast: Cast) -> None:
    r = make_round(cast)
    services.quota_set(actor=cast.users["school_admin"], round_=r, unit=cast.unit_a, quota=2)
    first, second = _nominate(cast, r), _nominate(cast, r, cast.other_a)
    move_window(r, closes=-1)
    admin = cast.users["school_admin"]
    for n in (first, second):
        services.nomination_review(actor=admin, nomination=n, selected=True)
    services.publicity_start(actor=admin, round_=r, days=5)
    r.refresh_from_db()
    second.refresh_from_db()

    objection = services.objection_raise(
        actor=cast.users["member_b"], nomination=second, text="值班期间多次缺岗，情况不实"
    )
    with pytest.raises(ValidationError, match="期满后"):
        services.round_finalise(actor=admin, round_=r)
    CommendationRound.objects.filter(pk=r.pk).update(publicity_until=days(-1))
    r.refresh_from_db()
    with pytest.raises(ValidationError, match="异议未处理"):
        services.round_finalise(actor=admin, round_=r)
    services.objection_handle(actor=admin, objection=objection, upheld=True, reply="经核查属实")

    assert services.round_finalise(actor=admin, round_=r) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == NominationState.AWARDED and first.certificate_no
    assert second.state == NominationState.WITHDRAWN
    assert list(selectors.honours_of(member=cast.member_a)) == [first]
    assert Objection.objects.get().state == "upheld"


def test_objections_only_during_publicity(cast: Cast) -> None:
    r = make_round(cast)
    n = _nominate(cast, r)
    with pytest.raises(ValidationError, match="尚未公示"):
        services.objection_raise(actor=cast.users["member_b"], nomination=n, text="不符合条件啊")


def test_certificates_docx_names_the_honour(cast: Cast) -> None:
    r = make_round(cast)
    n = _nominate(cast, r)
    move_window(r, closes=-1)
    admin = cast.users["school_admin"]
    services.nomination_review(actor=admin, nomination=n, selected=True)
    services.publicity_start(actor=admin, round_=r, days=1)
    CommendationRound.objects.filter(pk=r.pk).update(publicity_until=days(-1))
    r.refresh_from_db()
    services.round_finalise(actor=admin, round_=r)
    n.refresh_from_db()

    data = certificates_docx([n], issuer="中共示范大学委员会")

    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "荣 誉 证 书" in text and "张三同志" in text and "优秀共产党员" in text
    assert n.certificate_no in text
