"""Two admins press 报送 for the last slot at the same moment: one is accepted."""

import threading
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection

from campaigns import services
from campaigns.models import Submission, SubmissionState
from campaigns.tests.helpers import K, draft, make_campaign, summary_for
from conftest import Cast


def test_two_simultaneous_submissions_for_the_last_slot_one_wins(
    cast: Cast, transactional_db: Any, settings: Any, tmp_path: Any
) -> None:
    # given unit A has 4 of its 5 stories in, and two drafts ready
    settings.MEDIA_ROOT = tmp_path
    d = make_campaign(cast)[1][K.STORY]
    summary_for(cast, d)
    for i in range(4):
        s = draft(cast, d, title=f"故事{i}")
        services.submission_submit(actor=cast.users["unit_a_admin"], submission=s)
    drafts = [draft(cast, d, title="甲"), draft(cast, d, title="乙")]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def press(pk: int) -> None:
        # each thread has its own database connection and transaction
        try:
            submission = Submission.objects.select_related("deliverable").get(pk=pk)
            start.wait()
            services.submission_submit(actor=cast.users["unit_a_admin"], submission=submission)
            outcomes.append("accepted")
        except ValidationError as e:
            outcomes.append("refused: " + e.messages[0])
        finally:
            connection.close()

    # when both are submitted at once
    threads = [threading.Thread(target=press, args=(s.pk,)) for s in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # then exactly one is accepted and the unit has 5
    assert sorted(o.split(":")[0] for o in outcomes) == ["accepted", "refused"]
    assert "已达上限" in next(o for o in outcomes if o.startswith("refused"))
    counted = Submission.objects.filter(
        deliverable=d, org=cast.unit_a, state=SubmissionState.SUBMITTED
    ).count()
    assert counted == 5
