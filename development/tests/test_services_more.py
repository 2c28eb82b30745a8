"""发展党员: every refusal of the file's services, each with its Chinese reason."""

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from conftest import Cast
from development import services
from development.models import (
    Candidate,
    DevelopmentStage,
    Evidence,
    Publicity,
    ReviewResult,
    TrainingGrade,
    add_months,
)
from development.tests.helpers import applicant, assembly, contacts, ready_for_probation
from meetings.models import Meeting, MeetingKind
from meetings.tests.factories import held_meeting
from members.models import PoliticalStatus
from members.tests.factories import MemberFactory
from uploads.tests.helpers import (
    finished_upload,
    media_root_fixture,  # noqa: F401 (a fixture)
)

S = DevelopmentStage
TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def _target(cast: Cast, days_ago: int = 800) -> Candidate:
    """A 发展对象 (for 13 months after applying `days_ago` days ago)."""
    admin = cast.users["school_admin"]
    start = TODAY - dt.timedelta(days=days_ago)
    c = applicant(cast, start)
    one, _ = contacts(cast)
    services.candidate_details_update(actor=admin, candidate=c, contact_1=one)
    services.candidate_advance(actor=admin, candidate=c, on=start)
    services.candidate_advance(actor=admin, candidate=c, on=add_months(start, 13))
    c.refresh_from_db()
    return c


def _advance_problems(cast: Cast, c: Candidate, **kwargs: Any) -> list[str]:
    with pytest.raises(ValidationError) as e:
        services.candidate_advance(actor=cast.users["school_admin"], candidate=c, **kwargs)
    return list(e.value.messages)


# --- opening a file -------------------------------------------------------------------------


def test_a_file_is_opened_only_by_who_records_for_the_branch(cast: Cast) -> None:
    person = MemberFactory.create(branch=cast.branch_a1, political_status=PoliticalStatus.MASSES)
    with pytest.raises(PermissionDenied):
        services.candidate_open(actor=cast.users["unit_b_admin"], member=person, applied_on=TODAY)
    assert not Candidate.objects.exists()


def test_a_party_member_gets_no_file(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="张三已是正式党员。"):
        services.candidate_open(
            actor=cast.users["school_admin"], member=cast.member_a, applied_on=TODAY
        )


def test_a_person_has_one_file_and_the_application_is_not_in_the_future(cast: Cast) -> None:
    c = applicant(cast, TODAY, name="钱七")
    with pytest.raises(ValidationError, match="钱七已有发展档案。"):
        services.candidate_open(actor=cast.users["school_admin"], member=c.member, applied_on=TODAY)
    person = MemberFactory.create(branch=cast.branch_a1, political_status=PoliticalStatus.MASSES)
    with pytest.raises(ValidationError, match="递交入党申请书日期不能晚于今天。"):
        services.candidate_open(
            actor=cast.users["school_admin"], member=person, applied_on=TODAY + DAY
        )


# --- details --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"training_finished_on": TODAY + DAY}, "日期不能晚于今天。"),
        ({"review_on": TODAY + DAY}, "日期不能晚于今天。"),
        ({"training_grade": "A+"}, "请选择结业成绩。"),
        ({"review_result": "ok"}, "请选择政治审查结论。"),
    ],
)
def test_details_against_the_rules_are_refused(
    cast: Cast, fields: dict[str, Any], message: str
) -> None:
    c = applicant(cast, TODAY)
    with pytest.raises(ValidationError, match=message):
        services.candidate_details_update(actor=cast.users["school_admin"], candidate=c, **fields)


def test_two_contacts_are_two_people(cast: Cast) -> None:
    c = applicant(cast, TODAY)
    one, _ = contacts(cast)
    admin = cast.users["school_admin"]
    services.candidate_details_update(actor=admin, candidate=c, contact_1=one)
    with pytest.raises(ValidationError, match="两人不能是同一人。"):
        services.candidate_details_update(actor=admin, candidate=c, contact_2=one)


def test_details_need_the_right_and_a_known_field(cast: Cast) -> None:
    c = applicant(cast, TODAY)
    with pytest.raises(PermissionDenied):
        services.candidate_details_update(
            actor=cast.users["unit_b_admin"], candidate=c, training_school="党校"
        )
    with pytest.raises(ValueError, match="not a detail field"):
        services.candidate_details_update(
            actor=cast.users["school_admin"], candidate=c, stage=S.FULL
        )


def test_unchanged_details_write_no_audit_row(cast: Cast) -> None:
    c = applicant(cast, TODAY)
    admin = cast.users["school_admin"]
    services.candidate_details_update(actor=admin, candidate=c, training_school="党校")
    services.candidate_details_update(actor=admin, candidate=c, training_school="党校")
    assert AuditEvent.objects.filter(action="development.details").count() == 1


def test_a_full_members_file_is_closed(cast: Cast) -> None:
    c = applicant(cast, TODAY)
    Candidate.objects.filter(pk=c.pk).update(stage=S.FULL)
    c.refresh_from_db()
    with pytest.raises(ValidationError, match="已转为正式党员，档案不再修改。"):
        services.candidate_details_update(
            actor=cast.users["school_admin"], candidate=c, training_school="党校"
        )
    assert _advance_problems(cast, c, on=TODAY) == ["已是正式党员，没有下一阶段。"]


# --- 公示 and objections ---------------------------------------------------------------------


def test_an_applicant_needs_no_publicity(cast: Cast) -> None:
    c = applicant(cast, TODAY - dt.timedelta(days=30))
    with pytest.raises(ValidationError, match="只有发展对象（接收预备党员前）和预备党员"):
        services.publicity_open(
            actor=cast.users["school_admin"],
            candidate=c,
            starts_on=TODAY - dt.timedelta(days=10),
            ends_on=TODAY,
        )
    with pytest.raises(PermissionDenied):
        services.publicity_open(
            actor=cast.users["unit_b_admin"], candidate=c, starts_on=TODAY, ends_on=TODAY
        )


def test_a_publicity_starts_after_the_stage_was_reached(cast: Cast) -> None:
    c = _target(cast)
    reached = c.reached_on(S.TARGET)
    assert reached is not None
    with pytest.raises(ValidationError, match="公示不能早于进入当前阶段的日期。"):
        services.publicity_open(
            actor=cast.users["school_admin"],
            candidate=c,
            starts_on=reached - DAY,
            ends_on=reached + dt.timedelta(days=10),
        )
    assert not Publicity.objects.exists()


def test_objections_and_their_checks_keep_to_their_dates(cast: Cast) -> None:
    c = _target(cast)
    admin = cast.users["school_admin"]
    publicity = services.publicity_open(
        actor=admin, candidate=c, starts_on=TODAY - dt.timedelta(days=6), ends_on=TODAY
    )
    with pytest.raises(ValidationError, match="请填写反映内容。"):
        services.objection_record(actor=admin, publicity=publicity, received_on=TODAY, text=" ")
    for day in (publicity.starts_on - DAY, TODAY + DAY):
        with pytest.raises(ValidationError, match="收到日期须在公示开始之后、今天之前。"):
            services.objection_record(
                actor=admin, publicity=publicity, received_on=day, text="反映"
            )
    with pytest.raises(PermissionDenied):
        services.objection_record(
            actor=cast.users["unit_b_admin"], publicity=publicity, received_on=TODAY, text="x"
        )
    objection = services.objection_record(
        actor=admin, publicity=publicity, received_on=TODAY - DAY, text="反映"
    )
    with pytest.raises(ValidationError, match="请填写核查结论。"):
        services.objection_resolve(
            actor=admin, objection=objection, finding="", resolved_on=TODAY, upheld=False
        )
    for day in (TODAY - dt.timedelta(days=2), TODAY + DAY):
        with pytest.raises(ValidationError, match="核查日期须在收到日期之后、今天之前。"):
            services.objection_resolve(
                actor=admin, objection=objection, finding="不属实", resolved_on=day, upheld=False
            )
    with pytest.raises(PermissionDenied):
        services.objection_resolve(
            actor=cast.users["unit_b_admin"],
            objection=objection,
            finding="不属实",
            resolved_on=TODAY,
            upheld=False,
        )
    services.objection_resolve(
        actor=admin, objection=objection, finding="不属实", resolved_on=TODAY, upheld=False
    )
    with pytest.raises(ValidationError, match="该意见已核查。"):
        services.objection_resolve(
            actor=admin, objection=objection, finding="再查", resolved_on=TODAY, upheld=True
        )


# --- advancing ------------------------------------------------------------------------------


def test_a_step_is_neither_in_the_future_nor_before_the_current_stage(cast: Cast) -> None:
    c = applicant(cast, TODAY - dt.timedelta(days=60))
    one, _ = contacts(cast)
    services.candidate_details_update(actor=cast.users["school_admin"], candidate=c, contact_1=one)

    problems = _advance_problems(cast, c, on=TODAY + DAY)
    assert problems == ["日期不能晚于今天。"]
    problems = _advance_problems(cast, c, on=TODAY - dt.timedelta(days=61))
    applied = TODAY - dt.timedelta(days=60)
    assert problems[0] == f"日期不能早于成为入党申请人的日期（{applied:%Y-%m-%d}）。"


def test_receiving_checks_the_resolution_meeting(cast: Cast) -> None:
    c = _target(cast)
    on = add_months(c.applied_on, 15)
    ready_for_probation(cast, c, on)
    # a draft 主题党日 of another branch, held the day before
    at = timezone.make_aware(dt.datetime.combine(on - DAY, dt.time(15)))
    wrong = held_meeting(cast.branch_a2, kind=MeetingKind.THEME_DAY, held_at=at)

    problems = _advance_problems(cast, c, on=on, resolution=wrong, approved_on=on - dt.timedelta(2))

    assert problems == [
        "决议须是支部党员大会的会议记录。",
        "决议须是本人所在党支部的会议。",
        "支部党员大会的会议记录须经单位审核通过。",
        "预备期自支部大会通过之日算起：日期须与支部党员大会召开日期一致。",
        "上级党组织审批不能早于支部党员大会。",
    ]


def test_receiving_needs_an_approval_date_not_in_the_future(cast: Cast) -> None:
    c = _target(cast)
    on = add_months(c.applied_on, 15)
    meeting = ready_for_probation(cast, c, on)

    assert _advance_problems(cast, c, on=on, resolution=meeting) == ["须填写上级党组织审批日期。"]
    assert _advance_problems(cast, c, on=on, resolution=meeting, approved_on=TODAY + DAY) == [
        "上级党组织审批日期不能晚于今天。"
    ]


def test_a_meeting_not_yet_held_is_no_resolution(cast: Cast) -> None:
    c = _target(cast)
    on = add_months(c.applied_on, 15)
    meeting = ready_for_probation(cast, c, on)
    Meeting.objects.filter(pk=meeting.pk).update(held_at=None)
    meeting.refresh_from_db()

    problems = _advance_problems(cast, c, on=on, resolution=meeting, approved_on=on)
    assert problems == ["支部党员大会尚未召开。"]


def test_a_failed_training_stops_the_reception(cast: Cast) -> None:
    c = _target(cast)
    on = add_months(c.applied_on, 15)
    meeting = ready_for_probation(cast, c, on)
    services.candidate_details_update(
        actor=cast.users["school_admin"], candidate=c, training_grade=TrainingGrade.FAIL
    )
    problems = _advance_problems(cast, c, on=on, resolution=meeting, approved_on=on)
    assert problems == ["党校培训结业成绩须为合格以上。"]
    services.candidate_details_update(
        actor=cast.users["school_admin"], candidate=c, review_result=ReviewResult.FAILED
    )
    problems = _advance_problems(cast, c, on=on, resolution=meeting, approved_on=on)
    assert "须在接收前完成政治审查且结论为合格。" in problems


def test_becoming_full_is_discussed_after_the_probation(cast: Cast) -> None:
    c = _target(cast, days_ago=1200)
    on = add_months(c.applied_on, 15)
    meeting = ready_for_probation(cast, c, on)
    admin = cast.users["school_admin"]
    services.candidate_advance(actor=admin, candidate=c, on=on, resolution=meeting, approved_on=on)
    c.refresh_from_db()
    full_on = add_months(on, 12)
    services.publicity_open(
        actor=admin, candidate=c, starts_on=full_on - dt.timedelta(days=8), ends_on=full_on - DAY
    )
    early = assembly(cast, full_on - dt.timedelta(days=3))

    problems = _advance_problems(cast, c, on=full_on, resolution=early, approved_on=full_on)

    assert problems == ["转正须在预备期满后由支部党员大会讨论。"]


# --- evidence -------------------------------------------------------------------------------


def test_evidence_is_filed_under_the_current_stage(cast: Cast, media_root: Path) -> None:
    c = applicant(cast, TODAY)
    user = cast.users["branch_secretary"]
    data = b"%PDF application"
    upload = finished_upload(user, "入党申请书.pdf", data)

    assert services.evidence_add(actor=user, candidate=c, upload_ids=[""]) == []
    [evidence] = services.evidence_add(actor=user, candidate=c, upload_ids=[str(upload.pk)])

    assert (evidence.stage, evidence.original_name) == (S.APPLICANT, "入党申请书.pdf")
    assert (media_root / str(evidence.file.name)).read_bytes() == data
    event = AuditEvent.objects.get(action="development.evidence")
    assert event.changes == {"files": ["入党申请书.pdf"]}


def test_evidence_needs_the_right_and_fits_the_limit(cast: Cast, media_root: Path) -> None:
    c = applicant(cast, TODAY)
    with pytest.raises(PermissionDenied):
        services.evidence_add(actor=cast.users["unit_b_admin"], candidate=c, upload_ids=["x"])
    ids = [f"00000000-0000-0000-0000-{n:012d}" for n in range(services.MAX_EVIDENCE + 1)]
    with pytest.raises(ValidationError, match=re.escape("每份档案最多 40 个材料。")):
        services.evidence_add(actor=cast.users["school_admin"], candidate=c, upload_ids=ids)
    assert not Evidence.objects.exists()
