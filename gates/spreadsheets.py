"""门岗统计 as .xlsx: per gate and hour for a day, per campus and day, the fevers."""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from gates.models import Entry
from gates.selectors import DayFigures
from lib.xlsx import XlsxBook


def figures_xlsx(
    figures: DayFigures, campus_days: dict[str, Any], fevers: Iterable[Entry]
) -> bytes:
    book = XlsxBook()
    bold = book.format(bold=True)
    sheet = book.sheet("分时段")
    book.row(sheet, 0, [f"{figures.day:%Y-%m-%d} 各门岗分时段进出人次"], bold)
    book.row(
        sheet, 1, ["门岗", *[f"{h:02d}时" for h in figures.hours], "进", "出", "访客", "发热"], bold
    )
    counts = {(gate, hour): n for hour, gate, n in figures.cells}
    for i, gate in enumerate(figures.gates):
        t = gate.totals  # type: ignore[attr-defined]
        book.row(
            sheet,
            2 + i,
            [
                str(gate),
                *[counts.get((i, h), 0) for h in figures.hours],
                t["in"],
                t["out"],
                t["visitor"],
                t["fever"],
            ],
        )
    sheet = book.sheet("分校区每日")
    book.row(sheet, 0, ["校区", *campus_days["days"]], bold)
    for i, s in enumerate(campus_days["series"]):
        book.row(sheet, 1 + i, [s["name"], *s["data"]])
    sheet = book.sheet("发热")
    book.row(sheet, 0, ["时间", "门岗", "人员", "学工号", "体温（℃）", "方向", "登记人"], bold)
    for i, e in enumerate(fevers):
        book.row(
            sheet,
            1 + i,
            [
                f"{timezone.localtime(e.at):%Y-%m-%d %H:%M}",
                str(e.gate),
                e.who,
                e.member.number if e.member else "",
                float(e.temperature) if e.temperature is not None else None,
                e.get_direction_display(),
                e.officer.get_full_name() or e.officer.username,
            ],
        )
    return book.close()
