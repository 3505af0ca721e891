"""Make the case timeline append-only in PostgreSQL itself.

The model and its queryset already refuse updates and deletes; the trigger also stops raw
SQL, bulk operations and cascades, so history cannot be rewritten from any shell.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION complaints_caseevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'complaints_caseevent is append-only: % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER complaints_caseevent_append_only
    BEFORE UPDATE OR DELETE ON complaints_caseevent
    FOR EACH ROW EXECUTE FUNCTION complaints_caseevent_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS complaints_caseevent_append_only ON complaints_caseevent;
DROP FUNCTION IF EXISTS complaints_caseevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
