"""The data migration gives existing check-ins and logs their own shift, and pins the
assignments they were made on."""

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from conftest import Cast
from duty.models import DutyCheck, DutyLog
from duty.tests.helpers import assign, make_post, make_roster
from rosters.models import Assignment

BEFORE = [("duty", "0002_initial")]
AFTER = [("duty", "0005_shift_records_required")]


@pytest.mark.django_db(transaction=True)
def test_existing_records_get_their_shift_and_their_assignment_is_pinned(
    cast: Cast, transactional_db: Any
) -> None:
    roster = make_roster(cast.school)
    shift = assign(roster, make_post(cast.school), cast.member_a, dt.date(2020, 9, 18))
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    old.get_model("duty", "DutyCheck").objects.create(
        assignment_id=shift.pk, checked_in_at=timezone.now()
    )
    old.get_model("duty", "DutyLog").objects.create(assignment_id=shift.pk, temperatures_taken=9)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    for record in (DutyCheck.objects.get(), DutyLog.objects.get()):
        assert record.assignment_id == shift.pk
        assert (record.member_id, record.post_id, record.date, record.slot) == (
            cast.member_a.pk,
            shift.post_id,
            shift.date,
            shift.slot,
        )
        assert (record.roster_id, record.phase_id) == (roster.pk, roster.phase_id)
    assert Assignment.objects.get(pk=shift.pk).pinned
