"""A rise and an acknowledgement at the same moment end in exactly one of them (PostgreSQL:
two threads, each with its own connection, meet at a barrier and press at once)."""

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from conftest import Cast
from escalations import services
from escalations.models import Escalation, EscalationEvent, EscalationState
from escalations.tests.helpers import member_report, overdue
from notices.models import Notice

ROUNDS = 8


@pytest.mark.postgresql  # row locks are PostgreSQL's; SQLite serialises whole writes
def test_rise_and_acknowledgement_racing_end_in_exactly_one(
    cast: Cast, transactional_db: Any
) -> None:
    secretary = cast.users["branch_secretary"]
    reports = [member_report(cast, title=f"情况{i}") for i in range(ROUNDS)]
    outcomes: dict[int, tuple[Any, Any]] = {}

    def race(e: Escalation) -> None:
        start = threading.Barrier(2)
        result: dict[str, Any] = {}
        now = overdue(e)

        def acknowledge() -> None:
            try:
                start.wait()
                services.escalation_acknowledge(actor=secretary, escalation=e, level=0)
                result["ack"] = True
            except ValidationError:
                result["ack"] = False
            finally:
                connection.close()

        def rise() -> None:
            try:
                start.wait()
                result["rise"] = services.escalation_rise(escalation_id=e.pk, now=now)
            finally:
                connection.close()

        threads = [threading.Thread(target=acknowledge), threading.Thread(target=rise)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        outcomes[e.pk] = (result.get("ack"), result.get("rise"))

    for e in reports:
        race(e)

    for e in reports:
        acked, rose = outcomes[e.pk]
        assert acked is not rose, f"both or neither: ack={acked} rise={rose}"
        e.refresh_from_db()
        actions = list(
            EscalationEvent.objects.filter(escalation=e).values_list("action", flat=True)
        )
        if acked:
            assert (e.state, e.level, e.current_org) == (
                EscalationState.ACKNOWLEDGED,
                0,
                cast.branch_a1,
            )
            assert actions == ["created", "acknowledged"]
        else:
            assert (e.state, e.level, e.current_org) == (EscalationState.OPEN, 1, cast.unit_a)
            assert actions == ["created", "risen"]
    risen = sum(1 for acked, _ in outcomes.values() if not acked)
    assert Notice.objects.filter(recipient=cast.users["unit_a_admin"]).count() == risen


@pytest.mark.postgresql  # the race needs concurrent transactions
def test_two_fever_readings_at_once_raise_one_alert(cast: Cast, transactional_db: Any) -> None:
    from django.utils import timezone

    start = threading.Barrier(2)
    got: list[Any] = []

    def measure(source: str) -> None:
        try:
            start.wait()
            got.append(
                services.raise_fever(
                    member=cast.member_a,
                    temperature="38.1",
                    measured_at=timezone.now(),
                    source=source,
                )
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=measure, args=(s,)) for s in ("report", "gate")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(got) == 2 and sum(e is not None for e in got) == 1
    assert Escalation.objects.filter(fever_member=cast.member_a).count() == 1
    assert Notice.objects.filter(recipient=cast.users["branch_secretary"]).count() == 1
