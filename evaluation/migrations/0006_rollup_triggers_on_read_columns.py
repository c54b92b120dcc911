"""The rollup triggers fire only when a column the rollups read changes.

Statements mark what they bill on referrals and pathways (acceptance_billed_at,
billed_at, the pathway's partnership), and every save moves ``updated``; none of
those is read by the rollups, so such updates no longer recompute the
referral's fact (a statement marks thousands of rows at a time).
"""

from django.db import migrations

# What evaluation_referralfact_source and the enrollments read of a referral.
REFERRAL_COLUMNS = [
    "partnership_id", "clinic_id", "navigator_id", "patient_id", "status",
    "social_needs", "submitted_at", "accepted_at", "assigned_at",
    "first_contact_at", "last_contact_at", "closed_at", "status_changed_at",
]  # fmt: skip
# What the facts read of a pathway, of a pathway's resource and of a contact.
PATHWAY_COLUMNS = ["referral_id", "status"]
PATHWAY_RESOURCE_COLUMNS = ["pathway_id"]
ENCOUNTER_COLUMNS = ["referral_id", "navigator_id", "occurred_at"]

TABLES = [
    ("referrals_referral", "evaluation_on_referral", REFERRAL_COLUMNS),
    ("referrals_pathway", "evaluation_on_pathway", PATHWAY_COLUMNS),
    (
        "referrals_pathwayresource",
        "evaluation_on_pathway_resource",
        PATHWAY_RESOURCE_COLUMNS,
    ),
    ("referrals_encounter", "evaluation_on_encounter", ENCOUNTER_COLUMNS),
]


def _row(prefix, columns):
    return "(" + ", ".join(f"{prefix}.{column}" for column in columns) + ")"


FORWARD = "\n".join(
    f"""
DROP TRIGGER evaluation_rollups ON {table};
CREATE TRIGGER evaluation_rollups AFTER INSERT OR DELETE
ON {table} FOR EACH ROW EXECUTE FUNCTION {function}();
CREATE TRIGGER evaluation_rollups_update AFTER UPDATE
ON {table} FOR EACH ROW
WHEN ({_row("OLD", columns)} IS DISTINCT FROM {_row("NEW", columns)})
EXECUTE FUNCTION {function}();
"""
    for table, function, columns in TABLES
)

BACKWARD = "\n".join(
    f"""
DROP TRIGGER evaluation_rollups_update ON {table};
DROP TRIGGER evaluation_rollups ON {table};
CREATE TRIGGER evaluation_rollups AFTER INSERT OR UPDATE OR DELETE
ON {table} FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    for table, function, _columns in TABLES
)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0005_rollup_triggers"),
        ("referrals", "0011_merge_dashboard_and_statements"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
