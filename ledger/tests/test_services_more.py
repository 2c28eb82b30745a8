"""干部纪实台账: each refusal of a record, with its Chinese reason; nothing is written."""

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import Cast
from ledger import services
from ledger.models import CadreRecord
from members.models import CadreRank

TODAY = timezone.localdate()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"kind": "praise"}, "请选择类别：表现突出或问责。"),
        (
            {"occurred_from": TODAY, "occurred_until": TODAY - dt.timedelta(days=1)},
            "截止日期不能早于起始日期。",
        ),
        ({"occurred_until": TODAY + dt.timedelta(days=1)}, "纪实的日期不能晚于今天。"),
        ({"text": "  "}, "请填写纪实内容。"),
    ],
)
def test_a_record_against_the_rules_is_refused(
    cast: Cast, extra: dict[str, Any], message: str
) -> None:
    cast.member_a.cadre_rank = CadreRank.SECTION
    cast.member_a.save()
    data: dict[str, Any] = {
        "actor": cast.users["school_admin"],
        "member": cast.member_a,
        "kind": "outstanding",
        "occurred_from": TODAY - dt.timedelta(days=7),
        "occurred_until": TODAY,
        "text": "带队值守北门",
        **extra,
    }
    with pytest.raises(ValidationError, match=message):
        services.record_create(**data)
    assert not CadreRecord.objects.exists()


def test_an_outstanding_record_drops_an_accountability_type(cast: Cast) -> None:
    cast.member_a.cadre_rank = CadreRank.SECTION
    cast.member_a.save()
    record = services.record_create(
        actor=cast.users["school_admin"],
        member=cast.member_a,
        kind="outstanding",
        occurred_from=TODAY,
        occurred_until=TODAY,
        text=" 带队值守北门 ",
        accountability="criticism",
    )
    assert record.accountability == ""
