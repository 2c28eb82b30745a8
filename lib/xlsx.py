"""Reading and writing .xlsx files as they come from and go to real people, free of Django.

Reading: lib.xlsx_scan looks inside the file first (how far each sheet reaches, how much the
zip inflates to, which cells are formulas) and refuses what would take the process down; then
python-calamine reads the cells. The helpers here find the header row under a title or two
and map header text such as "学工号 *" or "类别*（教工/学生）" to the column it names.

Writing: XlsxBook is the one writer every export uses. User text is always written as text,
so a name such as `=HYPERLINK(…)` or `-1` stays what the user typed and is never a formula.
"""

import datetime as dt
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from lib.cn import normalize_text
from lib.xlsx_scan import XlsxError, scan_workbook

Cell = int | float | str | bool | dt.date | dt.datetime | dt.time | dt.timedelta
Row = list[Cell]

HEADER_SCAN_ROWS = 10


NOT_A_WORKBOOK = "文件不是有效的 .xlsx 工作簿，请用 Excel 或 WPS 另存为 .xlsx 后再上传。"


@dataclass
class Workbook:
    """A workbook's worksheets as rows (row i of a list is Excel row i + 1), and for each
    sheet the (row index, column index) of the cells that hold a formula."""

    sheets: dict[str, list[Row]]
    formulas: dict[str, set[tuple[int, int]]] = field(default_factory=dict)


def read_workbook(data: bytes) -> Workbook:
    """Every worksheet's rows by sheet name, in workbook order, and where its formulas are.
    Leading empty rows are kept so row numbers match what the user sees. Raises XlsxError,
    with the reason for the user, for a file that is not a workbook or is too big to read."""
    if not data.startswith(b"PK"):
        raise XlsxError(NOT_A_WORKBOOK)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            scans = scan_workbook(archive)
    except (zipfile.BadZipFile, zlib.error, struct.error, OSError, EOFError) as e:
        raise XlsxError(
            "无法读取该工作簿，文件可能已损坏。请用 Excel 或 WPS 另存为 .xlsx 后再上传。"
        ) from e
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets: dict[str, list[Row]] = {}
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            if meta.name not in scans:  # a sheet the scan did not see is not read unseen
                raise XlsxError(
                    f"无法确定「{meta.name}」工作表的大小，请用 Excel 或 WPS 另存后再上传。"
                )
            sheet = workbook.get_sheet_by_name(meta.name)
            sheets[meta.name] = sheet.to_python(skip_empty_area=False)
    except XlsxError:
        raise
    except (CalamineError, OSError, ValueError) as e:
        raise XlsxError(f"无法读取该工作簿（{type(e).__name__}），请确认文件是 .xlsx 格式。") from e
    except BaseException as e:  # the Rust side raises PanicException on some corrupt files
        if isinstance(e, KeyboardInterrupt | SystemExit):
            raise
        raise XlsxError("无法读取该工作簿，文件可能已损坏。") from e
    formulas = {name: scans[name].formulas for name in sheets}
    return Workbook(sheets=sheets, formulas=formulas)


def read_sheets(data: bytes) -> dict[str, list[Row]]:
    """Every worksheet's rows by sheet name (see read_workbook)."""
    return read_workbook(data).sheets


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


# --- writing --------------------------------------------------------------------------------

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class XlsxBook:
    """The one .xlsx writer: every export builds its workbook here.

    User text is always text: the workbook is opened with xlsxwriter's conversions off
    (`strings_to_formulas`, `strings_to_urls`, `strings_to_numbers`), and `cell()` writes each
    value with the method of its type, so `=1+1`, `+86 138…`, `-`, `@home` and a URL reach the
    file as the characters typed. Formulas are never written from data.

        book = XlsxBook()
        sheet = book.sheet("汇总")
        book.row(sheet, 0, ["单位", "人次"], book.format(bold=True))
        data = book.close()
    """

    def __init__(self, *, constant_memory: bool = False) -> None:
        self._buffer = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(
            self._buffer,
            {
                "in_memory": not constant_memory,
                "constant_memory": constant_memory,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self._formats: dict[tuple[tuple[str, Any], ...], Format] = {}

    def format(self, **properties: Any) -> Format:
        """A cell format (xlsxwriter's properties), made once per distinct set."""
        key = tuple(sorted(properties.items()))
        if key not in self._formats:
            self._formats[key] = self.workbook.add_format(properties)
        return self._formats[key]

    def sheet(self, name: str) -> Worksheet:
        return self.workbook.add_worksheet(name)

    def cell(self, sheet: Worksheet, row: int, col: int, value: Any, fmt: Any = None) -> None:
        """Write one value by its type; None leaves the cell empty. Dates and times need a
        format with a num_format (see date_format / datetime_format)."""
        if value is None:
            if fmt is not None:
                sheet.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value, fmt)
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value, fmt)
        elif isinstance(value, dt.datetime | dt.date | dt.time):
            sheet.write_datetime(row, col, value, fmt)
        else:
            sheet.write_string(row, col, str(value), fmt)

    def row(
        self, sheet: Worksheet, row: int, values: Sequence[Any], fmt: Any = None, *, col: int = 0
    ) -> None:
        for offset, value in enumerate(values):
            self.cell(sheet, row, col + offset, value, fmt)

    def merge(
        self, sheet: Worksheet, row: int, first: int, last: int, text: str, fmt: Any = None
    ) -> None:
        """A merged range holding `text` (as text)."""
        sheet.merge_range(row, first, row, last, "", fmt)
        sheet.write_string(row, first, text, fmt)

    def close(self) -> bytes:
        self.workbook.close()
        return self._buffer.getvalue()
