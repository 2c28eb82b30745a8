"""The demo university's duty data (called by seed_demo)."""

from orgs.models import Org


def seed(*, school: Org) -> None:
    """Create this app's demo records under `school` (inside seed_demo's transaction)."""
