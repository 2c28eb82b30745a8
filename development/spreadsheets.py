"""Development files as .xlsx: user text always written as text (lib.xlsx)."""

from collections.abc import Iterable

from development.models import Candidate
from lib.xlsx import XlsxBook

HEADERS = [
    "学工号",
    "姓名",
    "党支部",
    "当前阶段",
    "递交申请书",
    "确定为积极分子",
    "确定为发展对象",
    "接收为预备党员",
    "转为正式党员",
    "培养联系人",
    "入党介绍人",
    "党校培训",
    "结业成绩",
    "政治审查",
]


def _name(member: object) -> str:
    return getattr(member, "name", "") if member is not None else ""


def candidates_xlsx(candidates: Iterable[Candidate]) -> bytes:
    book = XlsxBook()
    sheet = book.sheet("发展党员")
    for col, width in enumerate([12, 10, 24, 12] + [14] * 5 + [18, 18, 18, 10, 10]):
        sheet.set_column(col, col, width)
    book.row(sheet, 0, HEADERS, book.format(bold=True, bg_color="#F2DCDB", border=1))
    date = book.format(num_format="yyyy-mm-dd")
    for line, c in enumerate(candidates, start=1):
        m = c.member
        values = [
            m.number,
            m.name,
            m.branch.name,
            c.get_stage_display(),
            c.applied_on,
            c.activist_on,
            c.target_on,
            c.probationary_on,
            c.full_on,
            "、".join(n for n in (_name(c.contact_1), _name(c.contact_2)) if n),
            "、".join(n for n in (_name(c.introducer_1), _name(c.introducer_2)) if n),
            c.training_school,
            c.get_training_grade_display() if c.training_grade else "",
            c.get_review_result_display() if c.review_result else "",
        ]
        for col, value in enumerate(values):
            book.cell(sheet, line, col, value, date if hasattr(value, "isoformat") else None)
    sheet.freeze_panes(1, 0)
    return book.close()
