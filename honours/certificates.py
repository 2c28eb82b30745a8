"""荣誉证书 as .docx (python-docx): one page per honour of a round, or one honour."""

import io
from collections.abc import Iterable

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from honours.models import Nomination

RED = RGBColor(0xC0, 0x00, 0x00)


def _run(paragraph: object, text: str, size: int, *, bold: bool = False, red: bool = False) -> None:
    run = paragraph.add_run(text)  # type: ignore[attr-defined]
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "SimSun"
    run.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    if red:
        run.font.color.rgb = RED


def certificates_docx(honours: Iterable[Nomination], *, issuer: str) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Cm(3))
    first = True
    for item in honours:
        if not first:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        first = False
        title = doc.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(title, "荣 誉 证 书", 36, bold=True, red=True)
        doc.add_paragraph()
        body = doc.add_paragraph()
        body.paragraph_format.first_line_indent = Pt(40)
        who = (
            f"{item.member.name}同志" if item.member is not None else item.branch.name  # type: ignore[union-attr]
        )
        _run(body, f"{who}：", 20)
        text = doc.add_paragraph()
        text.paragraph_format.first_line_indent = Pt(40)
        _run(
            text,
            f"在{item.round.year}年度工作中表现突出，被评为“{item.round.title}”，特发此证，以资鼓励。",
            20,
        )
        doc.add_paragraph()
        sign = doc.add_paragraph()
        sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(sign, issuer, 18)
        day = doc.add_paragraph()
        day.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        finalised = item.round.finalised_at
        _run(day, f"{finalised:%Y年%m月%d日}" if finalised else "", 16)
        number = doc.add_paragraph()
        _run(number, f"证书编号：{item.certificate_no}", 10)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
