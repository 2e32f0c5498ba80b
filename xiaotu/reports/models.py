"""The 规程 standard a library is measured against, and its report settings (loan target, reading stars)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaotu.schools.models import Library

_SHARE = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Standard(models.Model):
    """规程标准 — one row per school level of 《中小学图书馆(室)规程》's appendix, editable by the library.

    Seeded with the 2018 figures (see migrations/0002); a district that sets its own higher bar edits the row.
    """

    class Level(models.TextChoices):
        PRIMARY = "primary", _("小学")
        JUNIOR = "junior", _("初级中学")
        SENIOR = "senior", _("高级中学")
        COMPLETE = "complete", _("完全中学")

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="standards")
    level = models.CharField(_("学校类别"), max_length=16, choices=Level.choices)
    books_per_pupil = models.DecimalField(_("生均藏书（册）"), max_digits=6, decimal_places=1)
    new_books_per_pupil = models.DecimalField(_("年生均新增图书（册）"), max_digits=5, decimal_places=1)
    periodicals = models.PositiveIntegerField(_("报刊（种）"))
    reference_titles = models.PositiveIntegerField(_("工具书、教学参考书（种）"))
    # 五大部类 shares of the holdings, in percent.
    share_a = models.DecimalField(_("马列毛邓 A（%）"), max_digits=5, decimal_places=1, validators=_SHARE)
    share_b = models.DecimalField(_("哲学 B（%）"), max_digits=5, decimal_places=1, validators=_SHARE)
    share_social = models.DecimalField(_("社会科学 C–K（%）"), max_digits=5, decimal_places=1, validators=_SHARE)
    share_natural = models.DecimalField(_("自然科学 N–X（%）"), max_digits=5, decimal_places=1, validators=_SHARE)
    share_z = models.DecimalField(_("综合 Z（%）"), max_digits=5, decimal_places=1, validators=_SHARE)

    class Meta:
        verbose_name = _("规程标准")
        verbose_name_plural = _("规程标准")
        ordering = ["library", "pk"]
        constraints = [models.UniqueConstraint(fields=["library", "level"], name="standard_level_unique")]

    def __str__(self) -> str:
        return self.get_level_display()

    def shares(self) -> dict[str, Decimal]:
        """The shares keyed as catalogue.clc.table.CATEGORIES names the 五大部类."""
        return {
            "marxism": self.share_a,
            "philosophy": self.share_b,
            "social_sciences": self.share_social,
            "natural_sciences": self.share_natural,
            "general": self.share_z,
        }


class ReportSettings(models.Model):
    """统计设置 — the library's own targets and what it publishes; one row per library."""

    library = models.OneToOneField(Library, on_delete=models.CASCADE, related_name="report_settings")
    loans_per_pupil_target = models.DecimalField(
        _("人均每学期借书目标（册）"), max_digits=5, decimal_places=1, default=Decimal("10")
    )
    # A 部类 share within this many percentage points of the standard counts as met.
    share_tolerance = models.DecimalField(
        _("部类比例允许偏差（百分点）"), max_digits=4, decimal_places=1, default=Decimal("5")
    )
    stars_public = models.BooleanField(_("在公共目录公布读书之星"), default=False)
    stars_count = models.PositiveSmallIntegerField(
        _("每班、每年级公布人数"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    stars_show_class = models.BooleanField(_("公布班级"), default=True)
    stars_show_count = models.BooleanField(_("公布借阅册数"), default=False)
    # Surname plus 同学 (张同学) when off: many schools publish only that.
    stars_show_full_name = models.BooleanField(_("公布全名"), default=True)

    class Meta:
        verbose_name = _("统计设置")
        verbose_name_plural = _("统计设置")

    def __str__(self) -> str:
        return str(self.library)


# -- Daily tallies of circulation ------------------------------------------------------------------------------------
# A term of a big school is hundreds of thousands of loans; grouping them on every page view is seconds on SQLite.
# Past days never change (a loan is issued, and a book returned, at the moment it happens), so each closed day is
# counted once into these small tables and the reports add today's loans live. Ids are plain integers, not foreign
# keys: these are a cache, rebuilt from the loans whenever they disagree (see tallies.py).


class TallyState(models.Model):
    """How far the tallies of a library go: every day before `through`, made when `issued_before` loans existed."""

    library = models.OneToOneField(Library, on_delete=models.CASCADE, related_name="+")
    # None: nothing tallied yet.
    through = models.DateField(null=True)
    issued_before = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.library_id} < {self.through}"


class ClassDay(models.Model):
    """Loans issued and books returned on one day by the pupils of one class (or readers in none) of one type."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    school_class_id = models.BigIntegerField(null=True)
    reader_type_id = models.BigIntegerField()
    loans = models.PositiveIntegerField(default=0)
    returns = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["library", "day"], name="class_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.school_class_id}/{self.reader_type_id}: {self.loans}/{self.returns}"


class ShelfDay(models.Model):
    """Loans and returns on one day of the books of one 中图法 basic class at one location."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    letter = models.CharField(max_length=1)
    location_id = models.BigIntegerField()
    loans = models.PositiveIntegerField(default=0)
    returns = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["library", "day"], name="shelf_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.letter}@{self.location_id}: {self.loans}/{self.returns}"


class ReaderDay(models.Model):
    """How many books one reader borrowed on one day (读书之星)."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    reader_id = models.BigIntegerField()
    loans = models.PositiveIntegerField()

    class Meta:
        # Covering: a term's stars are read from the index alone.
        indexes = [models.Index(fields=["library", "day", "reader_id", "loans"], name="reader_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.reader_id}: {self.loans}"


class RecordDay(models.Model):
    """How many copies of one title were lent on one day, or in the week or month starting that day (借阅排行).

    Nearly every loan of a day is of a different title, so days alone barely shrink the loans; a term is read as
    its whole months, then whole weeks, then the days left over at its ends.
    """

    class Span(models.TextChoices):
        DAY = "d"
        WEEK = "w"
        MONTH = "m"

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="+")
    span = models.CharField(max_length=1, choices=Span.choices, default=Span.DAY)
    day = models.DateField()
    record_id = models.BigIntegerField()
    loans = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["library", "span", "day", "record_id", "loans"], name="record_span_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.span}{self.day} {self.record_id}: {self.loans}"


class TallyPending(models.Model):
    """A loan issued before the tallied day and not yet returned at its start: the only old loans whose return can
    still fall into the live part, so the live count of returns need not scan every loan for its return time."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="+")
    loan_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["library", "loan_id"], name="tally_pending_idx")]

    def __str__(self) -> str:
        return str(self.loan_id)


class TallyBorrowed(models.Model):
    """A copy lent at least once on a tallied day: 零借阅 is the copies held that are not here nor lent since."""

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="+")
    item_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["library", "item_id"], name="tally_borrowed_unique")]

    def __str__(self) -> str:
        return str(self.item_id)
