"""活动与报送 endpoints (filled by the campaigns work)."""

from ninja import Router

router = Router(tags=["活动与报送"])
