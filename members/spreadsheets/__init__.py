"""Member spreadsheets: the import template, reading an uploaded workbook into a plan, and the
export of a member list in the same columns so an export can be edited and imported again.

Reading never writes: parse_workbook() returns an ImportPlan with JSON-safe rows ready for
members.imports.import_batch_apply() and every problem found, each with the Excel row number,
the Chinese column header and the reason. Where to look:

- columns.py    the sheets and their columns (template, reader and export share them)
- reader.py     parse_workbook(): headers found, every cell checked, one RowError per problem
- org_names.py  unit / branch / parent names resolved within the importer's scope
- existing.py   rows compared with stored members: create, update, or not yours to change
- plan.py       ImportPlan and RowError, what a parse hands to members.imports
- writer.py     template_xlsx(), members_xlsx() and errors_xlsx() (an import's problems)
"""

from members.spreadsheets.columns import (
    COMPARED_FIELDS,
    DATE_FIELDS,
    HELP_SHEET,
    MEMBER_COLUMNS,
    MEMBER_SHEET,
    ORG_COLUMNS,
    ORG_SHEET,
    Column,
)
from members.spreadsheets.existing import NUMBER_NOT_YOURS
from members.spreadsheets.plan import ImportPlan, RowError, SpreadsheetError
from members.spreadsheets.reader import parse_workbook
from members.spreadsheets.writer import errors_xlsx, members_xlsx, template_xlsx

__all__ = [
    "COMPARED_FIELDS",
    "DATE_FIELDS",
    "HELP_SHEET",
    "MEMBER_COLUMNS",
    "MEMBER_SHEET",
    "NUMBER_NOT_YOURS",
    "ORG_COLUMNS",
    "ORG_SHEET",
    "Column",
    "ImportPlan",
    "RowError",
    "SpreadsheetError",
    "errors_xlsx",
    "members_xlsx",
    "parse_workbook",
    "template_xlsx",
]
