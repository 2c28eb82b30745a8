"""Reading .xlsx safely: crafted files that would take the process down are refused first;
formula cells are found; the one writer writes user text as text."""

import datetime as dt
import io
import resource
import struct
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from lib import xlsx_scan
from lib.xlsx import XlsxBook, XlsxError, read_sheets, read_workbook

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="党员" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def crafted(
    sheet_data: str, *, dimension: str = "A1", extra: dict[str, bytes] | None = None
) -> bytes:
    """A minimal .xlsx whose one sheet holds `sheet_data` (the XML inside <sheetData>)."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buffer.getvalue()


def cell(ref: str, value: str = "1") -> str:
    return f'<c r="{ref}"><v>{value}</v></c>'


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def refused_quickly(data: bytes) -> str:
    before, started = peak_rss_mb(), time.monotonic()
    with pytest.raises(XlsxError) as caught:
        read_sheets(data)
    assert time.monotonic() - started < 5
    assert peak_rss_mb() - before < 200
    return str(caught.value)


def test_a_tiny_file_reaching_the_last_cell_of_a_sheet_is_refused_before_reading() -> None:
    # Read as a grid this is 1,048,576 × 16,384 cells: 512 GB, and the process is killed.
    data = crafted(
        f'<row r="1">{cell("A1")}</row><row r="1048576">{cell("XFD1048576")}</row>',
        dimension="A1:XFD1048576",
    )
    assert len(data) < 2000
    message = refused_quickly(data)
    assert "「党员」工作表" in message
    assert "1048576" in message


def test_a_sheet_reaching_row_100000_of_column_cv_is_refused_as_too_many_cells() -> None:
    # 100 columns × 100,000 rows: ten million cells from two.
    data = crafted(f'<row r="1">{cell("A1")}</row><row r="100000">{cell("CV100000")}</row>')
    message = refused_quickly(data)
    assert "A1:CV100000" in message
    assert "单元格" in message


def test_a_sheet_that_lies_in_its_dimension_is_judged_by_its_cells() -> None:
    data = crafted(
        f'<row r="1">{cell("A1")}</row><row r="900000">{cell("B900000")}</row>',
        dimension="A1:B2",
    )
    assert "900000" in refused_quickly(data)


def test_cells_without_references_are_placed_as_a_reader_places_them() -> None:
    # No r="…": the cells of a row follow one another, and the rows too.
    many = "<c><v>1</v></c>" * (xlsx_scan.MAX_COLUMNS + 1)
    assert "列的上限" in refused_quickly(crafted(f"<row>{many}</row>"))
    prefixed = crafted('<x:row r="300000"><x:c r="A300000"><x:v>1</x:v></x:c></x:row>')
    assert "300000" in refused_quickly(prefixed)


@pytest.mark.parametrize(
    "far",
    [
        '<c r="t300000"><v>1</v></c>',  # lower case, as a reader accepts it
        '<c r="T0000300000"><v>1</v></c>',  # leading zeros
        "<c r='T300000'><v>1</v></c>",  # single quotes
        '<c s="1" r="T300000"><v>1</v></c>',  # r not first
        '<c a=">" r="T300000"><v>1</v></c>',  # a quoted ">" before r
        '<c r="T300000" a="/"><v>1</v></c>',  # a quoted "/" after r
        '<c\n r="T300000"><v>1</v></c>',  # a line break in the tag
        '<c xr="A1" r="T300000"><v>1</v></c>',  # another attribute ending in r
    ],
)
def test_cells_written_unusually_are_placed_as_a_reader_places_them(far: str) -> None:
    data = crafted(f'<row r="1">{cell("A1")}</row><row r="300000">{far}</row>')
    assert "300000" in refused_quickly(data)


@pytest.mark.parametrize(
    "cell_xml",
    [
        '<c r="AAAA1"><v>1</v></c>',  # four letters: column 18,279
        '<c r="T' + "9" * 5000 + '"><v>1</v></c>',  # more digits than int() takes
        '<c r="&#84;300000"><v>1</v></c>',  # an entity a reader might unescape
        '<c r=" T300000"><v>1</v></c>',
    ],
)
def test_absurd_or_encoded_references_are_refused(cell_xml: str) -> None:
    refused_quickly(crafted(f'<row r="1">{cell_xml}</row>'))


def test_a_far_cell_in_a_member_the_workbook_does_not_name_is_refused_too() -> None:
    far = f'<sheetData><row r="300000">{cell("A300000")}</row></sheetData>'
    data = crafted(cell("A1"), extra={"xl/worksheets/sheet2.xml": far.encode()})
    assert "xl/worksheets/sheet2.xml" in refused_quickly(data)


def test_sheets_together_may_not_pass_the_cell_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_scan, "MAX_CELLS", 150)
    rows = f'<row r="100">{cell("A100")}</row>'
    data = crafted(rows, extra={"xl/worksheets/sheet2.xml": rows.encode()})
    assert "合计超过 150 个单元格" in refused_quickly(data)


def test_a_member_that_inflates_past_the_limit_is_refused_whatever_the_zip_declares(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(xlsx_scan, "MAX_INFLATED_BYTES", 1024 * 1024)
    bomb = b"<sst>" + b" " * (4 * 1024 * 1024) + b"</sst>"
    data = bytearray(crafted(cell("A1"), extra={"xl/sharedStrings.xml": bomb}))
    # Declare the bomb 100 bytes long, in the local header and the central directory.
    name = b"xl/sharedStrings.xml"
    for header, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(header, start)) != -1:
            name_at = start + (30 if header == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[start + size_at : start + size_at + 4] = struct.pack("<I", 100)
            start += 4
    assert zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(name.decode()).file_size == 100
    message = refused_quickly(bytes(data))
    assert "解压后超过 1 MB" in message


def test_a_file_that_is_not_a_zip_or_is_cut_short_is_refused() -> None:
    assert "不是有效的 .xlsx" in refused_quickly(b"hello")
    good = crafted(cell("A1"))
    refused_quickly(good[: len(good) // 2])


def test_an_ordinary_workbook_is_read_with_its_formula_cells_marked() -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("党员")
    sheet.write_row(0, 0, ["学工号", "姓名"])
    sheet.write_string(1, 0, "2020001")
    sheet.write_formula(1, 1, '="张"&"三"', None, "张三")
    sheet.write_string(2, 0, "2020002")
    sheet.write_string(2, 1, "李四")
    sheet.write_formula(3, 4, "=1+1", None, 2)
    book.close()
    workbook = read_workbook(buffer.getvalue())
    assert workbook.sheets["党员"][1][:2] == ["2020001", "张三"]
    assert workbook.formulas["党员"] == {(1, 1), (3, 4)}


def test_formulas_are_found_in_sheets_written_by_openpyxl_and_in_shared_formulas() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "党员"
    sheet["A1"], sheet["C2"] = "学工号", "=A1"
    buffer = io.BytesIO()
    book.save(buffer)
    assert read_workbook(buffer.getvalue()).formulas["党员"] == {(1, 2)}
    shared = crafted(
        '<row r="1"><c r="A1"><f t="shared" ref="A1:A2" si="0">1+1</f><v>2</v></c></row>'
        '<row r="2"><c r="A2"><f t="shared" si="0"/><v>2</v></c></row>'
    )
    assert read_workbook(shared).formulas["党员"] == {(0, 0), (1, 0)}


def test_a_sheet_at_the_limits_is_still_read() -> None:
    rows = "".join(f'<row r="{r}">{cell(f"A{r}")}{cell(f"T{r}")}</row>' for r in (1, 2000))
    sheets = read_sheets(crafted(rows))
    assert len(sheets["党员"]) == 2000
    assert len(sheets["党员"][0]) == 20


def test_the_writer_writes_text_that_looks_like_a_formula_as_text() -> None:
    book = XlsxBook()
    sheet = book.sheet("名单")
    texts = ['=HYPERLINK("http://x","y")', "=1+1", "+86 1", "-2", "@SUM(A1)", "http://x.cn"]
    book.row(sheet, 0, [*texts, 3, 1.5, True, None, dt.date(2020, 2, 3)])
    book.merge(sheet, 1, 0, 3, "=2+2", book.format(bold=True))
    data = book.close()
    ws = openpyxl.load_workbook(io.BytesIO(data))["名单"]
    assert [ws.cell(1, c + 1).value for c in range(len(texts))] == texts
    assert all(ws.cell(1, c + 1).data_type == "s" for c in range(len(texts)))
    assert ws.cell(1, 7).value == 3
    assert ws.cell(2, 1).value == "=2+2"
    assert ws.cell(2, 1).data_type == "s"
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_no_export_builds_a_workbook_but_through_the_one_writer() -> None:
    root = Path(__file__).resolve().parents[2]
    skipped = {"lib", "bench", ".venv", "node_modules", "static"}
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if not ({"tests", *skipped} & set(path.relative_to(root).parts))
        and "xlsxwriter.Workbook(" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


@pytest.mark.parametrize("chunk", [7, 64, 1000])
def test_tags_split_across_chunks_are_read_whole(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(xlsx_scan, "CHUNK", chunk)
    rows = "".join(
        f'<row r="{r}">{cell(f"A{r}")}<c r="B{r}"><f>A{r}*2</f><v>2</v></c></row>'
        for r in range(1, 40)
    )
    workbook = read_workbook(crafted(rows))
    assert workbook.formulas["党员"] == {(r, 1) for r in range(39)}
    far = crafted(rows + f'<row r="250000">{cell("A250000")}</row>')
    assert "250000" in refused_quickly(far)
