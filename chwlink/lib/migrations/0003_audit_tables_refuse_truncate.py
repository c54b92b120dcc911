# Every audit table refuses UPDATE, DELETE and TRUNCATE by a trigger that
# pgtrigger.ignore cannot switch off, and pghistory's context rows (who made each
# change, from which URL) may only gain metadata. See chwlink/lib/audit_guard.py.

from django.db import migrations

FUNCTIONS = """
CREATE OR REPLACE FUNCTION chwlink_audit_refuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'chwlink: % of the audit table % is refused', TG_OP, TG_TABLE_NAME;
END;
$$;

-- pghistory upserts one context row per request: it may add metadata to the row
-- (INSERT ... ON CONFLICT DO UPDATE), never change or remove what the row says.
CREATE OR REPLACE FUNCTION chwlink_audit_context_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id = OLD.id AND NEW.created_at = OLD.created_at
            AND NEW.metadata @> OLD.metadata THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'chwlink: changing who made the change % is refused', OLD.id;
END;
$$;
"""

DROP_FUNCTIONS = """
DROP FUNCTION IF EXISTS chwlink_audit_context_guard();
DROP FUNCTION IF EXISTS chwlink_audit_refuse();
"""

TABLES = [
    "evaluation_pamadministrationhistory",
    "evaluation_storyhistory",
    "evaluation_utilizationrecordhistory",
    "plumbing_accessrecord",
    "referrals_encounterhistory",
    "referrals_pathwayhistory",
    "referrals_pathwayresourcehistory",
    "referrals_pathwaystephistory",
    "referrals_patienthistory",
    "referrals_referraleventhistory",
    "referrals_referralhistory",
]

PROTECT = (
    "CREATE OR REPLACE TRIGGER chwlink_audit_append_only "
    "BEFORE UPDATE OR DELETE OR TRUNCATE ON {} "
    "FOR EACH STATEMENT EXECUTE FUNCTION chwlink_audit_refuse();"
)
UNPROTECT = "DROP TRIGGER IF EXISTS chwlink_audit_append_only ON {};"

PROTECT_CONTEXT = """
CREATE OR REPLACE TRIGGER chwlink_audit_append_only BEFORE DELETE OR TRUNCATE
    ON pghistory_context FOR EACH STATEMENT EXECUTE FUNCTION chwlink_audit_refuse();
CREATE OR REPLACE TRIGGER chwlink_audit_context_grows_only BEFORE UPDATE
    ON pghistory_context FOR EACH ROW EXECUTE FUNCTION chwlink_audit_context_guard();
"""

UNPROTECT_CONTEXT = """
DROP TRIGGER IF EXISTS chwlink_audit_context_grows_only ON pghistory_context;
DROP TRIGGER IF EXISTS chwlink_audit_append_only ON pghistory_context;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("plumbing", "0002_rename_tables"),
        ("referrals", "0011_merge_dashboard_and_statements"),
        ("evaluation", "0006_rollup_triggers_on_read_columns"),
        ("pghistory", "0007_auto_20250421_0444"),
    ]

    operations = [
        migrations.RunSQL(FUNCTIONS, reverse_sql=DROP_FUNCTIONS),
        migrations.RunSQL(
            [PROTECT.format(table) for table in TABLES],
            reverse_sql=[UNPROTECT.format(table) for table in TABLES],
        ),
        migrations.RunSQL(PROTECT_CONTEXT, reverse_sql=UNPROTECT_CONTEXT),
    ]
