"""值守与承诺 endpoints (filled by the duty work)."""

from ninja import Router

router = Router(tags=["值守与承诺"])
