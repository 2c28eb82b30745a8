"""Small helpers shared by the roster pages."""

from typing import Any

from access.scope import orgs_for_user
from lib.params import parse_id
from lib.xlsx import XLSX_CONTENT_TYPE

XLSX = XLSX_CONTENT_TYPE


def _int(value: str | None) -> int | None:
    """A whole number from a query or form value, or None (also for absurdly large ones)."""
    return parse_id(value)


def _managed_orgs(user: Any, perm: str) -> Any:
    """The root and units where the user holds `perm` (where posts, phases, rosters are kept)."""
    return orgs_for_user(user, perm).filter(depth__lte=2).order_by("path")
