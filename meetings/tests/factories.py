import datetime as dt
from typing import Any

from django.utils import timezone

from meetings import services
from meetings.models import Meeting, MeetingKind, MeetingMode
from orgs.models import Org


def held_meeting(
    org: Org, actor: Any = None, kind: str = MeetingKind.THEME_DAY, days_ago: int = 1, **extra: Any
) -> Meeting:
    """A draft meeting held `days_ago` days ago, with minutes, ready to submit."""
    data: dict[str, Any] = {
        "org": org,
        "kind": kind,
        "topic": "学习防疫精神",
        "held_at": timezone.now() - dt.timedelta(days=days_ago),
        "mode": MeetingMode.OFFLINE,
        "place": "学院会议室",
        "minutes": "会议学习了有关文件。",
        **extra,
    }
    return services.meeting_create(actor=actor, data=data)
