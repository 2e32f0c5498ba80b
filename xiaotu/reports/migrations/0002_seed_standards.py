"""Seed every existing library's 规程 table; libraries made later get theirs on first use (services.py)."""

from decimal import Decimal

from django.db import migrations

# A copy of standards.DEFAULTS as it was when this migration was written: migrations must not change with the code.
ROWS = {
    "primary": (Decimal("25"), Decimal("1"), 60, 120, (1, 2, 63, 24, 10)),
    "junior": (Decimal("35"), Decimal("1"), 80, 180, (1, 2, 59, 28, 10)),
    "senior": (Decimal("50"), Decimal("1"), 120, 250, (1, 2, 59, 28, 10)),
    "complete": (Decimal("45"), Decimal("1"), 120, 250, (1, 2, 59, 28, 10)),
}


def seed(apps, schema_editor):
    Library = apps.get_model("schools", "Library")
    Standard = apps.get_model("reports", "Standard")
    for library in Library.objects.all():
        for level, (books, new, periodicals, reference, shares) in ROWS.items():
            a, b, social, natural, z = (Decimal(share) for share in shares)
            Standard.objects.get_or_create(
                library=library,
                level=level,
                defaults={
                    "books_per_pupil": books,
                    "new_books_per_pupil": new,
                    "periodicals": periodicals,
                    "reference_titles": reference,
                    "share_a": a,
                    "share_b": b,
                    "share_social": social,
                    "share_natural": natural,
                    "share_z": z,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("schools", "0002_school_year")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
