"""Look inside an .xlsx before reading it, so no upload can take the process down.

A reader builds each sheet as a grid from A1 to the farthest cell, so two cells at A1 and
XFD1048576 in a 2 KB file ask for 17 billion cells; a member of the zip that inflates a
thousandfold does the same to memory. scan_workbook() inflates every member itself, counting
the bytes it really gets (not the sizes the zip declares), and walks each sheet's XML for the
rows and columns its cells reach and for the cells holding a formula, without building
anything. It raises XlsxError with the reason for the user when a limit is passed.
"""

import html
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

MAX_ROWS = 200_000
MAX_COLUMNS = 200
MAX_CELLS = 4_000_000  # rows × columns of the grid a sheet would become
MAX_INFLATED_BYTES = 300 * 1024 * 1024  # all members together, as they really inflate
MAX_MEMBERS = 2_000
CHUNK = 1024 * 1024


class XlsxError(ValueError):
    """The file cannot be read as a workbook; the message is for the user."""


@dataclass
class SheetScan:
    name: str
    rows: int = 0  # the last row holding a cell (1-based), 0 for an empty sheet
    columns: int = 0  # the last column holding a cell (1-based)
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row index, column index)


# Attributes up to the tag's end, quoted values read whole (a value may hold ">" or "/").
_ATTRIBUTES = rb"""(?:[^>"'/]|"[^"]*"|'[^']*')*"""
_ATTRIBUTES_GROUP = b"(" + _ATTRIBUTES + b")"
# A tag of a cell or a row, with or without a namespace prefix (<c …>, <x:c …>, <row …>).
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(c|row)\b" + _ATTRIBUTES_GROUP + rb"(/?)>")
# The r attribute (not xr, not x:r), as a reader takes it: letters in either case, digits.
_R = re.compile(rb"""(?<![\w:.-])r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(rb"([A-Za-z]+)([0-9]+)")
_HUGE = 10**10
_FORMULA = re.compile(rb"\s*<(?:[A-Za-z_][\w.-]*:)?f\b")
_SHEET = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\b([^>]*?)/?>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_RELATIONSHIP = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\b([^>]*?)/?>")
_LETTERS = {chr(c): c - 64 for c in range(65, 91)}


def column_number(letters: str) -> int:
    """ "A" → 1, "Z" → 26, "AA" → 27, "XFD" → 16384 (either case; absurd lengths are huge)."""
    if len(letters) > 6:
        return _HUGE
    n = 0
    for letter in letters.upper():
        n = n * 26 + _LETTERS[letter]
    return n


def _number(digits: bytes) -> int:
    return int(digits) if len(digits.lstrip(b"0")) <= 9 else _HUGE


def column_letters(number: int) -> str:
    """1 → "A", 27 → "AA"."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _Inflated:
    """Counts the bytes every member really inflates to, across the whole workbook."""

    def __init__(self) -> None:
        self.total = 0

    def chunks(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """The member's inflated bytes, a chunk at a time, from its compressed data itself:
        a zip that declares a small size for a member that inflates to gigabytes is caught
        here, before any reader believes the declaration."""
        fp: BinaryIO = archive.fp  # type: ignore[assignment]
        fp.seek(info.header_offset)
        local = fp.read(30)
        if len(local) < 30 or local[:4] != b"PK\x03\x04":
            raise XlsxError("无法读取该工作簿，文件可能已损坏。")
        name_length, extra_length = struct.unpack("<HH", local[26:30])
        fp.seek(info.header_offset + 30 + name_length + extra_length)
        remaining = info.compress_size
        if info.compress_type == zipfile.ZIP_STORED:
            inflate = None
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            inflate = zlib.decompressobj(-15)
        else:
            raise XlsxError("该工作簿使用了不支持的压缩方式，请用 Excel 或 WPS 另存为 .xlsx。")
        while remaining > 0:
            raw = fp.read(min(CHUNK, remaining))
            if not raw:
                break
            remaining -= len(raw)
            if inflate is None:
                yield self._count(raw)
                continue
            data = inflate.decompress(raw, CHUNK)
            while True:
                yield self._count(data)
                if not inflate.unconsumed_tail:
                    break
                data = inflate.decompress(inflate.unconsumed_tail, CHUNK)

    def _count(self, data: bytes) -> bytes:
        self.total += len(data)
        if self.total > MAX_INFLATED_BYTES:
            raise XlsxError(
                f"工作簿解压后超过 {MAX_INFLATED_BYTES // 1024 // 1024} MB，无法读取。"
                "请删除无关的工作表、图片后重新上传，或分成几个文件导入。"
            )
        return data


def _attributes(raw: bytes) -> dict[str, str]:
    return {
        key.decode().split(":")[-1]: html.unescape(value.decode("utf-8", "replace"))
        for key, value in _ATTR.findall(raw)
    }


def _sheet_paths(archive: zipfile.ZipFile, inflated: _Inflated) -> dict[str, str]:
    """Worksheet name → its XML member, from the workbook and its relationships."""

    def text(name: str) -> bytes:
        try:
            info = archive.getinfo(name)
        except KeyError:
            return b""
        return b"".join(inflated.chunks(archive, info))

    targets = {}
    for raw in _RELATIONSHIP.findall(text("xl/_rels/workbook.xml.rels")):
        attrs = _attributes(raw)
        if attrs.get("Type", "").endswith("/worksheet"):
            target = attrs.get("Target", "").lstrip("/")
            targets[attrs.get("Id", "")] = target if target.startswith("xl/") else f"xl/{target}"
    paths = {}
    for raw in _SHEET.findall(text("xl/workbook.xml")):
        attrs = _attributes(raw)
        path = targets.get(attrs.get("id", ""))
        if path is not None and "name" in attrs:
            paths[attrs["name"]] = path
    return paths


_PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"
# The common form, <c r="B7" …>, as Excel, WPS and the usual libraries write a cell: an open
# (not self-closing) cell tag with its reference; the same followed by an <f>.
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"' + _ATTRIBUTES + rb">")
_WIDE_CELL = re.compile(rb'<c r="([A-Z]{2,3})[0-9]{1,7}"' + _ATTRIBUTES + rb">")
_LETTER_CELLS = [
    (letter, re.compile(rb'<c r="' + bytes([letter]) + rb'[0-9]{1,7}"' + _ATTRIBUTES + rb">"))
    for letter in range(ord("Z"), ord("A") - 1, -1)
]
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"' + _ATTRIBUTES + rb">\s*<f\b")
_ODD_REF = re.compile(rb'<c r="(?![A-Z]{1,3}[0-9]{1,7}")')
_ROW_TAG = re.compile(rb"<row\b" + _ATTRIBUTES_GROUP + rb"/?>")


def _common_form(text: bytes) -> bool:
    """Every tag starting "<c" in `text` is <c r="B7" …> with an ordinary reference; else (a
    prefix, r not first or absent, an odd reference, or another tag such as <col>) the text is
    walked tag by tag, which is slower but places every cell as a reader does."""
    return (
        text.count(b"<c") == text.count(b'<c r="')
        and b":c" not in text
        and not _ODD_REF.search(text)
    )


def _scan_sheet(scan: SheetScan, chunks: Iterator[bytes]) -> None:
    """Where the sheet's cells reach, and which hold a formula. Tags split between two chunks
    are carried over. Cells in the common form are read with a few fast passes; any other
    text is walked tag by tag, placing each cell as a reader does."""
    carry = b""
    row = 0
    for chunk in chunks:
        data = carry + chunk
        # Carry the last tag (it may be unfinished) to the next chunk, and the tag before it
        # too when that is a cell's: a cell's tag is read together with its first child (an
        # <f> marks a formula).
        window = max(0, len(data) - 8192)
        cut = data.rfind(b"<", window)
        if cut == -1:
            cut = len(data)
        else:
            before = data.rfind(b"<", window, cut)
            if before != -1 and _TAG.match(data, before) and data[cut - 2 : cut] != b"/>":
                cut = before
        text, carry = data[:cut], data[cut:]
        row = _scan_text(scan, text, row)
    _scan_text(scan, carry, row)
    _check_size(scan)


def _widest(text: bytes) -> int:
    """The last column holding a cell: two- and three-letter columns are rare and read with a
    regular expression; one-letter columns are looked for from Z down."""
    wide = set(_WIDE_CELL.findall(text))
    if wide:
        return column_number(max(wide, key=lambda x: (len(x), x)).decode())
    for letter, pattern in _LETTER_CELLS:
        if pattern.search(text):
            return letter - 64
    return 0


def _scan_text(scan: SheetScan, text: bytes, row: int) -> int:
    if not _common_form(text):
        return _place(scan, text, row)
    numbers = _CELL_ROW.findall(text)
    if numbers:
        scan.rows = max(scan.rows, max(map(int, numbers)))
        scan.columns = max(scan.columns, _widest(text))
    if b"<f" in text:
        for letters, number in _FORMULA_CELL.findall(text):
            scan.formulas.add((int(number) - 1, column_number(letters.decode()) - 1))
    rows = _ROW_TAG.findall(text)
    if rows:
        row = _row_number(rows[-1], row)
    return row


def _r(attributes: bytes) -> bytes | None:
    found = _R.search(attributes)
    if found is None:
        return None
    return found.group(1) if found.group(1) is not None else found.group(2)


def _unreadable() -> XlsxError:
    return XlsxError("工作表中有无法识别的单元格位置，请用 Excel 或 WPS 另存为 .xlsx 后再上传。")


def _row_number(attributes: bytes, row: int) -> int:
    value = _r(attributes)
    if value is None:
        return row + 1
    if not value.strip().isdigit():
        raise _unreadable()
    return _number(value.strip())


def _place(scan: SheetScan, text: bytes, row: int) -> int:
    column = 0
    for match in _TAG.finditer(text):
        tag, attributes, closed = match.groups()
        if tag == b"row":
            row = _row_number(attributes, row)
            column = 0
            continue
        value = _r(attributes)
        if value is None:
            column += 1
        else:
            ref = _REF.fullmatch(value)
            if ref is None:  # what a reader would refuse or unescape: refused here
                raise _unreadable()
            column = column_number(ref.group(1).decode())
            row = _number(ref.group(2))
        if closed:  # <c …/>: a styled cell with nothing in it
            continue
        scan.rows = max(scan.rows, row)
        scan.columns = max(scan.columns, column)
        if _FORMULA.match(text, match.end()):
            scan.formulas.add((row - 1, column - 1))
    return row


def _check_size(scan: SheetScan) -> None:
    last = f"{column_letters(scan.columns)}{scan.rows}"
    if scan.rows > MAX_ROWS:
        raise XlsxError(
            f"「{scan.name}」工作表有内容的单元格一直到第 {scan.rows} 行（{last}），"
            f"超过了 {MAX_ROWS} 行的上限。"
            "请删除多余的行（包括看似空白但有内容的单元格）后重新上传。"
        )
    if scan.columns > MAX_COLUMNS:
        raise XlsxError(
            f"「{scan.name}」工作表有内容的单元格一直到第 {scan.columns} 列（{last}），"
            f"超过了 {MAX_COLUMNS} 列的上限。请删除多余的列后重新上传。"
        )
    if scan.rows * scan.columns > MAX_CELLS:
        raise XlsxError(
            f"「{scan.name}」工作表的范围（A1:{last}）超过 {MAX_CELLS} 个单元格，无法读取。"
            "请删除多余的行和列，或分成几个文件导入。"
        )


def scan_workbook(archive: zipfile.ZipFile) -> dict[str, SheetScan]:
    """Every worksheet's reach and formula cells by name. Raises XlsxError past a limit.

    Every member of the zip is scanned as if it were a sheet, not only those the workbook's
    relationships name: a reader that resolves a sheet another way (a repeated relationship
    id, a repeated member name) still finds nothing unchecked. Together the sheets may not
    pass the cell budget either, since a reader builds them all."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise XlsxError(f"工作簿包含的部件超过 {MAX_MEMBERS} 个，无法读取。")
    inflated = _Inflated()
    paths = _sheet_paths(archive, inflated)
    by_path = {path: name for name, path in paths.items()}
    scans: dict[str, SheetScan] = {}
    cells = 0
    for info in members:
        if info.is_dir():
            continue
        name = by_path.get(info.filename)
        scan = SheetScan(name=name or info.filename)
        _scan_sheet(scan, inflated.chunks(archive, info))
        cells += scan.rows * scan.columns
        if cells > MAX_CELLS:
            raise XlsxError(
                f"工作簿各工作表合计超过 {MAX_CELLS} 个单元格，无法读取。"
                "请删除无关的工作表，或分成几个文件导入。"
            )
        if name is None:
            continue
        if name in scans:  # the same member name twice: keep the farther reach of both
            scan.rows = max(scan.rows, scans[name].rows)
            scan.columns = max(scan.columns, scans[name].columns)
            scan.formulas |= scans[name].formulas
        scans[name] = scan
    return scans
