"""The paper forms as .xlsx: 「党员先锋岗」报名表 (附件1), 汇总表 (附件2), and a roster.

Laid out as the forms are: a merged title row, the unit and date, bordered columns, A4
landscape, the header row repeated on every printed page.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from access.scope import Masker
from lib.xlsx import XlsxBook
from members.models import Member
from rosters.models import Assignment, Phase, SignUp

SIGNUP_HEADERS = (
    ("序号", 6),
    ("姓名", 10),
    ("性别", 6),
    ("政治面貌", 11),
    ("单位/支部", 26),
    ("职务(干部职级)", 14),
    ("联系电话", 14),
    ("意向岗位", 28),
    ("可服务时间", 30),
    ("健康状况", 16),
    ("备注", 16),
)
ROLLUP_EXTRA = (("是否推荐校级岗位", 10),)
ROSTER_HEADERS = (
    ("日期", 12),
    ("班次", 10),
    ("校区", 10),
    ("岗位", 22),
    ("地点", 14),
    ("值班人员", 40),
    ("联系电话", 40),
)


def _book() -> tuple[XlsxBook, Any, dict[str, Any]]:
    """The one writer (user text is always text), its workbook and the formats used here."""
    xlsx = XlsxBook()
    book = xlsx.workbook
    formats = {
        "title": book.add_format(
            {
                "bold": True,
                "font_size": 16,
                "align": "center",
                "valign": "vcenter",
                "font_name": "宋体",
            }
        ),
        "sub": book.add_format({"font_size": 11, "font_name": "宋体"}),
        "head": book.add_format(
            {
                "bold": True,
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                "bg_color": "#F2F2F2",
                "font_name": "宋体",
            }
        ),
        "cell": book.add_format(
            {"border": 1, "valign": "vcenter", "text_wrap": True, "font_name": "宋体"}
        ),
    }
    return xlsx, book, formats


def _sheet(
    book: Any,
    formats: dict[str, Any],
    name: str,
    title: str,
    sub: str,
    headers: Sequence[tuple[str, int]],
) -> Any:
    sheet = book.add_worksheet(name)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(2)
    sheet.set_footer("&C第 &P 页，共 &N 页")
    last = len(headers) - 1
    sheet.set_row(0, 30)
    sheet.merge_range(0, 0, 0, last, title, formats["title"])
    sheet.merge_range(1, 0, 1, last, sub, formats["sub"])
    for col, (header, width) in enumerate(headers):
        sheet.write(2, col, header, formats["head"])
        sheet.set_column(col, col, width)
    return sheet


def _availability(signup: SignUp) -> str:
    parts = []
    if signup.unavailable_dates:
        parts.append("不能：" + "、".join(_md(d) for d in signup.unavailable_dates))
    if signup.unavailable_slots:
        parts.append("不能班次：" + "、".join(f"{_md(d)} {s}" for d, s in signup.unavailable_slots))
    if signup.avoid_night:
        parts.append("尽量不排夜班")
    return "；".join(parts) or "阶段内均可"


def _md(date: str) -> str:
    d = dt.date.fromisoformat(date)
    return f"{d.month}月{d.day}日"


def signups_xlsx(
    *,
    phase: Phase,
    signups: Iterable[SignUp],
    unit_name: str,
    post_names: dict[int, str],
    unit_names: dict[str, str],
    masker: Masker,
    rollup: bool,
) -> bytes:
    """附件1 (报名表) or, with `rollup`, 附件2 (汇总表, with the recommendation column)."""
    xlsx, book, f = _book()
    headers = SIGNUP_HEADERS + (ROLLUP_EXTRA if rollup else ())
    form = "汇总表" if rollup else "报名表"
    sheet = _sheet(
        book,
        f,
        form,
        f"「党员先锋岗」{form}",
        f"单位（盖章）：{unit_name}　　阶段：{phase.name}（{phase.starts_on:%Y年%m月%d日}—"
        f"{phase.ends_on:%Y年%m月%d日}）　　填表日期：{dt.date.today():%Y年%m月%d日}",
        headers,
    )
    for i, s in enumerate(signups, start=1):
        m: Member = s.member
        health = "良好" if s.health_ok else "未声明"
        if s.health_note:
            health += f"（{s.health_note}）"
        unit = unit_names.get(m.branch.unit_path(), "")
        row = [
            i,
            m.name,
            m.get_gender_display(),
            m.get_political_status_display(),
            f"{unit}/{m.branch.name}" if unit else m.branch.name,
            m.get_cadre_rank_display() if m.cadre_rank else "",
            masker.phone(Member(pk=m.pk, phone=s.phone), m.branch.path),
            "、".join(post_names.get(p, "") for p in s.wanted_posts if p in post_names),
            _availability(s),
            health,
            s.note,
        ]
        if rollup:
            row.append("是" if s.recommended else "")
        sheet.write_row(2 + i, 0, row, f["cell"])
    return xlsx.close()


def roster_xlsx(*, title: str, groups: list[dict[str, Any]]) -> bytes:
    """One row per shift: date, slot, campus, post, place, people and their phones."""
    xlsx, book, f = _book()
    sheet = _sheet(
        book, f, "值班表", title, f"导出日期：{dt.date.today():%Y年%m月%d日}", ROSTER_HEADERS
    )
    r = 3
    for shift in groups:
        sheet.write_row(
            r,
            0,
            [
                f"{shift['date']:%m月%d日}",
                shift["slot"],
                shift["campus"],
                shift["post"].name,
                shift["place"],
                "、".join(shift["names"]),
                "、".join(shift["phones"]),
            ],
            f["cell"],
        )
        r += 1
    return xlsx.close()


__all__ = ["Assignment", "roster_xlsx", "signups_xlsx"]
