"""The demo's development files obey the rules the services enforce."""

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from development.models import STATUS_OF_STAGE, Candidate, DevelopmentStage, IntervalRule


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def test_demo_files_are_at_every_stage_and_break_no_interval_rule(seeded: None, db: Any) -> None:
    rules = list(IntervalRule.objects.filter(active=True))
    files = list(Candidate.objects.select_related("member"))
    assert {c.stage for c in files} == set(DevelopmentStage.values)
    for c in files:
        assert c.member.political_status == STATUS_OF_STAGE[DevelopmentStage(c.stage)] or (
            c.stage == DevelopmentStage.APPLICANT
        )
        steps = {s.stage: s.on for s in c.steps.all()}
        for rule in rules:
            start, end = steps.get(rule.from_stage), steps.get(rule.to_stage)
            if start is not None and end is not None:
                assert not rule.broken_by(start, end), f"{c}: {rule.text}"
