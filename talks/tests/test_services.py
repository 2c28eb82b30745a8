"""Recording talks and deliberations: the rules, the audit row, all-or-nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from conftest import Cast
from members.tests.factories import MemberFactory
from talks import services
from talks.models import Deliberation, DeliberationState, Talk, TalkMethod
from talks.tests.helpers import talk


def _record(cast: Cast, by: str, **kw: object) -> Talk:
    args: dict[str, object] = {
        "member": cast.member_a,
        "talker": cast.other_a,
        "talked_on": timezone.localdate(),
        "method": TalkMethod.IN_PERSON,
        "thoughts": "积极参与志愿服务",
    }
    args.update(kw)
    return services.talk_record(actor=cast.users[by], **args)  # type: ignore[arg-type]


def test_secretary_records_a_talk_and_the_audit_row_keeps_no_notes(cast: Cast) -> None:
    committee = MemberFactory.create(name="组织委员", number="A0009", branch=cast.branch_a1)
    t = _record(cast, "branch_secretary", talker=committee)

    assert t.branch == cast.branch_a1
    event = AuditEvent.objects.get(action="talk.record")
    assert "志愿" not in str(event.changes) and "志愿" not in event.target_label


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"talked_on": dt.date(2000, 1, 1)}, "一年前"),
        ({"method": "letter"}, "谈话方式"),
        ({"thoughts": "  "}, "思想动态"),
        ({"talker": "member_a_self"}, "同一人"),
    ],
)
def test_bad_talks_are_refused_in_chinese_and_write_nothing(
    cast: Cast, kw: dict[str, object], message: str
) -> None:
    if kw.get("talker") == "member_a_self":
        kw = {"talker": cast.member_a}
    with pytest.raises(ValidationError) as e:
        _record(cast, "school_admin", **kw)

    assert message in e.value.messages[0]
    assert not Talk.objects.exists()
    assert not AuditEvent.objects.filter(action="talk.record").exists()


def test_future_talk_and_early_follow_up_are_refused(cast: Cast) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="晚于今天"):
        _record(cast, "school_admin", talked_on=today + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="回访日期"):
        _record(cast, "school_admin", follow_up_on=today - dt.timedelta(days=1))


def test_recording_outside_ones_scope_is_refused(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        _record(cast, "unit_b_admin")
    with pytest.raises(PermissionDenied):
        _record(cast, "member_b")
    # a talker from another unit may not be named by a branch secretary
    with pytest.raises(ValidationError, match="谈话人"):
        _record(cast, "branch_secretary", talker=cast.member_b)


def test_follow_up_is_marked_once(cast: Cast) -> None:
    t = talk(cast, cast.member_a, follow_up_in=7)
    services.talk_follow_up(
        actor=cast.users["branch_secretary"], talk=t, followed_up_on=timezone.localdate()
    )
    with pytest.raises(ValidationError, match="已记录过回访"):
        services.talk_follow_up(
            actor=cast.users["branch_secretary"], talk=t, followed_up_on=timezone.localdate()
        )
    t.refresh_from_db()
    assert t.followed_up


# --- deliberations ------------------------------------------------------------------------


def _deliberate(cast: Cast, by: str = "branch_secretary", **kw: object) -> Deliberation:
    args: dict[str, object] = {
        "branch": cast.branch_a1,
        "held_on": timezone.localdate(),
        "topic": "学生返校工作预案",
        "discussion": "逐条讨论了返校流程",
        "decision": "按预案分批返校",
        "present": 10,
        "votes_for": 8,
        "votes_against": 1,
        "votes_abstain": 1,
        "owner": cast.member_a,
        "due_on": timezone.localdate() + dt.timedelta(days=14),
    }
    args.update(kw)
    return services.deliberation_record(actor=cast.users[by], **args)  # type: ignore[arg-type]


def test_secretary_records_a_decision_with_its_vote(cast: Cast) -> None:
    item = _deliberate(cast)

    assert item.state == DeliberationState.OPEN
    assert item.votes_total == 10
    assert AuditEvent.objects.filter(action="deliberation.record").count() == 1


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"votes_for": 9}, "超过到会人数"),
        ({"votes_against": -1}, "负数"),
        ({"present": -2, "votes_for": None, "votes_against": None, "votes_abstain": None}, "负数"),
        ({"topic": " "}, "议题"),
        ({"due_on": dt.date(2000, 1, 1)}, "落实期限"),
        ({"branch": "unit_a"}, "党支部"),
        ({"owner": "member_b"}, "本单位"),
    ],
)
def test_bad_deliberations_are_refused(cast: Cast, kw: dict[str, object], message: str) -> None:
    kw = {
        k: getattr(cast, v) if isinstance(v, str) and hasattr(cast, v) else v for k, v in kw.items()
    }
    with pytest.raises(ValidationError) as e:
        _deliberate(cast, by="unit_a_admin", **kw)

    assert message in e.value.messages[0]
    assert not Deliberation.objects.exists()


def test_votes_without_a_headcount_are_not_capped(cast: Cast) -> None:
    item = _deliberate(cast, present=None, votes_for=30)
    assert item.votes_total == 32


def test_other_units_cannot_record_or_change_a_branchs_decision(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        _deliberate(cast, by="unit_b_admin")
    item = _deliberate(cast)
    with pytest.raises(PermissionDenied):
        services.deliberation_set_state(
            actor=cast.users["unit_b_admin"], item=item, state=DeliberationState.DONE
        )
    services.deliberation_set_state(
        actor=cast.users["unit_a_admin"], item=item, state=DeliberationState.DONE, note="已完成"
    )
    item.refresh_from_db()
    assert item.state == DeliberationState.DONE


def test_a_branch_with_talks_is_not_deleted_and_the_talk_is_kept(cast: Cast) -> None:
    from orgs import services as org_services

    t = talk(cast, cast.other_a, talker=cast.member_a)
    cast.other_a.branch = cast.branch_a1
    cast.other_a.save()  # the branch is empty now, but its talk stays in its name

    with pytest.raises(ValidationError, match="谈心谈话"):
        org_services.org_delete(actor=cast.users["unit_a_admin"], org=cast.branch_a2)

    t.refresh_from_db()
    assert t.branch == cast.branch_a2
    assert not AuditEvent.objects.filter(action="org.delete").exists()
