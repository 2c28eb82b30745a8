"""The unit summary's audit rows say what changed (audit.services.field_changes)."""

from audit.models import AuditEvent
from campaigns import services
from campaigns.tests.helpers import K, make_campaign
from conftest import Cast


def test_unit_summary_update_audits_the_old_and_new_text(cast: Cast) -> None:
    # given a unit's summary
    d, admin = make_campaign(cast)[1][K.STORY], cast.users["unit_a_admin"]
    services.unit_summary_save(actor=admin, deliverable=d, org=cast.unit_a, text="初稿。")
    # when it is rewritten, and then saved again unchanged
    services.unit_summary_save(actor=admin, deliverable=d, org=cast.unit_a, text="定稿。")
    services.unit_summary_save(actor=admin, deliverable=d, org=cast.unit_a, text="定稿。")
    # then the rows carry the change, and saving the same text adds none
    events = AuditEvent.objects.filter(action__startswith="unit_summary.").order_by("id")
    assert [(e.action, e.changes) for e in events] == [
        ("unit_summary.create", {"text": [None, "初稿。"]}),
        ("unit_summary.update", {"text": ["初稿。", "定稿。"]}),
    ]
