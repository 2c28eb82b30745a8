"""Small helpers shared by the roster pages."""

from typing import Any

from access.scope import orgs_for_user
from lib.xlsx import XLSX_CONTENT_TYPE

XLSX = XLSX_CONTENT_TYPE


MAX_ID = 2**31 - 1  # larger numbers are no id: never sent to the database (SQLite overflows)


def _int(value: str | None) -> int | None:
    """A whole number from a query or form value, or None (also for absurdly large ones)."""
    if not value or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if number <= MAX_ID else None


def _managed_orgs(user: Any, perm: str) -> Any:
    """The root and units where the user holds `perm` (where posts, phases, rosters are kept)."""
    return orgs_for_user(user, perm).filter(depth__lte=2).order_by("path")
