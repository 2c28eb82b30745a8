import datetime as dt

from django.db import migrations

# The defaults (「规定程序不落项」): 支委会, 党小组会 and 主题党日 monthly; 支部党员大会
# and 党课 quarterly; 组织生活会 yearly; school-wide.
DEFAULTS = [
    ("committee", "monthly"),
    ("group", "monthly"),
    ("theme_day", "monthly"),
    ("general_assembly", "quarterly"),
    ("lecture", "quarterly"),
    ("org_life", "yearly"),
]


def add_defaults(apps, schema_editor):
    Rule = apps.get_model("meetings", "ComplianceRule")
    for kind, frequency in DEFAULTS:
        Rule.objects.create(
            kind=kind, frequency=frequency, min_count=1, starts_on=dt.date(2020, 1, 1)
        )


def remove_defaults(apps, schema_editor):
    Rule = apps.get_model("meetings", "ComplianceRule")
    for kind, frequency in DEFAULTS:
        Rule.objects.filter(
            kind=kind, frequency=frequency, org__isnull=True, starts_on=dt.date(2020, 1, 1)
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_meetings_attendance_committee_rules")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
