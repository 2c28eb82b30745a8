"""On PostgreSQL, the care-fund ledger refuses UPDATE and DELETE (a correction is a reversing
entry). SQLite, the demo's database, relies on the services, which never change a line."""

from typing import Any

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION carefund_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '关爱资金流水只增不改：请以冲正更正 (carefund_careentry is append-only)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER carefund_entry_append_only
    BEFORE UPDATE OR DELETE ON carefund_careentry
    FOR EACH ROW EXECUTE FUNCTION carefund_entry_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS carefund_entry_append_only ON carefund_careentry;
DROP FUNCTION IF EXISTS carefund_entry_append_only();
"""


def _run(sql: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("carefund", "0001_care_funds_ledger_payments")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
