from campaigns.models import Submission, SubmissionState
from campaigns.tests.factories import CampaignFactory, DeliverableFactory, SubmissionFactory
from conftest import Cast


def stories(cast: Cast) -> tuple[Submission, Submission]:
    """One published story of branch A1 and one only selected (not published)."""
    campaign = CampaignFactory.create(org=cast.school)
    deliverable = DeliverableFactory.create(campaign=campaign)
    published = SubmissionFactory.create(
        deliverable=deliverable,
        org=cast.branch_a1,
        title="北门值守的四十个日夜",
        summary="党员张三坚守北门值守岗位。",
        state=SubmissionState.PUBLISHED,
    )
    hidden = SubmissionFactory.create(
        deliverable=deliverable,
        org=cast.branch_a2,
        title="尚未发布的故事",
        summary="内部材料，联系电话13800000002",
        state=SubmissionState.SELECTED,
    )
    return published, hidden
