"""先锋岗与值班 endpoints (filled by the rosters work)."""

from ninja import Router

router = Router(tags=["先锋岗与值班"])
