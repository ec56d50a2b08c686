"""Create the role groups and make audit rows immutable in the database itself.

Updates are refused by a trigger. Deleting rows is left to the database owner (retention purges, test
database flushes); the ORM, admin, back office and API cannot delete them.
"""

from django.db import migrations

ROLES = ["senior", "association_rep", "coordinator", "homecare_staff", "welfaretech_admin", "official"]

TABLE = "accounts_auditentry"

SQLITE_FORWARD = [
    f"CREATE TRIGGER auditentry_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS auditentry_no_update;"]

POSTGRES_FORWARD = [
    "CREATE OR REPLACE FUNCTION auditentry_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;",
    f"CREATE TRIGGER auditentry_append_only BEFORE UPDATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION auditentry_append_only();",
]
POSTGRES_BACKWARD = [
    f"DROP TRIGGER IF EXISTS auditentry_append_only ON {TABLE};",
    "DROP FUNCTION IF EXISTS auditentry_append_only();",
]


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


def _run(schema_editor, statements_by_vendor):
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def add_triggers(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD})


def drop_triggers(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_roles, remove_roles),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
