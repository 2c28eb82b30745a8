"""The care funds as .xlsx: a fund's ledger with its sums, a payout's list of recipients.
User text is written as text (XlsxBook), money as numbers to the cent."""

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from carefund.models import CareEntry, CareFund, CarePayment, CareRecipient
from carefund.selectors import SpendRow, Summary
from lib.xlsx import XlsxBook

HEADER = {"bold": True, "bg_color": "#F2DCDB", "border": 1}


def _sheet(
    book: XlsxBook,
    name: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[int],
) -> None:
    sheet = book.sheet(name)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    book.row(sheet, 0, headers, book.format(**HEADER))
    date = book.format(num_format="yyyy-mm-dd")
    money = book.format(num_format="#,##0.00")
    for line, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            fmt = date if hasattr(value, "isoformat") else None
            if isinstance(value, Decimal):
                value, fmt = float(value), money
            book.cell(sheet, line, col, value, fmt)
    sheet.freeze_panes(1, 0)


def _spend(rows: list[SpendRow]) -> list[list[Any]]:
    return [[r.label, r.count, r.amount] for r in rows]


def fund_xlsx(fund: CareFund, entries: Iterable[CareEntry], summary: Summary) -> bytes:
    book = XlsxBook()
    info = book.sheet("账户")
    info.set_column(0, 1, 24)
    for i, (label, value) in enumerate(
        [
            ("账户名称", fund.name),
            ("资金来源", fund.source),
            ("所属党组织", fund.org.name),
            ("收入合计（元）", f"{summary.income:,.2f}"),
            ("发放合计（元）", f"{summary.spent:,.2f}"),
            ("余额（元）", f"{fund.balance:,.2f}"),
            ("导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        ]
    ):
        book.cell(info, i, 0, label, book.format(**HEADER))
        book.cell(info, i, 1, value)
    _sheet(
        book,
        "流水",
        ["序号", "日期", "类别", "摘要", "用途", "校区", "金额（元）", "余额（元）", "记录人"],
        (
            [
                e.pk,
                e.occurred_on,
                e.get_kind_display(),
                e.summary,
                e.get_purpose_display() if e.purpose else "",
                e.campus.name if e.campus else "",
                e.amount,
                e.balance_after,
                e.recorded_by.get_full_name() or e.recorded_by.username,
            ]
            for e in entries
        ),
        [8, 12, 8, 40, 14, 12, 14, 14, 12],
    )
    headers = ["", "笔数", "发放金额（元）"]
    _sheet(book, "按校区", ["校区", *headers[1:]], _spend(summary.by_campus), [16, 8, 16])
    _sheet(book, "按用途", ["用途", *headers[1:]], _spend(summary.by_purpose), [16, 8, 16])
    _sheet(book, "按月份", ["月份", *headers[1:]], _spend(summary.by_month), [16, 8, 16])
    return book.close()


def payment_xlsx(payment: CarePayment, recipients: Iterable[CareRecipient]) -> bytes:
    book = XlsxBook()
    _sheet(
        book,
        "慰问名单",
        ["序号", "学工号", "姓名", "金额（元）"],
        ([i, r.number, r.name, r.amount] for i, r in enumerate(recipients, start=1)),
        [8, 16, 14, 14],
    )
    return book.close()
