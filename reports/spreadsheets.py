"""Who is overdue as .xlsx: every piece of user text is written as a string, never a formula."""

from collections.abc import Iterable

from django.utils import timezone

from lib.xlsx import XlsxBook
from members.models import Member
from reports.selectors import Overdue, Row

HEADER = {"bold": True, "bg_color": "#F2DCDB", "border": 1}
COUNT_HEADERS = ["名称", "应报人数", "已报", "其中迟报", "未报", "报备率（%）"]


def _counts(row: Row) -> list[object]:
    c = row.counts
    return [row.name, c.expected, c.reported, c.late, c.missing, c.rate]


def overdue_xlsx(result: Overdue, missing: Iterable[Member]) -> bytes:
    book = XlsxBook()
    header = book.format(**HEADER)
    summary = book.sheet("说明")
    summary.set_column(0, 1, 26)
    due = timezone.localtime(result.due_at)
    lines = [
        ("表单", result.schedule.form.name),
        ("报备周期", result.period.isoformat()),
        ("截止时间", f"{due:%Y-%m-%d %H:%M}"),
        ("应报人数", str(result.total.expected)),
        ("已报", str(result.total.reported)),
        ("未报", str(result.total.missing)),
        ("导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]
    for i, (label, value) in enumerate(lines):
        book.cell(summary, i, 0, label, header)
        book.cell(summary, i, 1, value)
    for name, rows, width in (("各单位", result.units, 28), ("各支部", result.branches, 32)):
        sheet = book.sheet(name)
        sheet.set_column(0, 0, width)
        sheet.set_column(1, 5, 11)
        book.row(sheet, 0, COUNT_HEADERS, header)
        for line, row in enumerate(rows, start=1):
            book.row(sheet, line, _counts(row))
        sheet.freeze_panes(1, 0)
    sheet = book.sheet("未报党员")
    for col, width in enumerate([32, 14, 12, 10, 10]):
        sheet.set_column(col, col, width)
    book.row(sheet, 0, ["所在党支部", "学工号", "姓名", "类别", "去向"], header)
    for line, m in enumerate(missing, start=1):
        book.row(
            sheet,
            line,
            [
                m.branch.name,
                m.number,
                m.name,
                m.get_category_display(),
                m.get_whereabouts_display(),
            ],
        )
    sheet.freeze_panes(1, 0)
    return book.close()
