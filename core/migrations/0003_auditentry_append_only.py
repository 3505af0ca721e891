"""Make the audit log append-only in PostgreSQL itself.

The model and its queryset already refuse updates and deletes; the trigger also stops raw
SQL, bulk operations and cascades, so the log cannot be rewritten from any shell. TRUNCATE is
left alone, as for the case timeline: it is how test databases are emptied.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_auditentry is append-only: % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_entry")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
