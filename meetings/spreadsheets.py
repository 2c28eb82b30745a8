"""Meeting exports (.xlsx): the filtered meeting list with its attendance counts."""

import io
from collections.abc import Iterable
from typing import Any

import xlsxwriter
from django.utils import timezone

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
    """One row per meeting; user text is always written as text (never a formula)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    header = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet = book.add_worksheet("会议记录")
    for col, (title, width) in enumerate(
        zip(HEADERS, [24, 12, 30, 17, 6, 16, 8, 8, 6, 6, 6, 6, 10, 12], strict=True)
    ):
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, title, header)
    for line, m in enumerate(meetings, start=1):
        a: Any = m
        texts = [
            m.org.name,
            m.get_kind_display(),
            m.topic,
        ]
        for col, text in enumerate(texts):
            sheet.write_string(line, col, text)
        if m.when is not None:
            sheet.write_datetime(line, 3, timezone.localtime(m.when).replace(tzinfo=None), when)
        sheet.write_string(line, 4, m.get_mode_display())
        sheet.write_string(line, 5, m.platform if m.mode == MeetingMode.ONLINE else m.place)
        sheet.write_string(line, 6, m.host.name if m.host else "")
        sheet.write_string(line, 7, m.recorder.name if m.recorder else "")
        for col, n in enumerate([a.n_expected, a.n_present, a.n_leave, a.n_absent], start=8):
            sheet.write_number(line, col, n)
        quorum = "" if not m.needs_quorum else ("达到" if m.quorum_met else "未达到")
        sheet.write_string(line, 12, quorum)
        sheet.write_string(line, 13, m.get_state_display())
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
