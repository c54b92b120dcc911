"""What keeps the audit trail intact against the application's own database role.

Two layers:

- Triggers (installed by migrations, ``plumbing`` 0003 and each migration that adds
  an event table) refuse ``UPDATE``, ``DELETE``
  and ``TRUNCATE`` on every audit table, whoever asks, and let pghistory's context
  rows only gain metadata. They are plain SQL, so ``pgtrigger.ignore`` cannot switch
  them off; only a table owner (``ALTER TABLE … DISABLE TRIGGER``) or a superuser
  (``session_replication_role = replica``) can.
- Roles: in production the tables belong to a migration role and the application
  connects as another role that may only ``SELECT`` and ``INSERT`` on the audit
  tables (``manage.py audit_roles --app-role …`` grants exactly that), so it can
  neither disable the triggers nor empty the tables.
"""

from django.apps import apps
from django.core import checks
from django.db import connection

REFUSE_FUNCTION = "chwlink_audit_refuse"
CONTEXT_FUNCTION = "chwlink_audit_context_guard"
TABLE_TRIGGER = "chwlink_audit_append_only"
CONTEXT_TRIGGER = "chwlink_audit_context_grows_only"
CONTEXT_TABLE = "pghistory_context"


def audit_tables() -> list[str]:
    """Every audit table of the project: the access log, each pghistory event table
    and pghistory's context (who made each change, from which URL)."""
    tables = {
        model._meta.db_table
        for model in apps.get_models()
        if hasattr(model, "pgh_tracked_model")
    }
    tables.add(apps.get_model("plumbing", "AccessRecord")._meta.db_table)
    tables.add(CONTEXT_TABLE)
    return sorted(tables)


def grant_statements(app_role: str) -> list[str]:
    """What the application's role may do: SELECT and INSERT on the audit tables
    (plus adding metadata to a context row, which pghistory's upsert needs), the
    usual SELECT, INSERT, UPDATE and DELETE elsewhere; never TRUNCATE, never own."""
    role = connection.ops.quote_name(app_role)
    audit = set(audit_tables())
    statements = [f"GRANT USAGE ON SCHEMA public TO {role}"]
    for table in sorted(connection.introspection.table_names()):
        name = connection.ops.quote_name(table)
        statements.append(f"REVOKE ALL ON TABLE {name} FROM {role}")
        if table in audit:
            statements.append(f"GRANT SELECT, INSERT ON TABLE {name} TO {role}")
        elif table == "django_migrations":
            statements.append(f"GRANT SELECT ON TABLE {name} TO {role}")
        else:
            statements.append(
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE {name} TO {role}"
            )
    statements.append(
        f"GRANT UPDATE (metadata, updated_at) ON TABLE {CONTEXT_TABLE} TO {role}"
    )
    statements.append(
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"
    )
    return statements


def owned_by(role: str) -> list[str]:
    """The audit tables that ``role`` owns (or can act as the owner of): it could
    disable their triggers."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
            "AND c.relname = ANY(%s) AND pg_has_role(%s, c.relowner, 'USAGE') "
            "ORDER BY c.relname",
            [audit_tables(), role],
        )
        return [row[0] for row in cursor.fetchall()]


def is_superuser(role: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
    return bool(row and row[0])


@checks.register(checks.Tags.database, deploy=True)
def check_application_role(app_configs=None, databases=None, **kwargs):
    """``manage.py check --deploy --database default``, run with the application's
    ``DATABASE_URL``: warn when its role could undo the audit protection."""
    if not databases or "default" not in databases:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        role = cursor.fetchone()[0]
    if is_superuser(role):
        reason = "is a superuser"
    elif owned := owned_by(role):
        reason = f"owns the audit tables {', '.join(owned)}"
    else:
        return []
    return [
        checks.Warning(
            f"The application's database role {role} {reason}: it could switch off "
            "the triggers that keep the audit trail append-only.",
            hint="Let a migration role own the tables and run "
            "`manage.py audit_roles --app-role <role>` (SECURITY.md, Database roles).",
            id="chwlink.W001",
        )
    ]
