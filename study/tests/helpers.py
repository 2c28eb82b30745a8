import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from conftest import Cast
from study import services
from study.models import SessionKind, StudySession


def self_study(cast: Cast, org: Any = None, **extra: Any) -> StudySession:
    return services.session_create(
        actor=cast.users["school_admin"],
        org=org or cast.branch_a1,
        kind=SessionKind.SELF_STUDY,
        title="学习防控工作方案",
        held_on=timezone.localdate() - dt.timedelta(days=2),
        hours=Decimal("2"),
        **extra,
    )
