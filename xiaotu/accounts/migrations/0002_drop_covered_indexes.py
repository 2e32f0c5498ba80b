"""Drop the audit log's index on the library alone: the log is read by object or by time, and every desk scan
writes each index. By name, as in circulation 0011, so that SQLite does not copy the whole log."""

import django.db.models.deletion
from django.db import migrations, models

NAME = "accounts_auditevent_library_id_ae1b38f9"


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("schools", "0002_school_year"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{NAME}"',
                    reverse_sql=f'CREATE INDEX "{NAME}" ON "accounts_auditevent" ("library_id")',
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="library",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="schools.library",
                    ),
                ),
            ],
        ),
    ]
