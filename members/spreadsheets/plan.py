"""What reading an upload produces: an ImportPlan of JSON-safe rows for
members.imports.import_batch_apply(), and a RowError for every problem found.
"""

from dataclasses import asdict, dataclass, field
from typing import Any

from lib.xlsx import XlsxError


class SpreadsheetError(XlsxError):
    """The upload is not a member workbook at all; the message is for the user."""


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int  # the Excel row number the user sees
    column: str  # the Chinese header, "" for the whole row
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportPlan:
    """What an upload would do. `rows` are member rows, `org_rows` orgs to create first;
    both are JSON-safe dicts ready for the apply step."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    create_count: int = 0
    update_count: int = 0
    org_rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def unchanged_count(self) -> int:
        return len(self.rows) - self.create_count - self.update_count
