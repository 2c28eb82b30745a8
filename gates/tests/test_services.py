"""Storing entries: once per device-made id, refusals per entry with a Chinese reason,
fevers alerting the shift leader and the duty office."""

import datetime as dt
import uuid
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from conftest import ROLES, Cast
from escalations.models import Escalation
from gates import services
from gates.fever import on_fever
from gates.models import Device, Entry, Gate, PassCode
from gates.scope import Registrar, gate_to_register, gates_to_register
from gates.tests.helpers import entry, gate_of, keeper, on_shift
from members.models import CadreRank
from members.tests.factories import MemberFactory, UserFactory
from notices.models import Notice


def test_a_batch_sent_twice_is_stored_once(cast: Cast) -> None:
    # given a keeper of the north gate and a batch of three
    gate = gate_of(cast)
    keeper(gate, cast.member_a)
    batch = [entry(member="A0001"), entry(member="B0001"), entry(member="A0002")]
    user = cast.users["member_a"]

    # when it is sent, then sent again with one more entry
    first = services.entries_sync(actor=user, gate=gate, entries=batch, device_uid=uuid.uuid4())
    again = services.entries_sync(
        actor=user, gate=gate, entries=[*batch, entry(member="B0002", direction="out")]
    )

    # then each entry is stored once and the repeats are acknowledged
    assert len(first.stored) == 3 and first.known == []
    assert sorted(again.known) == sorted(str(e.uid) for e in batch)
    assert len(again.stored) == 1
    assert Entry.objects.count() == 4
    assert AuditEvent.objects.filter(action="gate.sync").count() == 2


def test_an_entry_stored_before_is_acknowledged_even_if_it_would_be_refused_now(
    cast: Cast,
) -> None:
    # given an entry for B0001 stored, and B0001's number changed since
    gate = gate_of(cast)
    user = cast.users["duty_office"]
    one, other = entry(member="B0001"), entry(member="B0001")
    services.entries_sync(actor=user, gate=gate, entries=[one])
    cast.member_b.number = "B9999"
    cast.member_b.save(update_fields=["number"])

    # when the batch is replayed with a new entry for the old number
    again = services.entries_sync(actor=user, gate=gate, entries=[one, other])

    # then the stored one is acknowledged, the new one refused, nothing stored twice
    assert again.known == [str(one.uid)] and again.stored == []
    assert [uid for uid, _ in again.refused] == [str(other.uid)]
    assert Entry.objects.count() == 1


def test_the_database_refuses_a_second_copy_of_an_entry(cast: Cast) -> None:
    gate = gate_of(cast)
    one = entry(member="A0001")
    services.entries_sync(actor=cast.users["duty_office"], gate=gate, entries=[one])
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(
            uid=one.uid,
            gate=gate,
            officer=cast.users["duty_office"],
            at=timezone.now(),
            direction="in",
            member=cast.member_a,
        )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"member": "X9999"}, "学工号 X9999 不在人员名单中。"),
        ({"member": "A0001", "temperature": "45.0"}, "体温 45.0 ℃ 不在"),
        ({"member": "A0001", "temperature": None}, "进校须测量体温。"),
        ({"visitor_name": "来客"}, "访客须填写来访事由。"),
        ({"member": ""}, "请填写学工号、扫描通行码，或登记访客姓名。"),
        ({"member": "A0001", "at": timezone.now() + dt.timedelta(hours=1)}, "晚于服务器当前时间"),
    ],
)
def test_a_refused_entry_comes_back_with_its_reason_and_the_rest_are_stored(
    cast: Cast, data: dict[str, Any], reason: str
) -> None:
    gate = gate_of(cast)
    bad = entry(**data)
    good = entry(member="B0001")
    result = services.entries_sync(actor=cast.users["duty_office"], gate=gate, entries=[bad, good])
    assert result.stored == [str(good.uid)]
    assert [uid for uid, _ in result.refused] == [str(bad.uid)]
    assert reason in result.refused[0][1]
    assert Entry.objects.count() == 1


def test_an_officer_registers_only_on_their_shift(cast: Cast) -> None:
    # given member_a on today's shift at the north gate (a published roster)
    gate = gate_of(cast)
    on_shift(cast, gate, cast.member_a)
    user = cast.users["member_a"]
    today = timezone.now()
    far = today - dt.timedelta(days=3)

    result = services.entries_sync(
        actor=user,
        gate=gate,
        entries=[entry(member="B0001", at=today), entry(member="B0001", at=far)],
    )

    assert len(result.stored) == 1
    assert "不在该门岗的值班班次上" in result.refused[0][1]
    assert Registrar(cast.users["member_b"], gate, [today]).allows(today) is False


def test_a_pass_code_identifies_the_member_until_it_is_reissued(cast: Cast) -> None:
    gate = gate_of(cast)
    code = services.pass_code_for(cast.member_b)
    old = code.token
    assert "B0001" not in old
    by_code = entry(pass_code=f"DJTX:{old}")
    result = services.entries_sync(actor=cast.users["duty_office"], gate=gate, entries=[by_code])
    assert Entry.objects.get(uid=by_code.uid).member == cast.member_b

    services.pass_code_reissue(actor=cast.users["member_b"], member=cast.member_b)
    stale = entry(pass_code=f"DJTX:{old}")
    result = services.entries_sync(actor=cast.users["duty_office"], gate=gate, entries=[stale])
    assert result.refused and "通行码无效" in result.refused[0][1]
    assert PassCode.objects.get(member=cast.member_b).token != old


def test_a_fever_alerts_the_shift_leader_and_the_duty_office(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    # given a cadre on the same shift (the shift leader) and member_a registering
    gate = gate_of(cast)
    on_shift(cast, gate, cast.member_a)
    leader_user = UserFactory.create(username="leader")
    leader = MemberFactory.create(
        branch=cast.branch_a1, user=leader_user, cadre_rank=CadreRank.SECTION
    )
    assignment = gate.post.assignments.get()  # type: ignore[union-attr]
    assignment.pk = None
    assignment.member = leader
    assignment.save()

    # when a temperature at the threshold is stored
    hot = entry(member="B0001", temperature="37.3")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.entries_sync(actor=cast.users["member_a"], gate=gate, entries=[hot])

    # then the leader and the duty office are told, once each
    assert result.fevers == 1
    stored = Entry.objects.get(uid=hot.uid)
    assert stored.fever
    told = set(
        Notice.objects.filter(kind="gate.fever").values_list("recipient__username", flat=True)
    )
    assert told == {"leader", "duty_office"}
    notice = Notice.objects.get(recipient=leader_user)
    assert "李四" in notice.title and "37.3" in notice.title
    assert f"gate={gate.pk}" in notice.url


def test_on_fever_tells_the_duty_office_even_with_no_shift(cast: Cast) -> None:
    gate = gate_of(cast, with_post=False)
    services.entries_sync(
        actor=cast.users["duty_office"],
        gate=gate,
        entries=[entry(member="A0001", temperature="38.2")],
    )
    stored = Entry.objects.get()
    notices = on_fever(entry=stored)
    assert [n.recipient_id for n in notices] == [cast.users["duty_office"].pk]
    # the member's branch gets a 紧急 situation report, once a day whatever the source
    raised = Escalation.objects.get(fever_member=stored.member)
    assert stored.member is not None and raised.current_org == stored.member.branch
    assert raised.source == "门岗"
    on_fever(entry=stored)
    assert Escalation.objects.filter(fever_member=stored.member).count() == 1


def test_below_the_threshold_is_no_fever(cast: Cast, settings: Any) -> None:
    settings.FEVER_THRESHOLD = "37.5"
    gate = gate_of(cast)
    services.entries_sync(
        actor=cast.users["duty_office"],
        gate=gate,
        entries=[entry(member="A0001", temperature="37.4")],
    )
    assert not Entry.objects.get().fever


@pytest.mark.parametrize("role", ROLES)
def test_the_sync_s_one_query_scope_agrees_with_gates_to_register(cast: Cast, role: str) -> None:
    # given a gate kept by member_a, one with member_b on today's shift, one with nobody,
    # and an inactive one
    kept, shifted, other = gate_of(cast, "北门"), gate_of(cast, "东门"), gate_of(cast, "南门")
    keeper(kept, cast.member_a)
    on_shift(cast, shifted, cast.member_b)
    closed = gate_of(cast, "西门")
    closed.active = False
    closed.save()
    user = cast.users.get(role) or AnonymousUser()
    users = [user] if role != "member_a" else [user, cast.users["member_b"]]

    for who in users:
        allowed = set(gates_to_register(who).values_list("pk", flat=True))
        for gate in (kept, shifted, other, closed):
            # when the sync looks the gate up for them
            if gate.pk not in allowed:
                with pytest.raises(Http404):
                    gate_to_register(who, gate.pk)
                continue
            with CaptureQueriesContext(connection) as ctx:
                found, access = gate_to_register(who, gate.pk)

            # then the same gates, in one query, and "at any time" for managers and keepers
            assert len(ctx.captured_queries) == 1
            assert (found.pk, str(found), found.post_id) == (gate.pk, str(gate), gate.post_id)
            assert access.always == (gate == kept or role in ("school_admin", "duty_office"))
            assert isinstance(found, Gate) and found.campus.name == gate.campus.name


def test_a_missing_gate_is_a_404_for_the_sync(cast: Cast) -> None:
    with pytest.raises(Http404):
        gate_to_register(cast.users["duty_office"], 999_999)


def test_a_mixed_batch_is_stored_checked_and_recorded_alike_on_every_database(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    # given one entry already stored, member_b's pass code and a phone
    # (PostgreSQL writes a batch in one statement, SQLite in a transaction: the same answer)
    gate = gate_of(cast)
    user = cast.users["duty_office"]
    device = uuid.uuid4()
    earlier = entry(member="A0001")
    services.entries_sync(actor=user, gate=gate, entries=[earlier])
    code = services.pass_code_for(cast.member_b)
    member, by_code = entry(member="A0001"), entry(pass_code=f"DJTX:{code.token}", direction="out")
    visitor = entry(visitor_name=" 王五 ", visitor_phone="13800000000", visitor_reason="送货")
    hot = entry(member="B0001", temperature="38.2")
    unknown, no_reason = entry(member="Z9999"), entry(visitor_name="赵六")
    batch = [member, by_code, visitor, hot, unknown, no_reason, earlier, member]

    # when the phone sends them
    with django_capture_on_commit_callbacks(execute=True):
        result = services.entries_sync(
            actor=user, gate=gate, entries=batch, device_uid=device, waiting=3
        )

    # then four are stored, the earlier one acknowledged, two refused with their reasons
    assert result.stored == [str(e.uid) for e in (member, by_code, visitor, hot)]
    assert result.known == [str(earlier.uid)]
    assert result.refused == [
        (str(unknown.uid), "学工号 Z9999 不在人员名单中。"),
        (str(no_reason.uid), "访客须填写来访事由。"),
    ]
    assert result.fevers == 1
    rows = {e.uid: e for e in Entry.objects.filter(uid__in=result.stored)}
    assert rows[member.uid].member == cast.member_a and rows[member.uid].visitor_name == ""
    assert rows[by_code.uid].member == cast.member_b and rows[by_code.uid].direction == "out"
    seen = rows[visitor.uid]
    assert seen.member is None and (seen.visitor_name, seen.visitor_reason) == ("王五", "送货")
    assert rows[hot.uid].fever and not rows[member.uid].fever
    phone = Device.objects.get(uid=device)
    assert (phone.gate, phone.waiting, phone.last_user) == (gate, 3, user)
    assert {e.device_id for e in rows.values()} == {phone.pk}
    assert {e.officer_id for e in rows.values()} == {user.pk}
    record = AuditEvent.objects.filter(action="gate.sync").first()
    assert record is not None and record.actor == user
    assert (record.target_type, record.target_id, record.target_label) == (
        "gates.gate",
        str(gate.pk),
        str(gate),
    )
    assert record.changes == {"stored": 4, "known": 1, "refused": 2}
    assert Notice.objects.filter(kind="gate.fever", recipient=user).count() == 1

    # and sent again, nothing is stored and no audit row is written
    again = services.entries_sync(actor=user, gate=gate, entries=batch, device_uid=device)
    assert again.stored == [] and len(again.known) == 5 and len(again.refused) == 2
    assert AuditEvent.objects.filter(action="gate.sync").count() == 2
