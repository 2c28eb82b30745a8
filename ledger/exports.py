"""A cadre's ledger as .xlsx (XlsxBook) and .docx (python-docx)."""

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from ledger.models import CadreRecord
from lib.xlsx import XlsxBook
from members.models import Member

HEADERS = ["起始日期", "截止日期", "类别", "问责方式", "纪实内容", "依据", "记录人", "记录时间"]


def _row(r: CadreRecord) -> list[object]:
    return [
        r.occurred_from,
        r.occurred_until,
        r.get_kind_display(),
        r.get_accountability_display() if r.accountability else "",
        r.text,
        "；".join(s.label for s in r.sources.all()),
        r.recorded_by.get_full_name() or r.recorded_by.username,
        r.recorded_at.strftime("%Y-%m-%d %H:%M"),
    ]


def ledger_xlsx(member: Member, records: Sequence[CadreRecord]) -> bytes:
    book = XlsxBook()
    sheet = book.sheet("干部纪实台账")
    header = book.format(bold=True, bg_color="#F2DCDB", border=1)
    date = book.format(num_format="yyyy-mm-dd")
    book.cell(sheet, 0, 0, f"{member.name}（{member.number}）{member.get_cadre_rank_display()}")
    book.row(sheet, 1, HEADERS, header)
    for col, width in enumerate([12, 12, 10, 10, 50, 50, 10, 16]):
        sheet.set_column(col, col, width)
    for line, record in enumerate(records, start=2):
        for col, value in enumerate(_row(record)):
            book.cell(sheet, line, col, value, date if hasattr(value, "isoformat") else None)  # type: ignore[arg-type]
    return book.close()


def ledger_docx(member: Member, records: Sequence[CadreRecord]) -> bytes:
    doc = Document()
    title = doc.add_heading(f"干部纪实台账：{member.name}", level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(
        f"学工号 {member.number} · {member.get_cadre_rank_display()} · {member.branch.name}"
    )
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ["日期", "类别", "纪实内容", "依据", "记录人"], strict=True
    ):
        cell.text = text
    for r in records:
        cells = table.add_row().cells
        days = f"{r.occurred_from:%Y-%m-%d}"
        if r.occurred_until != r.occurred_from:
            days += f" 至 {r.occurred_until:%Y-%m-%d}"
        kind = r.get_kind_display() + (
            f"（{r.get_accountability_display()}）" if r.accountability else ""
        )
        values = [
            days,
            kind,
            r.text,
            "\n".join(s.label for s in r.sources.all()),
            r.recorded_by.get_full_name() or r.recorded_by.username,
        ]
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(10)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
