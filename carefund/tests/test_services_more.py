"""组织关爱资金: refusals the journeys do not reach, each with its Chinese reason; nothing
is written when one is refused."""

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from carefund import services
from carefund.models import CareEntry, CareFund, CarePayment, EntryKind, PaymentState
from carefund.services import Recipient
from carefund.tests.helpers import fund, payment
from conftest import Cast

TODAY = timezone.localdate()


def test_a_fund_needs_a_name_and_source_unique_in_its_org(cast: Cast) -> None:
    admin = cast.users["school_admin"]
    with pytest.raises(ValidationError, match="请填写账户名称和资金来源。"):
        services.fund_create(actor=admin, org=cast.school, name=" ", source="党费")
    services.fund_create(actor=admin, org=cast.school, name="党费慰问金", source="党费拨付")
    with pytest.raises(ValidationError, match="已有名为“党费慰问金”的账户。"):
        services.fund_create(actor=admin, org=cast.school, name=" 党费慰问金 ", source="捐赠")
    # another org may use the name
    services.fund_create(actor=admin, org=cast.unit_a, name="党费慰问金", source="党费拨付")
    assert CareFund.objects.count() == 2


def test_a_unit_keeps_no_fund_for_another_unit(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        services.fund_create(
            actor=cast.users["unit_a_admin"], org=cast.unit_b, name="慰问金", source="党费"
        )
    f = fund(cast, org=cast.unit_b)
    with pytest.raises(PermissionDenied):
        services.fund_income(
            actor=cast.users["unit_a_admin"],
            fund=f,
            amount=Decimal("10"),
            received_on=TODAY,
            summary="拨付",
        )


def test_an_income_needs_a_summary_and_a_recent_date(cast: Cast) -> None:
    f = fund(cast)
    admin = cast.users["school_admin"]
    with pytest.raises(ValidationError, match=re.escape("请填写摘要（如：党费拨付）。")):
        services.fund_income(
            actor=admin, fund=f, amount=Decimal("10"), received_on=TODAY, summary=" "
        )
    with pytest.raises(ValidationError, match="日期早于十年前，请检查日期。"):
        services.fund_income(
            actor=admin,
            fund=f,
            amount=Decimal("10"),
            received_on=TODAY - dt.timedelta(days=3661),
            summary="拨付",
        )
    assert CareEntry.objects.filter(fund=f).count() == 1  # the helper's income only


def _request(cast: Cast, f: CareFund, **extra: Any) -> CarePayment:
    data: dict[str, Any] = {
        "actor": cast.users["school_admin"],
        "fund": f,
        "title": "中秋节慰问一线人员",
        "purpose": "frontline",
        "paid_on": TODAY,
        "recipients": [Recipient(name="王医生", amount=Decimal("200"))],
        **extra,
    }
    return services.payment_request(**data)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"title": "  "}, "请填写事由。"),
        ({"purpose": "party"}, "请选择用途。"),
        ({"recipients": []}, "发放对象为空：请填写名单或选择发放群体。"),
        ({"per_head": Decimal("30")}, "按人均标准发放时，每人金额须等于人均标准。"),
        (
            {
                "recipients": [
                    Recipient(name="王医生", amount=Decimal("1")),
                    Recipient("", Decimal("1")),
                ]
            },
            "第 2 位发放对象没有姓名。",
        ),
        ({"recipients": [Recipient(name="王医生", amount=Decimal("0"))]}, "王医生的金额须大于 0。"),
    ],
)
def test_a_payout_request_against_the_rules_is_refused(
    cast: Cast, extra: dict[str, Any], message: str
) -> None:
    f = fund(cast)
    with pytest.raises(ValidationError, match=re.escape(message)):
        _request(cast, f, **extra)
    assert not CarePayment.objects.exists()


def test_a_payout_is_asked_for_only_by_who_manages_the_fund(cast: Cast) -> None:
    f = fund(cast)
    with pytest.raises(PermissionDenied):
        _request(cast, f, actor=cast.users["unit_a_admin"])


def test_only_who_approves_may_refuse_a_payout(cast: Cast) -> None:
    f = fund(cast, org=cast.unit_a)
    p = payment(cast, f, actor="unit_a_admin")
    with pytest.raises(PermissionDenied):
        services.payment_refuse(actor=cast.users["unit_a_admin"], payment=p, note="预算不足")
    with pytest.raises(PermissionDenied):
        services.payment_approve(actor=cast.users["unit_b_admin"], payment=p)
    p.refresh_from_db()
    assert p.state == PaymentState.PENDING


def test_a_reversal_needs_a_reason_and_the_right(cast: Cast) -> None:
    f = fund(cast)
    income = CareEntry.objects.get(fund=f, kind=EntryKind.INCOME)
    with pytest.raises(ValidationError, match="请写明冲正原因。"):
        services.entry_reverse(actor=cast.users["school_admin"], entry=income, reason="  ")
    with pytest.raises(PermissionDenied):
        services.entry_reverse(actor=cast.users["unit_a_admin"], entry=income, reason="录错")
    assert not CareEntry.objects.filter(kind=EntryKind.REVERSAL).exists()
