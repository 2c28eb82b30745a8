from collections import Counter
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from access.models import Grant, Role
from demo.builders import id_check_digit, id_number_is_valid
from demo.management.commands.seed_demo import DEMO_PASSWORD, DEMO_SCHOOL
from members.models import (
    Category,
    Member,
    PoliticalStatus,
    StatusChange,
    Transfer,
    Whereabouts,
    WhereaboutsChange,
)
from orgs.models import Campus, Org, OrgKind
from orgs.tests.factories import make_school


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_leaves_a_database_with_another_school_alone(db: Any) -> None:
    # First in the module: it runs before the module-wide seed below exists.
    make_school("其他大学党委")
    err = StringIO()

    call_command("seed_demo", stdout=StringIO(), stderr=err)

    assert Org.objects.count() == 1
    assert not Member.objects.exists()
    assert "其他大学党委" in err.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """Seed once for the module, inside a transaction rolled back at the end; each test
    runs in its own savepoint on top of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed()
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded: str, db: Any) -> str:
    return seeded


def test_seed_demo_builds_the_university(demo: str) -> None:
    school = Org.objects.get(depth=1)
    units = Org.objects.filter(depth=2)
    branches = Org.objects.filter(kind=OrgKind.BRANCH)

    assert school.name == DEMO_SCHOOL
    assert Campus.objects.count() == 3
    assert units.count() == 8
    assert {u.kind for u in units} == {OrgKind.UNIT_COMMITTEE, OrgKind.GENERAL_BRANCH}
    assert "计算机与信息学院党委" in {u.name for u in units}
    assert branches.count() == 40
    assert Org.objects.filter(kind=OrgKind.GROUP).exists()
    assert Member.objects.count() == 600
    assert not branches.filter(members__isnull=True).exists()


def test_seeded_tree_is_consistent_for_treebeard(demo: str) -> None:
    school = Org.objects.get(depth=1)

    assert Org.objects.find_problems() == ([], [], [], [], [])
    assert Org.objects.get_children_count(school) == 8
    assert Org.objects.filter(path__startswith=school.path).count() == Org.objects.count()


def test_seeded_members_cover_every_status_whereabouts_and_category(demo: str) -> None:
    statuses = Counter(Member.objects.values_list("political_status", flat=True))
    whereabouts = Counter(Member.objects.values_list("whereabouts", flat=True))

    assert set(statuses) == set(PoliticalStatus.values)
    assert statuses[PoliticalStatus.FULL] > 300
    assert set(whereabouts) == set(Whereabouts.values)
    assert whereabouts[Whereabouts.ON_CAMPUS] > 400
    assert not Member.objects.exclude(whereabouts=Whereabouts.ON_CAMPUS).filter(
        whereabouts_since__isnull=True
    )
    assert set(Member.objects.values_list("category", flat=True)) == set(Category.values)
    students = Member.objects.filter(category=Category.STUDENT)
    assert not students.filter(class_name="") and not students.filter(dorm_room="")
    staff = Member.objects.filter(category=Category.STAFF)
    assert 0.07 < staff.cadres().count() / staff.count() < 0.2
    assert StatusChange.objects.exists()
    assert WhereaboutsChange.objects.exists()
    assert Transfer.objects.exists()


def test_seeded_phones_and_id_numbers_are_valid(demo: str) -> None:
    phones = [p for p in Member.objects.values_list("phone", flat=True) if p]
    ids = [i for i in Member.objects.values_list("id_number", flat=True) if i]

    assert all(len(p) == 11 and p.isdigit() and p[0] == "1" for p in phones)
    assert len(ids) > 300
    assert all(id_number_is_valid(i) for i in ids)
    assert len(set(Member.objects.values_list("name", flat=True))) > 400


def test_id_check_digit_matches_gb_11643() -> None:
    # The standard's worked example.
    assert id_check_digit("11010519491231002") == "X"
    assert id_check_digit("44052418800101001") == "4"


@pytest.mark.parametrize(
    ("username", "role", "org_name"),
    [
        ("zzb", Role.SCHOOL_ADMIN, DEMO_SCHOOL),
        ("jsj_admin", Role.UNIT_ADMIN, "计算机与信息学院党委"),
        ("jx_admin", Role.UNIT_ADMIN, "机械工程学院党委"),
        ("zhibu", Role.BRANCH_SECRETARY, "计算机教工第一党支部"),
        ("fangkong", Role.DUTY_OFFICE, DEMO_SCHOOL),
        ("pingshen", Role.REVIEWER, DEMO_SCHOOL),
    ],
)
def test_each_demo_login_holds_its_grant(
    demo: str, username: str, role: str, org_name: str
) -> None:
    user = get_user_model().objects.get(username=username)

    assert [(g.role, g.org.name) for g in Grant.objects.filter(user=user)] == [(role, org_name)]
    assert user.has_usable_password()
    assert user.first_name
    assert username in demo


def test_member_login_is_linked_to_a_member_without_grants(demo: str) -> None:
    user = get_user_model().objects.get(username="dangyuan")

    assert Member.objects.get(user=user).name == user.first_name
    assert not Grant.objects.filter(user=user).exists()
    assert user.check_password(DEMO_PASSWORD)
    assert DEMO_PASSWORD in demo


def test_seed_demo_is_idempotent(demo: str) -> None:
    counts = (Org.objects.count(), Member.objects.count(), Grant.objects.count())

    again = seed()

    assert (Org.objects.count(), Member.objects.count(), Grant.objects.count()) == counts
    assert "已存在" in again
    assert "jsj_admin" in again


def test_unit_admin_can_issue_logins_for_demo_members_without_one(demo: str) -> None:
    from members.accounts import accounts_create
    from members.selectors import MemberFilters

    admin = get_user_model().objects.get(username="jsj_admin")
    branch = Org.objects.get(grants__user__username="zhibu")

    result = accounts_create(actor=admin, filters=MemberFilters(branch=branch.pk))

    assert result.issued
    assert result.skipped_existing == 1  # dangyuan
    login = result.issued[0].member.user
    assert login is not None and login.check_password(result.issued[0].password)


def test_the_demo_has_a_year_of_meetings_and_some_branches_falling_short(demo: str) -> None:
    import datetime as dt

    from django.utils import timezone

    from meetings.compliance import compliance_rows
    from meetings.models import Meeting, MeetingState

    zzb = get_user_model().objects.get(username="zzb")
    year = (timezone.localdate() - dt.timedelta(days=40)).year  # a year with ended periods
    rows = compliance_rows(user=zzb, year=year)
    short = [r for r in rows if r.missing]

    assert Meeting.objects.filter(state=MeetingState.APPROVED).count() > 400
    assert Meeting.objects.filter(state=MeetingState.RETURNED).count() == 1
    assert 0 < len(short) < len(rows)


def test_demo_has_talks_with_members_still_due_and_a_register(demo: str) -> None:
    from talks import selectors as talk_selectors
    from talks.models import Deliberation, Talk

    secretary = get_user_model().objects.get(username="zhibu")
    cov = talk_selectors.coverage(user=secretary)

    assert Talk.objects.count() > 200
    assert 0 < cov.total.due < cov.total.members  # some covered, some still due
    assert Deliberation.objects.exists()
