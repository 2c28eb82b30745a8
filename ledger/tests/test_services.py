"""干部纪实台账's rules: entries backed by the cadre's own records, 问责 with its type, and
the suggestions drawn from duty data."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from conftest import Cast
from ledger import selectors, services
from ledger.models import CadreRecord
from ledger.tests.helpers import cadre_with_shifts


def test_suggestion_sums_up_the_shifts_of_a_post_and_their_punctuality(cast: Cast) -> None:
    checks = cadre_with_shifts(cast)
    [s] = selectors.suggestions(member=cast.member_a)
    first, last = checks[0].date, checks[-1].date
    assert (
        s.text
        == f"{first.month}月{first.day}日至{last.month}月{last.day}日 北门值班值守岗 3 班，签到准时"
    )
    assert s.keys == [f"check:{c.pk}" for c in checks]


def test_a_late_check_in_is_said(cast: Cast) -> None:
    cadre_with_shifts(cast, late_on=1)
    [s] = selectors.suggestions(member=cast.member_a)
    assert s.text.endswith("3 班，迟到 1 次")


def test_accepting_a_suggestion_links_its_shifts_and_it_is_not_suggested_again(
    cast: Cast,
) -> None:
    cadre_with_shifts(cast)
    [s] = selectors.suggestions(member=cast.member_a)
    record = services.record_create(
        actor=cast.users["unit_a_admin"],
        member=cast.member_a,
        kind="outstanding",
        occurred_from=s.first,
        occurred_until=s.last,
        text=s.text,
        source_keys=s.keys,
        suggested=True,
    )
    assert record.sources.count() == 3 and record.unit == cast.unit_a
    assert selectors.suggestions(member=cast.member_a) == []


def test_accountability_needs_its_type(cast: Cast) -> None:
    cadre_with_shifts(cast)
    today = timezone.localdate()
    kwargs = {
        "actor": cast.users["school_admin"],
        "member": cast.member_a,
        "kind": "accountability",
        "occurred_from": today,
        "occurred_until": today,
        "text": "值班期间脱岗",
    }
    with pytest.raises(ValidationError, match="问责方式"):
        services.record_create(**kwargs)  # type: ignore[arg-type]
    record = services.record_create(**kwargs, accountability="criticism")  # type: ignore[arg-type]
    assert record.get_accountability_display() == "批评教育"


def test_sources_must_be_the_cadres_own(cast: Cast) -> None:
    cadre_with_shifts(cast)
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="依据"):
        services.record_create(
            actor=cast.users["school_admin"],
            member=cast.member_a,
            kind="outstanding",
            occurred_from=today,
            occurred_until=today,
            text="x",
            source_keys=["check:99999"],
        )
    assert not CadreRecord.objects.exists()


def test_only_school_and_the_cadres_unit_write_and_only_for_cadres(cast: Cast) -> None:
    today = timezone.localdate()
    args = {
        "kind": "outstanding",
        "occurred_from": today - dt.timedelta(days=1),
        "occurred_until": today,
        "text": "表现突出",
    }
    with pytest.raises(ValidationError, match="不是干部"):
        services.record_create(actor=cast.users["school_admin"], member=cast.member_a, **args)  # type: ignore[arg-type]
    cadre_with_shifts(cast)
    for who in ("unit_b_admin", "branch_secretary", "member_a"):
        with pytest.raises(PermissionDenied):
            services.record_create(actor=cast.users[who], member=cast.member_a, **args)  # type: ignore[arg-type]
