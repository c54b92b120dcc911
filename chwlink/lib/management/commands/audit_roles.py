from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from chwlink.lib import audit_guard


class Command(BaseCommand):
    help = (
        "Grant the application's database role what it needs and no more: SELECT "
        "and INSERT on the audit tables, SELECT, INSERT, UPDATE and DELETE on the "
        "others. Run it as the role that owns the tables (the one that runs "
        "`migrate`), after every `migrate`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--app-role",
            required=True,
            help="The PostgreSQL role the application connects as.",
        )
        parser.add_argument(
            "--print",
            action="store_true",
            dest="print_only",
            help="Print the statements instead of running them.",
        )

    def handle(self, *args, app_role, print_only, **options):
        statements = audit_guard.grant_statements(app_role)
        if print_only:
            for statement in statements:
                self.stdout.write(f"{statement};")
            return
        self._refuse_unsafe(app_role)
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(
            f"{app_role} may read and add to {len(audit_guard.audit_tables())} audit "
            "tables and change none of them."
        )

    def _refuse_unsafe(self, app_role):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [app_role])
            if cursor.fetchone() is None:
                raise CommandError(f"There is no database role {app_role}.")
        if audit_guard.is_superuser(app_role):
            raise CommandError(
                f"{app_role} is a superuser and can switch off any protection; the "
                "application must connect as an ordinary role."
            )
        owned = audit_guard.owned_by(app_role)
        if owned:
            raise CommandError(
                f"{app_role} owns audit tables ({', '.join(owned)}) and could disable "
                "their triggers. Let another role own them (ALTER TABLE … OWNER TO, "
                "or REASSIGN OWNED BY) and run `migrate` as that role."
            )
