import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Cast
from development import selectors, services
from development.models import (
    Candidate,
    DevelopmentStage,
    IntervalRule,
    StageStep,
    add_months,
)
from development.tests.helpers import applicant, assembly, contacts, ready_for_probation
from members.models import PoliticalStatus, StatusChange

S = DevelopmentStage
TODAY = timezone.localdate()


def _to_activist(cast: Cast, c: Candidate, on: dt.date) -> None:
    one, _ = contacts(cast)
    admin = cast.users["school_admin"]
    services.candidate_details_update(actor=admin, candidate=c, contact_1=one)
    services.candidate_advance(actor=admin, candidate=c, on=on)


def test_opening_a_file_and_the_steps_change_status_with_history(cast: Cast) -> None:
    admin = cast.users["school_admin"]
    start = TODAY - dt.timedelta(days=800)
    c = applicant(cast, start)
    _to_activist(cast, c, start + dt.timedelta(days=30))
    services.candidate_advance(actor=admin, candidate=c, on=add_months(c.applied_on, 14))
    c.refresh_from_db()
    assert c.stage == S.TARGET
    on = add_months(c.applied_on, 15)
    meeting = ready_for_probation(cast, c, on)
    services.candidate_advance(
        actor=admin, candidate=c, on=on, resolution=meeting, approved_on=on + dt.timedelta(7)
    )
    c.refresh_from_db()
    c.member.refresh_from_db()
    assert c.stage == S.PROBATIONARY
    assert c.member.political_status == PoliticalStatus.PROBATIONARY
    assert c.member.joined_on == on
    history = list(
        StatusChange.objects.filter(member=c.member)
        .order_by("changed_on", "id")
        .values_list("to_status", flat=True)
    )
    assert history == ["activist", "development_target", "probationary"]
    assert [s.stage for s in c.steps.all()] == ["applicant", "activist", "target", "probationary"]


def test_an_activist_needs_a_contact(cast: Cast) -> None:
    c = applicant(cast, TODAY - dt.timedelta(days=60))
    with pytest.raises(ValidationError, match="培养联系人"):
        services.candidate_advance(actor=cast.users["school_admin"], candidate=c, on=TODAY)
    assert not StageStep.objects.filter(candidate=c, stage=S.ACTIVIST).exists()


def test_a_year_as_activist_is_the_rule_and_the_refusal_names_it(cast: Cast) -> None:
    c = applicant(cast, TODAY - dt.timedelta(days=400))
    _to_activist(cast, c, TODAY - dt.timedelta(days=300))
    with pytest.raises(ValidationError) as e:
        services.candidate_advance(actor=cast.users["school_admin"], candidate=c, on=TODAY)
    assert "从入党积极分子到发展对象至少 12 个月" in str(e.value)
    c.refresh_from_db()
    assert c.stage == S.ACTIVIST
    assert c.member.political_status == PoliticalStatus.ACTIVIST


def test_the_branch_secretary_cannot_receive_a_probationary_member(cast: Cast) -> None:
    start = TODAY - dt.timedelta(days=800)
    c = applicant(cast, start)
    _to_activist(cast, c, start)
    services.candidate_advance(
        actor=cast.users["branch_secretary"], candidate=c, on=add_months(start, 13)
    )
    on = add_months(start, 14)
    meeting = ready_for_probation(cast, c, on)
    with pytest.raises(PermissionDenied):
        services.candidate_advance(
            actor=cast.users["branch_secretary"],
            candidate=c,
            on=on,
            resolution=meeting,
            approved_on=on,
        )
    services.candidate_advance(
        actor=cast.users["unit_a_admin"], candidate=c, on=on, resolution=meeting, approved_on=on
    )


def test_receiving_needs_every_piece_of_evidence(cast: Cast) -> None:
    start = TODAY - dt.timedelta(days=800)
    c = applicant(cast, start)
    _to_activist(cast, c, start)
    admin = cast.users["school_admin"]
    services.candidate_advance(actor=admin, candidate=c, on=add_months(start, 13))
    on = add_months(start, 14)
    with pytest.raises(ValidationError) as e:
        services.candidate_advance(actor=admin, candidate=c, on=on, approved_on=on)
    text = " ".join(e.value.messages)
    for words in ("两名入党介绍人", "党校", "政治审查", "公示", "支部党员大会的会议记录"):
        assert words in text


def test_an_objection_blocks_until_checked_and_an_upheld_one_stops_it(cast: Cast) -> None:
    start = TODAY - dt.timedelta(days=800)
    c = applicant(cast, start)
    _to_activist(cast, c, start)
    admin = cast.users["school_admin"]
    services.candidate_advance(actor=admin, candidate=c, on=add_months(start, 13))
    on = add_months(start, 14)
    meeting = ready_for_probation(cast, c, on)
    publicity = c.publicities.get()
    objection = services.objection_record(
        actor=admin, publicity=publicity, received_on=publicity.starts_on, text="反映其学习态度"
    )
    with pytest.raises(ValidationError, match="尚未核查"):
        services.candidate_advance(
            actor=admin, candidate=c, on=on, resolution=meeting, approved_on=on
        )
    services.objection_resolve(
        actor=admin, objection=objection, finding="经核实属实", resolved_on=on, upheld=True
    )
    with pytest.raises(ValidationError, match="经核查属实"):
        services.candidate_advance(
            actor=admin, candidate=c, on=on, resolution=meeting, approved_on=on
        )


def test_a_short_publicity_is_refused(cast: Cast) -> None:
    start = TODAY - dt.timedelta(days=800)
    c = applicant(cast, start)
    _to_activist(cast, c, start)
    services.candidate_advance(
        actor=cast.users["school_admin"], candidate=c, on=add_months(start, 13)
    )
    with pytest.raises(ValidationError, match="不少于 5 天"):
        services.publicity_open(
            actor=cast.users["school_admin"],
            candidate=c,
            starts_on=TODAY - dt.timedelta(days=5),
            ends_on=TODAY - dt.timedelta(days=2),
        )


def test_introducers_must_be_full_members_and_not_the_candidate(cast: Cast) -> None:
    c = applicant(cast, TODAY)
    admin = cast.users["school_admin"]
    with pytest.raises(ValidationError, match="本人"):
        services.candidate_details_update(actor=admin, candidate=c, introducer_1=c.member)
    other = applicant(cast, TODAY).member
    with pytest.raises(ValidationError, match="正式党员"):
        services.candidate_details_update(actor=admin, candidate=c, introducer_1=other)


def test_the_due_list_has_who_reaches_the_interval_this_month(cast: Cast) -> None:
    ripe = applicant(cast, TODAY - dt.timedelta(days=500), name="到期甲")
    _to_activist(cast, ripe, add_months(TODAY, -12))
    green = applicant(cast, TODAY - dt.timedelta(days=500), name="未到期乙")
    _to_activist(cast, green, add_months(TODAY, -6))
    due = {d.candidate.member.name: d for d in selectors.due_list(user=cast.users["unit_a_admin"])}
    assert "到期甲" in due and due["到期甲"].to_stage == S.TARGET
    assert "未到期乙" not in due
    assert selectors.due_list(user=cast.users["unit_b_admin"]) == []


# --- the interval rules, as a property: no accepted date sequence breaks one ---------------

DAY = st.integers(min_value=0, max_value=900)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(gaps=st.lists(DAY, min_size=4, max_size=4))
def test_no_accepted_date_sequence_breaks_an_interval_rule(cast: Cast, gaps: list[int]) -> None:
    from django.db import transaction

    admin = cast.users["school_admin"]
    total = sum(gaps)
    start = TODAY - dt.timedelta(days=total)
    rules = list(IntervalRule.objects.filter(active=True))
    with transaction.atomic():
        c = applicant(cast, start)
        one, _ = contacts(cast)
        services.candidate_details_update(actor=admin, candidate=c, contact_1=one)
        on = start
        for gap in gaps:
            on = on + dt.timedelta(days=gap)
            c.refresh_from_db()
            to = c.next_stage
            assert to is not None
            extra: dict[str, Any] = {}
            if to == S.PROBATIONARY:
                extra = {"resolution": ready_for_probation(cast, c, on), "approved_on": on}
            elif to == S.FULL:
                extra = {"resolution": assembly(cast, on), "approved_on": on}
                since = c.probationary_on
                assert since is not None
                if (on - since).days >= 4:
                    services.publicity_open(actor=admin, candidate=c, starts_on=since, ends_on=on)
            broken = [
                r
                for r in rules
                if r.to_stage == to
                and c.reached_on(r.from_stage) is not None
                and r.broken_by(c.reached_on(r.from_stage), on)  # type: ignore[arg-type]
            ]
            try:
                services.candidate_advance(actor=admin, candidate=c, on=on, **extra)
            except ValidationError as e:
                for rule in broken:  # each broken rule is named in the refusal
                    assert rule.text in " ".join(e.messages)
                break
            assert not broken, f"accepted {to} on {on} though it breaks {broken}"
        transaction.set_rollback(True)
