"""Drop the loan indexes that others cover: every check-out writes each index a loan has.

The indexes go by name with DROP INDEX: altering the fields the ordinary way makes SQLite copy the whole loan
table three times over. The names are Django's own, the same on SQLite and PostgreSQL.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DROPPED = {
    "circulation_loan_issued_by_id_5631cf84": "issued_by_id",
    "circulation_loan_library_id_34d47007": "library_id",
    "circulation_loan_reader_id_671dc258": "reader_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("circulation", "0010_room_visits"),
        ("readers", "0003_reader_password"),
        ("schools", "0002_school_year"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "circulation_loan" ("{column}")',
                )
                for name, column in DROPPED.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="loan",
                    name="issued_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="loan",
                    name="library",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="loans",
                        to="schools.library",
                    ),
                ),
                migrations.AlterField(
                    model_name="loan",
                    name="reader",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="loans",
                        to="readers.reader",
                        verbose_name="读者",
                    ),
                ),
            ],
        ),
    ]
