"""Ratings of post participants and 述职评议's result and evidence."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessment import selectors, services
from assessment.tests.helpers import phase_with_shift
from conftest import Cast


def test_duty_office_rates_a_participant_once_and_may_revise(cast: Cast) -> None:
    phase = phase_with_shift(cast)
    office = cast.users["duty_office"]
    services.rating_set(actor=office, phase=phase, member=cast.member_a, score=4, comment="认真")
    rating = services.rating_set(actor=office, phase=phase, member=cast.member_a, score=5)
    assert rating.score == 5
    assert cast.member_a.post_ratings.count() == 1
    record = selectors.duty_record(member=cast.member_a)
    assert (len(record.checks), record.punctual, record.average) == (1, 1, 5)


@pytest.mark.parametrize("score", [0, 6])
def test_scores_are_one_to_five(cast: Cast, score: int) -> None:
    with pytest.raises(ValidationError, match="1 至 5"):
        services.rating_set(
            actor=cast.users["duty_office"],
            phase=phase_with_shift(cast),
            member=cast.member_a,
            score=score,
        )


def test_only_participants_by_those_who_run_the_post(cast: Cast) -> None:
    phase = phase_with_shift(cast)
    with pytest.raises(ValidationError, match="没有参加"):
        services.rating_set(
            actor=cast.users["duty_office"], phase=phase, member=cast.member_b, score=3
        )
    with pytest.raises(PermissionDenied):
        services.rating_set(
            actor=cast.users["branch_secretary"], phase=phase, member=cast.member_a, score=3
        )


def test_result_is_recorded_from_above_only(cast: Cast) -> None:
    year = timezone.localdate().year
    with pytest.raises(PermissionDenied):
        services.result_record(
            actor=cast.users["unit_a_admin"], org=cast.unit_a, year=year, result="good"
        )
    with pytest.raises(PermissionDenied):
        services.result_record(
            actor=cast.users["branch_secretary"], org=cast.branch_a1, year=year, result="good"
        )
    services.result_record(
        actor=cast.users["unit_a_admin"], org=cast.branch_a1, year=year, result="good"
    )
    item = services.result_record(
        actor=cast.users["school_admin"], org=cast.unit_a, year=year, result="excellent"
    )
    assert item.get_result_display() == "好"


def test_evidence_counts_the_years_duty(cast: Cast) -> None:
    phase_with_shift(cast)
    e = selectors.evidence(org=cast.branch_a1, year=timezone.localdate().year)
    assert (e.served, e.person_times) == (1, 1)
    assert selectors.evidence(org=cast.unit_b, year=timezone.localdate().year).person_times == 0
