"""Meeting exports (.xlsx): the filtered meeting list with its attendance counts."""

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from lib.xlsx import XlsxBook
from meetings.models import Meeting, MeetingMode

HEADERS = [
    "召开组织",
    "会议类型",
    "会议主题",
    "召开时间",
    "方式",
    "地点或平台",
    "主持人",
    "记录人",
    "应到",
    "出席",
    "请假",
    "缺席",
    "法定人数",
    "状态",
]


def meetings_xlsx(meetings: Iterable[Meeting]) -> bytes:
    """One row per meeting, through the one writer (user text is always text)."""
    book = XlsxBook()
    header = book.format(bold=True, bg_color="#F2DCDB", border=1)
    when = book.format(num_format="yyyy-mm-dd hh:mm")
    sheet = book.sheet("会议记录")
    widths = [24, 12, 30, 17, 6, 16, 8, 8, 6, 6, 6, 6, 10, 12]
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    book.row(sheet, 0, HEADERS, header)
    for line, m in enumerate(meetings, start=1):
        a: Any = m
        quorum = "" if not m.needs_quorum else ("达到" if m.quorum_met else "未达到")
        book.row(
            sheet,
            line,
            [
                m.org.name,
                m.get_kind_display(),
                m.topic,
                None,  # the time, with its format, below
                m.get_mode_display(),
                m.platform if m.mode == MeetingMode.ONLINE else m.place,
                m.host.name if m.host else "",
                m.recorder.name if m.recorder else "",
                a.n_expected,
                a.n_present,
                a.n_leave,
                a.n_absent,
                quorum,
                m.get_state_display(),
            ],
        )
        if m.when is not None:
            book.cell(sheet, line, 3, timezone.localtime(m.when).replace(tzinfo=None), when)
    sheet.freeze_panes(1, 0)
    return book.close()
