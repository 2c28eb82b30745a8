"""组织关爱 through its pages: a fund, income, a payout by list and per head, approval, a
reversal, the sums and the .xlsx exports."""

import uuid
from decimal import Decimal
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carefund.models import CareEntry, CareFund, CarePayment, PaymentState
from carefund.tests.helpers import fund, payment
from conftest import Cast
from lib.xlsx import read_workbook


def _post(cast: Cast, who: str, url: str, data: dict[str, object]) -> Any:
    return cast.client(who).post(url, {"form_token": str(uuid.uuid4()), **data})


def test_school_admin_opens_a_fund_records_income_and_pays_a_named_list(cast: Cast) -> None:
    response = _post(
        cast,
        "school_admin",
        reverse("care_fund_new"),
        {"org": cast.school.pk, "name": "党费慰问金", "source": "党费拨付"},
    )
    f = CareFund.objects.get()
    assert response["Location"] == reverse("care_fund_detail", args=[f.pk])
    today = str(timezone.localdate())
    _post(
        cast,
        "school_admin",
        reverse("care_income_new", args=[f.pk]),
        {"amount": "7720", "received_on": today, "summary": "校党委从党费拨付"},
    )
    response = _post(
        cast,
        "school_admin",
        reverse("care_payment_new", args=[f.pk]),
        {
            "title": "中秋节慰问一线人员",
            "purpose": "frontline",
            "paid_on": today,
            "mode": "named",
            "lines": "A0001 150\n后勤 王师傅，160.50\n",
        },
    )
    p = CarePayment.objects.get()
    assert response["Location"] == reverse("care_payment_detail", args=[p.pk])
    assert p.total == Decimal("310.50") and p.head_count == 2
    assert p.recipients.filter(member=cast.member_a).exists()

    response = _post(
        cast, "school_admin", reverse("care_payment_approve", args=[p.pk]), {"note": "同意"}
    )
    f.refresh_from_db()
    assert f.balance == Decimal("7409.50")
    page = cast.client("school_admin").get(reverse("care_payment_detail", args=[p.pk]))
    assert "已发放" in page.content.decode()


def test_bad_lines_are_listed_with_their_line_numbers_and_nothing_is_written(
    cast: Cast,
) -> None:
    f = fund(cast)
    response = _post(
        cast,
        "school_admin",
        reverse("care_payment_new", args=[f.pk]),
        {
            "title": "慰问",
            "purpose": "frontline",
            "paid_on": str(timezone.localdate()),
            "mode": "named",
            "lines": "张三 150\n李四\n99999 20",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "第 2 行" in text and "第 3 行" in text
    assert not CarePayment.objects.exists()


def test_per_head_payout_to_a_group_lists_everyone(cast: Cast) -> None:
    f = fund(cast)
    _post(
        cast,
        "school_admin",
        reverse("care_payment_new", args=[f.pk]),
        {
            "title": "中秋学生慰问金",
            "purpose": "students",
            "paid_on": str(timezone.localdate()),
            "mode": "per_head",
            "per_head": "30",
            "group_org": cast.school.pk,
        },
    )
    p = CarePayment.objects.get()
    assert p.head_count == 4 and p.total == Decimal("120") and p.per_head == Decimal("30")
    page = cast.client("school_admin").get(reverse("care_payment_detail", args=[p.pk]))
    assert "4 人 × 30.00 元 = 120.00 元" in page.content.decode()


def test_an_overdrawing_approval_is_refused_with_the_balance_in_chinese(cast: Cast) -> None:
    f = fund(cast, income="100")
    p = payment(cast, f)
    client = cast.client("school_admin")
    response = client.post(
        reverse("care_payment_approve", args=[p.pk]), {"form_token": str(uuid.uuid4())}
    )
    page = client.get(response["Location"])
    assert "余额不足" in page.content.decode()
    p.refresh_from_db()
    assert p.state == PaymentState.PENDING


def test_reversal_asks_first_then_writes_a_reversing_entry(cast: Cast) -> None:
    f = fund(cast)
    entry = CareEntry.objects.get(fund=f)
    url = reverse("care_entry_reverse", args=[entry.pk])
    page = cast.client("school_admin").get(url).content.decode()
    assert "原记录保留不变" in page
    _post(cast, "school_admin", url, {"reason": "金额记错"})
    f.refresh_from_db()
    assert f.balance == 0 and CareEntry.objects.filter(reverses=entry).exists()


def test_fund_export_has_ledger_and_sums(cast: Cast) -> None:
    f = fund(cast)
    response = cast.client("school_admin").get(reverse("care_fund_export", args=[f.pk]))
    book = read_workbook(response.content)
    assert list(book.sheets) == ["账户", "流水", "按校区", "按用途", "按月份"]
    assert book.sheets["流水"][1][3] == "校党委从党费拨付"


def test_fund_page_makes_a_fixed_number_of_queries(cast: Cast) -> None:
    f = fund(cast, income="100000")
    client = cast.client("school_admin")
    url = reverse("care_fund_detail", args=[f.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        payment(cast, f)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)


def test_school_admin_home_lists_payouts_to_approve(cast: Cast) -> None:
    home = cast.client("school_admin").get(reverse("home")).content.decode()
    assert "待审批的慰问发放" not in home
    payment(cast, fund(cast, org=cast.unit_a), actor="unit_a_admin")
    home = cast.client("school_admin").get(reverse("home")).content.decode()
    assert "待审批的慰问发放" in home
    assert (
        "待审批的慰问发放" not in cast.client("unit_a_admin").get(reverse("home")).content.decode()
    )
