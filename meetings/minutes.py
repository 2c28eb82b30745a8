"""A meeting's minutes as a .docx 会议记录, laid out as a page of a branch's record book: the
heading, a ruled table of the meeting's facts (time, place, host, recorder, who came, who was
on leave and why, who was absent, 列席), then 议题, the record, the decisions, and the lines
where the host and the recorder sign."""

import io
from typing import Any

from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from meetings.models import Attendance, AttendanceStatus, Meeting, MeetingMode

BODY_FONT, BODY_FONT_LATIN = "宋体", "SimSun"
HEADING_FONT, HEADING_FONT_LATIN = "黑体", "SimHei"


def _fonts(target: Any, latin: str, east_asian: str, size: float | None = None) -> None:
    target.font.name = latin
    if size:
        target.font.size = Pt(size)
    rpr = target.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asian)


def _when(meeting: Meeting) -> str:
    moment = meeting.held_at or meeting.planned_at
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _names(rows: list[Attendance], status: str, with_reason: bool = False) -> str:
    picked = [r for r in rows if r.status == status]
    if not picked:
        return "无"
    if with_reason:
        return "、".join(
            f"{r.member.name}（{r.reason}）" if r.reason else r.member.name for r in picked
        )
    return "、".join(r.member.name for r in picked)


def minutes_docx(meeting: Meeting, rows: list[Attendance]) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.5))
    _fonts(doc.styles["Normal"], BODY_FONT_LATIN, BODY_FONT, 12)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(f"{meeting.org.name}{meeting.get_kind_display()}会议记录")
    run.bold = True
    _fonts(run, HEADING_FONT_LATIN, HEADING_FONT, 18)

    present = sum(1 for r in rows if r.status == AttendanceStatus.PRESENT)
    place = f"线上（{meeting.platform}）" if meeting.mode == MeetingMode.ONLINE else meeting.place
    facts = [
        ("会议主题", meeting.topic),
        ("会议时间", _when(meeting)),
        ("会议地点", place),
        ("主持人", meeting.host.name if meeting.host else ""),
        ("记录人", meeting.recorder.name if meeting.recorder else ""),
    ]
    if meeting.lecturer:
        facts.append(("授课人", meeting.lecturer.name))
    facts += [
        ("应到人数", f"{len(rows)} 人　实到 {present} 人"),
        ("出席人员", _names(rows, AttendanceStatus.PRESENT)),
        ("请假人员", _names(rows, AttendanceStatus.LEAVE, with_reason=True)),
        ("缺席人员", _names(rows, AttendanceStatus.ABSENT, with_reason=True)),
        ("列席人员", "、".join(meeting.guest_list) or "无"),
    ]
    if meeting.needs_quorum:
        met = "达到" if meeting.quorum_met else "未达到"
        facts.append(
            (
                "表决人数",
                f"有表决权应到 {meeting.quorum_base} 人，"
                f"实到 {meeting.quorum_present} 人，{met}半数",
            )
        )
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in facts:
        cells = table.add_row().cells
        cells[0].width, cells[1].width = Cm(3), Cm(13)
        cells[0].paragraphs[0].add_run(label).bold = True
        cells[1].paragraphs[0].add_run(value)

    def block(heading: str, text: str) -> None:
        p = doc.add_paragraph()
        r = p.add_run(heading)
        r.bold = True
        _fonts(r, HEADING_FONT_LATIN, HEADING_FONT, 14)
        for line in (text or "无").splitlines():
            doc.add_paragraph(line)

    agenda = "\n".join(f"{i}. {a}" for i, a in enumerate(meeting.agenda_items, 1))
    block("议　题", agenda)
    block("会议内容", meeting.minutes)
    block("会议决定", meeting.decisions)
    doc.add_paragraph()
    signature = doc.add_paragraph("主持人（签字）：＿＿＿＿＿＿　　记录人（签字）：＿＿＿＿＿＿")
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
