"""Talk coverage as .xlsx: every piece of user text is written as a string, never a formula."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone

from lib.xlsx import XlsxBook
from members.models import Member
from talks.models import Talk
from talks.selectors import Coverage, CoverageRow


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
    for line, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            book.cell(sheet, line, col, value, date if hasattr(value, "isoformat") else None)
    sheet.freeze_panes(1, 0)


def _counts(row: CoverageRow) -> list[Any]:
    c = row.counts
    return [row.name, c.members, c.covered, c.due, c.away_due, c.rate]


HEADER = {"bold": True, "bg_color": "#F2DCDB", "border": 1}
COUNT_HEADERS = ["名称", "党员数", "已谈话", "待谈话", "其中滞留外地 / 隔离", "覆盖率（%）"]


def coverage_xlsx(cov: Coverage, due: Iterable[Member], follow_ups: Iterable[Talk]) -> bytes:
    book = XlsxBook()
    summary = book.sheet("说明")
    summary.set_column(0, 1, 24)
    lines = [
        ("统计口径", f"近 {cov.days} 天内（{cov.cutoff} 起）有谈心谈话记录即为已覆盖"),
        ("党员数", str(cov.total.members)),
        ("待谈话", str(cov.total.due)),
        ("其中滞留外地 / 隔离", str(cov.total.away_due)),
        ("到期未回访", str(cov.follow_ups_due)),
        ("导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]
    for i, (label, value) in enumerate(lines):
        book.cell(summary, i, 0, label, book.format(**HEADER))
        book.cell(summary, i, 1, value)
    _sheet(book, "各单位", COUNT_HEADERS, map(_counts, cov.units), [28, 10, 10, 10, 18, 12])
    _sheet(book, "各支部", COUNT_HEADERS, map(_counts, cov.branches), [32, 10, 10, 10, 18, 12])
    _sheet(
        book,
        "待谈话党员",
        ["学工号", "姓名", "党支部", "当前去向", "最近一次谈话"],
        (
            [m.number, m.name, m.branch.name, m.get_whereabouts_display(), m.last_talk]  # type: ignore[attr-defined]
            for m in due
        ),
        [14, 12, 32, 12, 16],
    )
    _sheet(
        book,
        "到期未回访",
        ["谈话对象", "学工号", "党支部", "谈话人", "谈话日期", "回访日期"],
        (
            [
                t.member.name,
                t.member.number,
                t.branch.name,
                t.talker.name,
                t.talked_on,
                t.follow_up_on,
            ]
            for t in follow_ups
        ),
        [12, 14, 32, 12, 14, 14],
    )
    return book.close()
