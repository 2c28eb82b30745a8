"""Duty exports: person-times figures, pledge signatures, zones and teams (.xlsx)."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import timezone

from duty.selectors import UNIT_PATH_LENGTH, PersonTimes, StatsFilters
from lib.xlsx import XlsxBook


def _book() -> tuple[XlsxBook, Any, dict[str, Any]]:
    """The one writer (user text is always text), its workbook and the formats used here."""
    xlsx = XlsxBook()
    book = xlsx.workbook
    fmt = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "header": book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1}),
        "total": book.add_format({"bold": True, "top": 1}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }
    return xlsx, book, fmt


def _table(
    sheet: Any,
    fmt: dict[str, Any],
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    start: int = 0,
    total: Sequence[Any] | None = None,
    widths: Sequence[int] = (),
) -> int:
    """Write a header row, the rows and an optional total row; returns the next free row."""
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.write_row(start, 0, headers, fmt["header"])
    line = start
    for row in rows:
        line += 1
        for col, value in enumerate(row):
            if hasattr(value, "hour"):
                sheet.write_datetime(
                    line, col, timezone.localtime(value).replace(tzinfo=None), fmt["datetime"]
                )
            elif hasattr(value, "isoformat"):
                sheet.write_datetime(line, col, value, fmt["date"])
            elif value is None:
                continue
            else:
                sheet.write(line, col, value)
    if total is not None:
        line += 1
        sheet.write_row(line, 0, total, fmt["total"])
    sheet.freeze_panes(start + 1, 0)
    return line + 1


def person_times_xlsx(
    figures: PersonTimes, filters: StatsFilters, unit_names: dict[str, str]
) -> bytes:
    xlsx, book, fmt = _book()
    summary = book.add_worksheet("汇总")
    summary.set_column(0, 0, 16)
    summary.set_column(1, 1, 30)
    summary.write(0, 0, "党员先锋岗值班人次统计", fmt["title"])
    lines = [
        ("统计口径", "按排班计（含未签到）" if filters.scheduled else "按实际签到计"),
        ("开始日期", str(filters.date_from) if filters.date_from else "不限"),
        ("结束日期", str(filters.date_to) if filters.date_to else "不限"),
        ("累计值班人次", figures.total),
        ("参与人数", figures.members),
        ("导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
    ]
    for row, (label, value) in enumerate(lines, start=2):
        summary.write(row, 0, label, fmt["header"])
        summary.write(row, 1, value)

    groups: list[tuple[str, str, list[dict[str, Any]]]] = [
        ("按单位", "单位", figures.by_unit),
        ("按岗位", "岗位", figures.by_post),
        ("按校区", "校区", figures.by_campus),
        ("按阶段", "阶段", figures.by_phase),
    ]
    for sheet_name, header, rows in groups:
        sheet = book.add_worksheet(sheet_name)
        _table(
            sheet,
            fmt,
            [header, "人次"],
            ((r["name"], r["n"]) for r in rows),
            total=("合计", figures.total),
            widths=(28, 10),
        )
    sheet = book.add_worksheet("按日期")
    _table(
        sheet,
        fmt,
        ["日期", "人次"],
        ((r["date"], r["n"]) for r in figures.by_day),
        total=("合计", figures.total),
        widths=(14, 10),
    )
    sheet = book.add_worksheet("按人员")
    _table(
        sheet,
        fmt,
        ["学工号", "姓名", "单位", "党支部", "人次"],
        (
            (
                r["member__number"],
                r["member__name"],
                unit_names.get(r["branch_path"][:UNIT_PATH_LENGTH], ""),
                r["member__branch__name"],
                r["n"],
            )
            for r in figures.by_member
        ),
        total=("合计", "", "", "", figures.total),
        widths=(14, 10, 24, 26, 8),
    )
    return xlsx.close()


def pledge_xlsx(
    pledge: Any,
    branches: list[dict[str, Any]],
    members: Iterable[Any],
    signatures: dict[int, Any],
    unit_names: dict[str, str],
) -> bytes:
    xlsx, book, fmt = _book()
    summary = book.add_worksheet("按支部")
    summary.write(0, 0, f"{pledge.title} · 签署情况", fmt["title"])
    expected = sum(b["expected"] for b in branches)
    signed = sum(b["signed"] for b in branches)
    _table(
        summary,
        fmt,
        ["单位", "党支部", "应签人数", "已签人数", "未签人数"],
        (
            (
                unit_names.get(b["path"][:UNIT_PATH_LENGTH], ""),
                b["name"],
                b["expected"],
                b["signed"],
                b["unsigned"],
            )
            for b in branches
        ),
        start=2,
        total=("合计", "", expected, signed, expected - signed),
        widths=(24, 26, 10, 10, 10),
    )
    sheet = book.add_worksheet("签署名单")
    rows = []
    for m in members:
        s = signatures.get(m.pk)
        rows.append(
            (
                unit_names.get(m.branch.path[:UNIT_PATH_LENGTH], ""),
                m.branch.name,
                m.number,
                m.name,
                "已签署" if s else "未签署",
                s.signed_name if s else "",
                s.signed_at if s else None,
                s.ip if s and s.ip else "",
            )
        )
    _table(
        sheet,
        fmt,
        ["单位", "党支部", "学工号", "姓名", "状态", "签名", "签署时间", "签署地址"],
        rows,
        widths=(24, 26, 14, 10, 8, 10, 18, 16),
    )
    return xlsx.close()


def groups_xlsx(title: str, groups: Iterable[Any], *, teams: bool) -> bytes:
    """Zones or teams: one row per member of each, leader first."""
    xlsx, book, fmt = _book()
    sheet = book.add_worksheet(title)
    headers = ["名称", "类型", "所属组织", "职务" if teams else "", "学工号", "姓名", "党支部"]
    headers = [h for h in headers if h]
    rows = []
    for g in groups:
        people = list(g.members.all())
        if teams and g.leader is not None:
            people.sort(key=lambda m: m.pk != g.leader_id)
        for m in people or [None]:
            row: list[Any] = [g.name, g.get_kind_display(), g.org.name]
            if teams:
                row.append("队长" if m is not None and m.pk == g.leader_id else "队员" if m else "")
            row += [m.number, m.name, m.branch.name] if m else ["", "", ""]
            rows.append(row)
    _table(sheet, fmt, headers, rows, widths=(22, 12, 24, 8, 14, 10, 26))
    return xlsx.close()
