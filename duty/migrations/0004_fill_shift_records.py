"""Copy each duty record's shift onto it; pin checked-in assignments."""

from django.db import migrations


def fill_shift_fields(apps, schema_editor):
    """Copy each record's shift (member, post, date, slot, roster, phase) from its assignment,
    and pin every checked-in assignment so no later roster change can remove it."""
    Assignment = apps.get_model("rosters", "Assignment")
    for name in ("DutyCheck", "DutyLog"):
        model = apps.get_model("duty", name)
        fields = ["member", "post", "date", "slot", "roster", "phase"]
        batch = []
        records = model.objects.filter(member__isnull=True).select_related("assignment__roster")
        for record in records.iterator(chunk_size=2000):
            a = record.assignment
            record.member_id, record.post_id = a.member_id, a.post_id
            record.date, record.slot = a.date, a.slot
            record.roster_id, record.phase_id = a.roster_id, a.roster.phase_id
            batch.append(record)
            if len(batch) >= 2000:
                model.objects.bulk_update(batch, fields)
                batch = []
        model.objects.bulk_update(batch, fields)
    Assignment.objects.filter(duty_check__isnull=False).update(pinned=True)


def unfill_shift_fields(apps, schema_editor):
    """Going back, records whose assignment is gone cannot be kept by the old schema
    (a check-in belonged to its assignment): refuse rather than lose them."""
    for name in ("DutyCheck", "DutyLog"):
        model = apps.get_model("duty", name)
        if model.objects.filter(assignment__isnull=True).exists():
            raise RuntimeError(
                f"{name}: some records have outlived their assignment; reverting would delete them."
            )


class Migration(migrations.Migration):
    dependencies = [
        ("duty", "0003_shift_records_outlive_rosters"),
        ("rosters", "0002_roster_solve_times"),
    ]

    operations = [migrations.RunPython(fill_shift_fields, unfill_shift_fields)]
