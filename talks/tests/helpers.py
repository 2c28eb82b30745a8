import datetime as dt
from typing import Any

from django.utils import timezone

from conftest import Cast
from members.models import Member
from talks import services
from talks.models import Talk, TalkMethod


def talk(
    cast: Cast,
    member: Member | None = None,
    *,
    talker: Member | None = None,
    by: str = "school_admin",
    days_ago: int = 3,
    follow_up_in: int | None = None,
    **extra: Any,
) -> Talk:
    """A talk recorded by `by` (组织部 by default, who may record anywhere)."""
    member = member or cast.member_b
    talker = talker or (cast.member_a if member != cast.member_a else cast.other_a)
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return services.talk_record(
        actor=cast.users[by],
        member=member,
        talker=talker,
        talked_on=day,
        method=extra.pop("method", TalkMethod.PHONE),
        thoughts=extra.pop("thoughts", "思想稳定，关心返校安排"),
        life=extra.pop("life", "居家隔离，情绪平稳"),
        work="线上学习正常",
        help_given="讲解返校政策",
        follow_up_on=day + dt.timedelta(days=follow_up_in) if follow_up_in is not None else None,
    )
