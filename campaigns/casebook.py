"""案例集: a Word document (.docx) compiling a campaign's selected submissions.

Title page (campaign, 案例集, the school, the date), then the contents — a real Word TOC field,
refreshed when the document is opened (settings.xml asks Word to update fields), followed by a
plain numbered list of the cases so it reads right even where fields are never updated (WPS,
phones, python-docx) — then one section per case on a new page: title, unit, authors, summary
and its pictures scaled to the page width. Files that are not pictures (or pictures Word cannot
read) are listed by name. Chinese fonts are set through w:eastAsia: 宋体 for the body, 黑体 for
the headings and the title page.
"""

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.image.exceptions import UnrecognizedImageError
from docx.image.image import Image
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Pt
from docx.text.paragraph import Paragraph

BODY_FONT = "宋体"
BODY_FONT_LATIN = "SimSun"
HEADING_FONT = "黑体"
HEADING_FONT_LATIN = "SimHei"
TOC_PLACEHOLDER = "（目录将在打开文档时自动更新；若未更新，请右键点击此处选择“更新域”。）"
# libavcodec and some phones write JPEGs without a JFIF/Exif marker; Word wants one.
JFIF_APP0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"


@dataclass
class CaseFile:
    name: str
    kind_label: str  # 图片 / 视频 / …
    is_picture: bool
    read: Any = None  # () -> bytes, called only for pictures


@dataclass
class Case:
    title: str
    unit: str
    authors: list[str]
    summary: str
    deliverable: str = ""
    files: list[CaseFile] = field(default_factory=list)


CN_DIGITS = "〇一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 105 → 一百零五 (case numbers in headings)."""
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + cn_number(rest) if rest < 10 else cn_number(rest))
    if 10 <= rest < 20:
        tail = "一" + tail
    return CN_DIGITS[n // 100] + "百" + tail if n < 1000 else str(n)


def _set_fonts(style_or_run: Any, latin: str, east_asian: str) -> None:
    font = style_or_run.font
    font.name = latin
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


def _heading_run(paragraph: Paragraph, text: str, size: float, bold: bool = True) -> None:
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    _set_fonts(run, HEADING_FONT_LATIN, HEADING_FONT)


def _setup_styles(document: Any) -> None:
    styles = document.styles
    normal = styles["Normal"]
    _set_fonts(normal, BODY_FONT_LATIN, BODY_FONT)
    normal.font.size = Pt(12)
    normal.paragraph_format.line_spacing = 1.5
    for name, size in (("Title", 26), ("Heading 1", 16), ("Heading 2", 14)):
        style = styles[name]
        _set_fonts(style, HEADING_FONT_LATIN, HEADING_FONT)
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = None


def _update_fields_on_open(document: Any) -> None:
    settings = document.settings.element
    update = settings.find(qn("w:updateFields"))
    if update is None:
        update = OxmlElement("w:updateFields")
        settings.append(update)
    update.set(qn("w:val"), "true")


def _toc_field(paragraph: Paragraph) -> None:
    """A TOC field over heading levels 1–2, with hyperlinks; Word fills it in on update."""

    def fld_char(kind: str) -> Any:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    run = paragraph.add_run()
    run._r.append(fld_char("begin"))
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = 'TOC \\o "1-2" \\h \\z \\u'
    run._r.append(instr)
    run = paragraph.add_run()
    run._r.append(fld_char("separate"))
    paragraph.add_run(TOC_PLACEHOLDER).italic = True
    run = paragraph.add_run()
    run._r.append(fld_char("end"))


def _page_number_footer(section: Any) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        run = paragraph.add_run()
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
            run._r.append(element)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)


def _picture_blob(data: bytes) -> tuple[bytes, Image] | None:
    """The picture as Word can embed it, with its header read; None if it cannot."""
    try:
        return data, Image.from_blob(data)
    except UnrecognizedImageError:
        pass
    except Exception:  # a damaged header: python-docx raises assorted errors
        return None
    if data[:2] == b"\xff\xd8":  # a JPEG without JFIF/Exif marker
        fixed = data[:2] + JFIF_APP0 + data[2:]
        try:
            return fixed, Image.from_blob(fixed)
        except Exception:
            return None
    return None


def casebook_docx(
    *, campaign_name: str, school_name: str, cases: Iterable[Case], on: dt.date | None = None
) -> bytes:
    """The 案例集 as .docx bytes."""
    on = on or dt.date.today()
    cases = list(cases)
    document = Document()
    _setup_styles(document)
    _update_fields_on_open(document)
    section = document.sections[0]
    usable_width = Emu(
        int(section.page_width or 0)
        - int(section.left_margin or 0)
        - int(section.right_margin or 0)
    )
    _page_number_footer(section)

    # Title page
    for _ in range(6):
        document.add_paragraph()
    for text, size in ((campaign_name, 26), ("案例集", 36)):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _heading_run(paragraph, text, size)
    for _ in range(10):
        document.add_paragraph()
    for text in (school_name, f"{on.year}年{on.month}月{on.day}日"):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _heading_run(paragraph, text, 16, bold=False)

    # Contents: a field Word updates on open, then a plain list that needs no update.
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    contents = document.add_paragraph()
    contents.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _heading_run(contents, "目　录", 18)
    _toc_field(document.add_paragraph())
    plain = document.add_paragraph()
    _heading_run(plain, "案例列表", 12)
    for n, case in enumerate(cases, start=1):
        entry = document.add_paragraph(f"{cn_number(n)}、{case.title}（{case.unit}）")
        entry.paragraph_format.left_indent = Pt(12)
    if not cases:
        document.add_paragraph("（本活动暂无择优案例。）")

    # One section per case, each on a new page.
    for n, case in enumerate(cases, start=1):
        new = document.add_section(WD_SECTION.NEW_PAGE)
        new.footer.is_linked_to_previous = True
        document.add_heading(f"{cn_number(n)}、{case.title}", level=1)
        meta = document.add_paragraph()
        for label, value in (
            ("报送单位", case.unit),
            ("作者", "、".join(case.authors) or "—"),
            ("任务项", case.deliverable),
        ):
            if not value:
                continue
            run = meta.add_run(f"{label}：")
            run.bold = True
            meta.add_run(value)
            meta.add_run().add_break()
        for line in (case.summary or "").splitlines():
            if line.strip():
                paragraph = document.add_paragraph(line.strip())
                paragraph.paragraph_format.first_line_indent = Pt(24)
        others: list[CaseFile] = []
        for file in case.files:
            picture = _picture_blob(file.read()) if file.is_picture and file.read else None
            if picture is None:
                others.append(file)
                continue
            blob, image = picture
            native = Emu(image.width)  # at the picture's own DPI
            width = min(native, usable_width)
            paragraph = document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.add_run().add_picture(io.BytesIO(blob), width=width)
            caption = document.add_paragraph(file.name)
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
            caption.runs[0].font.size = Pt(9)
        if others:
            heading = document.add_paragraph()
            _heading_run(heading, "其他附件", 12)
            for file in others:
                document.add_paragraph(f"{file.name}（{file.kind_label}）", style="List Bullet")

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- from the database ------------------------------------------------------------------


def _reader(record: Any) -> Any:
    def read() -> bytes:
        with record.file.open("rb") as handle:
            data: bytes = handle.read()
        return data

    return read


def cases_from(submissions: Iterable[Any], unit_names: dict[str, str]) -> list[Case]:
    """Cases for the document, from submissions with files and authors prefetched."""
    from campaigns.models import MaterialType

    cases = []
    for s in submissions:
        unit = unit_names.get(s.org.unit_path(), s.org.name)
        if s.org.depth > 2:
            unit = f"{unit} {s.org.name}"
        files = [
            CaseFile(
                name=f.original_name,
                kind_label=f.get_material_type_display(),
                is_picture=f.material_type == MaterialType.PICTURE,
                read=_reader(f) if f.material_type == MaterialType.PICTURE else None,
            )
            for f in s.files.all()
            if not f.is_subtitle
        ]
        cases.append(
            Case(
                title=s.title,
                unit=unit,
                authors=[a.name for a in s.authors.all()],
                summary=s.summary,
                deliverable=s.deliverable.name,
                files=files,
            )
        )
    return cases
