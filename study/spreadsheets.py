"""Study hours as .xlsx: user text always written as text (lib.xlsx)."""

from collections.abc import Iterable
from typing import Any

from lib.xlsx import XlsxBook

HEADERS = ["党支部", "学工号", "姓名", "政治面貌", "学习次数", "学时"]


def hours_xlsx(year: int, members: Iterable[Any]) -> bytes:
    book = XlsxBook()
    sheet = book.sheet(f"{year}年学时")
    for col, width in enumerate([28, 12, 10, 10, 10, 8]):
        sheet.set_column(col, col, width)
    book.row(sheet, 0, HEADERS, book.format(bold=True, bg_color="#F2DCDB", border=1))
    for line, m in enumerate(members, start=1):
        values = [
            m.branch.name,
            m.number,
            m.name,
            m.get_political_status_display(),
            m.study_count,
            float(m.study_hours),
        ]
        for col, value in enumerate(values):
            book.cell(sheet, line, col, value)
    sheet.freeze_panes(1, 0)
    return book.close()
