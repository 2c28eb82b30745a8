"""The intervals of the 发展党员工作细则, as rows a school can change."""

from typing import Any

from django.db import migrations

DEFAULTS = [
    ("applicant", "activist", 0, None, "党组织收到入党申请书后派人谈话，再从申请人中确定积极分子"),
    ("activist", "target", 12, None, "对入党积极分子一般经过一年以上培养教育和考察"),
    ("probationary", "full", 12, 24, "预备期为一年；延长预备期不能超过一年"),
]


def add(apps: Any, schema_editor: Any) -> None:
    rule = apps.get_model("development", "IntervalRule")
    for a, b, least, most, basis in DEFAULTS:
        rule.objects.create(
            from_stage=a, to_stage=b, min_months=least, max_months=most, basis=basis
        )


def remove(apps: Any, schema_editor: Any) -> None:
    rule = apps.get_model("development", "IntervalRule")
    for a, b, least, most, _ in DEFAULTS:
        rule.objects.filter(
            from_stage=a, to_stage=b, min_months=least, max_months=most
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("development", "0001_development_pipeline")]

    operations = [migrations.RunPython(add, remove)]
