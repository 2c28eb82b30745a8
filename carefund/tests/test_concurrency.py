"""Payouts that race: threads against PostgreSQL, each its own connection and transaction.
The balance covers 3 of 5 payouts: exactly 3 are paid, the others refused, never below zero."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from carefund import services
from carefund.models import CareEntry, CareFund, PaymentState
from carefund.tests.helpers import fund, payment
from conftest import Cast

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks and concurrent transactions need PostgreSQL",
)


@pytest.mark.django_db(transaction=True)
def test_concurrent_payouts_never_overdraw(cast: Cast) -> None:
    f = fund(cast, income="300")
    payments = [payment(cast, f, amounts=("100",)) for _ in range(5)]
    admin = cast.users["school_admin"]
    barrier = threading.Barrier(len(payments))
    outcomes: list[str] = []

    def approve(p: object) -> None:
        try:
            barrier.wait()
            services.payment_approve(actor=admin, payment=p)  # type: ignore[arg-type]
            outcomes.append("paid")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(p,)) for p in payments]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    f = CareFund.objects.get(pk=f.pk)
    assert sorted(outcomes) == ["paid"] * 3 + ["refused"] * 2
    assert f.balance == Decimal("0")
    assert sum(e.amount for e in CareEntry.objects.filter(fund=f)) == f.balance
    assert [p.state for p in type(payments[0]).objects.filter(fund=f)].count(PaymentState.PAID) == 3
