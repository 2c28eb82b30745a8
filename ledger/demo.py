"""The demo university's 干部纪实台账 (called by seed_demo): for cadres who stood duty, the
duty office's suggestion accepted (one of them edited), and one 问责 entry."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from duty.models import DutyCheck
from ledger import selectors, services
from ledger.models import CadreRecord
from members.models import CadreRank, Member
from orgs.models import Org


def seed(*, school: Org) -> None:
    if CadreRecord.objects.exists():
        return
    zzb = get_user_model().objects.filter(username="zzb").first()
    if zzb is None:
        return
    on_duty = DutyCheck.objects.values_list("member_id", flat=True)
    cadres = list(
        Member.objects.filter(branch__path__startswith=school.path, pk__in=on_duty)
        .exclude(cadre_rank=CadreRank.NONE)
        .select_related("branch")
        .order_by("number")[:6]
    )
    for i, cadre in enumerate(cadres):
        for s in selectors.suggestions(member=cadre)[:1]:
            text = s.text if i % 2 else f"{s.text}，主动承担交接班记录，工作细致"
            services.record_create(
                actor=zzb,
                member=cadre,
                kind="outstanding",
                occurred_from=s.first,
                occurred_until=s.last,
                text=text,
                source_keys=s.keys,
                suggested=True,
            )
    if cadres:
        day = timezone.localdate() - dt.timedelta(days=5)
        services.record_create(
            actor=zzb,
            member=cadres[-1],
            kind="accountability",
            accountability="criticism",
            occurred_from=day,
            occurred_until=day,
            text="值班期间未按要求逐一测温登记，已当面批评教育并整改",
        )
