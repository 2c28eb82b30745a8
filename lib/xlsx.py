"""Reading .xlsx files as they come from real people, free of Django.

python-calamine reads the cells; the helpers here find the header row under a title or two
and map header text such as "学工号 *" or "类别*（教工/学生）" to the column it names.
"""

import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

from lib.cn import normalize_text

Cell = int | float | str | bool | dt.date | dt.datetime | dt.time | dt.timedelta
Row = list[Cell]

HEADER_SCAN_ROWS = 10


class XlsxError(ValueError):
    """The file cannot be read as a workbook; the message is for the user."""


def read_sheets(data: bytes) -> dict[str, list[Row]]:
    """Every worksheet's rows by sheet name, in workbook order. Row i of a list is Excel
    row i + 1: leading empty rows are kept so row numbers match what the user sees."""
    if not data.startswith(b"PK"):
        raise XlsxError("文件不是有效的 .xlsx 工作簿，请用 Excel 或 WPS 另存为 .xlsx 后再上传。")
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets: dict[str, list[Row]] = {}
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            sheet = workbook.get_sheet_by_name(meta.name)
            sheets[meta.name] = sheet.to_python(skip_empty_area=False)
    except (CalamineError, OSError, ValueError) as e:
        raise XlsxError(f"无法读取该工作簿（{type(e).__name__}），请确认文件是 .xlsx 格式。") from e
    except BaseException as e:  # the Rust side raises PanicException on some corrupt files
        if isinstance(e, KeyboardInterrupt | SystemExit):
            raise
        raise XlsxError("无法读取该工作簿，文件可能已损坏。") from e
    return sheets


_NOTE_RE = re.compile(r"[(（\[【].*?[)）\]】]")


def header_key(value: object) -> str:
    """Header text reduced to its name: NFKC, no spaces, no "*", no bracketed notes."""
    text = normalize_text(value)
    text = _NOTE_RE.sub("", text)
    return text.replace("*", "").replace(" ", "").replace(":", "")


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def row_is_blank(row: Iterable[object]) -> bool:
    return all(is_blank(cell) for cell in row)


@dataclass(frozen=True)
class Header:
    row_index: int  # 0-based index into the sheet's rows; Excel row = row_index + 1
    columns: dict[str, int]  # canonical header name -> 0-based column index


def find_header(
    rows: list[Row],
    known: Iterable[str],
    *,
    aliases: Mapping[str, str] | None = None,
    min_matches: int = 2,
    scan: int = HEADER_SCAN_ROWS,
) -> Header | None:
    """The row among the first `scan` that names the most `known` headers (at least
    `min_matches`), with where each known header is. `aliases` maps other spellings
    (after header_key) to a known name. The first column wins when a name repeats."""
    names = {header_key(name): name for name in known}
    for alias, name in (aliases or {}).items():
        names.setdefault(header_key(alias), name)
    best: Header | None = None
    for index, row in enumerate(rows[:scan]):
        columns: dict[str, int] = {}
        for col, cell in enumerate(row):
            if not isinstance(cell, str):
                continue
            found = names.get(header_key(cell))
            if found is not None and found not in columns:
                columns[found] = col
        if len(columns) >= min_matches and (best is None or len(columns) > len(best.columns)):
            best = Header(row_index=index, columns=columns)
    return best
