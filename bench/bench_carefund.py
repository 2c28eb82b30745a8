"""The care-fund race: 50 payouts of 100 元 approved at the same moment, each by its own thread
(its own PostgreSQL connection and transaction), against a balance of 3,000 元 that covers 30.

Figures: `care_fund_paid` (payouts paid: must be exactly 30), `care_fund_overdrawn` (1 if the
balance went below zero or the ledger does not add up to it, else 0), and the wall time of
the race in ms."""

import threading
import time
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import OperationalError, connections
from django.utils import timezone

from access.models import Grant, Role
from bench import Figure
from carefund import services
from carefund.models import CareEntry, CareFund, PaymentState
from carefund.services import Recipient
from orgs.models import Org

PAYOUTS = 50
COVERED = 30
AMOUNT = Decimal("100")
CONNECT_TRIES = 100


def run(repeat: int | None = None) -> list[Figure]:
    school = Org.objects.filter(depth=1).order_by("path").first()
    assert school is not None, "seed_large builds the school"
    user, _ = get_user_model().objects.get_or_create(username="bench_carefund")
    Grant.objects.get_or_create(user=user, org=school, role=Role.SCHOOL_ADMIN)
    name = f"竞争测试 {timezone.now():%Y%m%d%H%M%S%f}"
    fund = services.fund_create(actor=user, org=school, name=name, source="基准测试")
    services.fund_income(
        actor=user,
        fund=fund,
        amount=AMOUNT * COVERED,
        received_on=timezone.localdate(),
        summary="基准测试拨付",
    )
    payments = [
        services.payment_request(
            actor=user,
            fund=fund,
            title=f"并发发放 {i}",
            purpose="other",
            paid_on=timezone.localdate(),
            recipients=[Recipient(name=f"受助人{i}", amount=AMOUNT)],
        )
        for i in range(PAYOUTS)
    ]
    barrier = threading.Barrier(PAYOUTS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def approve(payment: Any) -> None:
        barrier.wait()
        for attempt in range(CONNECT_TRIES):
            try:
                services.payment_approve(actor=user, payment=payment)
                result = "paid"
            except ValidationError:
                result = "refused"
            except OperationalError as e:
                # The throwaway cluster allows 50 connections, fewer than 50 threads and the
                # main one: a thread that cannot connect yet waits, as a pool would queue it.
                result = f"error: {type(e).__name__}: {e}"
                if "too many clients" in str(e) and attempt < CONNECT_TRIES - 1:
                    connections.close_all()
                    time.sleep(0.05)
                    continue
            except Exception as e:  # counted, and shown: a race must never crash
                result = f"error: {type(e).__name__}: {e}"
            break
        connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=approve, args=(p,)) for p in payments]
    connections.close_all()  # the main thread's connection is not needed during the race
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = (time.perf_counter() - started) * 1000

    fund = CareFund.objects.get(pk=fund.pk)
    ledger = sum((e.amount for e in CareEntry.objects.filter(fund=fund)), Decimal("0"))
    paid = fund.payments.filter(state=PaymentState.PAID).count()
    overdrawn = int(fund.balance < 0 or ledger != fund.balance)
    errors = [o for o in outcomes if o.startswith("error")]
    print(
        f"{PAYOUTS} payouts of {AMOUNT} 元 against {AMOUNT * COVERED} 元: "
        f"paid {paid}, refused {outcomes.count('refused')}, errors {len(errors)}; "
        f"balance {fund.balance} 元, ledger sum {ledger} 元"
    )
    for e in errors[:3]:
        print(" ", e)
    return [
        Figure("care_fund_paid", paid, "payouts", f"= {COVERED}"),
        Figure("care_fund_overdrawn", overdrawn + len(errors), "", "= 0"),
        Figure("care_fund_race_ms", elapsed, "ms"),
    ]
