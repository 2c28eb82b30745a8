"""`manage.py seed_large` at a small size: the benchmark university, built once, beside nothing."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from access.models import Grant, Role
from demo.management.commands.seed_large import LARGE_SCHOOL
from members.models import Member
from orgs.models import Org, OrgKind
from orgs.tests.factories import make_school


def test_seed_large_builds_the_university_once_with_its_two_logins(db: Any) -> None:
    out = StringIO()
    call_command("seed_large", units=2, branches=4, members=40, stdout=out)

    school = Org.objects.get(depth=1)
    assert school.name == LARGE_SCHOOL
    assert Org.objects.filter(kind=OrgKind.BRANCH).count() == 4
    assert Member.objects.count() == 40
    roles = set(Grant.objects.values_list("user__username", "role"))
    assert roles == {("bench_school", Role.SCHOOL_ADMIN), ("bench_unit", Role.UNIT_ADMIN)}
    assert "bench_school" in out.getvalue()

    again = StringIO()
    call_command("seed_large", units=2, branches=4, members=40, stdout=again)
    assert "已存在" in again.getvalue() and Member.objects.count() == 40


def test_seed_large_refuses_a_database_with_another_school(db: Any) -> None:
    make_school()
    with pytest.raises(CommandError, match="只能建在空库中"):
        call_command("seed_large", units=2, branches=4, members=40, stdout=StringIO())
