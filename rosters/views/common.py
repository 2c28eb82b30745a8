"""Small helpers shared by the roster pages."""

from typing import Any

from access.scope import orgs_for_user
from lib.xlsx import XLSX_CONTENT_TYPE

XLSX = XLSX_CONTENT_TYPE


def _managed_orgs(user: Any, perm: str) -> Any:
    """The root and units where the user holds `perm` (where posts, phases, rosters are kept)."""
    return orgs_for_user(user, perm).filter(depth__lte=2).order_by("path")
