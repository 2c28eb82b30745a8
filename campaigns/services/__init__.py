"""Every write to campaigns and submissions goes through here: pages, the API, the demo,
commands and the upward-package import call the same services.

A submission moves only along models.TRANSITIONS; each move writes a SubmissionEvent
(who, when, from, to, comment) and an audit row. Where to look:

- campaigns.py    campaigns, deliverables, a unit's summary
- submissions.py  a unit's side: draft, edit, submit (quota and deadline), withdraw, redraft
- review.py       score and comment, and every change of state after submit
- files.py        attaching files: checked by content, videos probed, refused whole
- reminders.py    e-mails to units that have not submitted before a deadline
"""

from .campaigns import (
    campaign_create,
    campaign_update,
    deliverable_create,
    deliverable_update,
    unit_summary_save,
)
from .files import (
    AttachResult,
    IncomingFile,
    incoming_from_path,
    submission_attach,
    submission_file_delete,
)
from .reminders import REMIND_DAYS_BEFORE, reminders_send
from .review import (
    RECOMMEND_TO_LECTURE_SHOW,
    RECOMMEND_TO_PROVINCE,
    recommend_targets,
    submission_review,
    submission_transition,
)
from .submissions import (
    EDITABLE_FIELDS,
    AuthorIn,
    submission_create,
    submission_problems,
    submission_redraft,
    submission_submit,
    submission_update,
    submission_withdraw,
)

__all__ = [
    "EDITABLE_FIELDS",
    "RECOMMEND_TO_LECTURE_SHOW",
    "RECOMMEND_TO_PROVINCE",
    "REMIND_DAYS_BEFORE",
    "AttachResult",
    "AuthorIn",
    "IncomingFile",
    "campaign_create",
    "campaign_update",
    "deliverable_create",
    "deliverable_update",
    "incoming_from_path",
    "recommend_targets",
    "reminders_send",
    "submission_attach",
    "submission_create",
    "submission_file_delete",
    "submission_problems",
    "submission_redraft",
    "submission_review",
    "submission_submit",
    "submission_transition",
    "submission_update",
    "submission_withdraw",
    "unit_summary_save",
]
