"""Loan rules (reader type × item category) and loans, open and returned in one table."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaotu.catalogue.models import Item, ItemCategory
from xiaotu.readers.models import Reader, ReaderType
from xiaotu.schools.models import Library


class LoanRule(models.Model):
    """借阅规则 — one cell of the matrix: how this reader type may borrow this category."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="loan_rules")
    reader_type = models.ForeignKey(ReaderType, on_delete=models.CASCADE, verbose_name=_("读者类型"))
    item_category = models.ForeignKey(ItemCategory, on_delete=models.CASCADE, verbose_name=_("流通类型"))
    loan_days = models.PositiveSmallIntegerField(_("借期(天)"), default=30)
    max_loans = models.PositiveSmallIntegerField(_("可借册数"), default=2)
    max_renewals = models.PositiveSmallIntegerField(_("可续借次数"), default=1)
    overdue_blocks = models.BooleanField(_("有超期时停止借书"), default=True)

    class Meta:
        verbose_name = _("借阅规则")
        verbose_name_plural = _("借阅规则")
        constraints = [
            models.UniqueConstraint(fields=["reader_type", "item_category"], name="loan_rule_cell_unique"),
            models.CheckConstraint(condition=models.Q(loan_days__gte=1), name="loan_rule_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reader_type} × {self.item_category}"


class LoanCap(models.Model):
    """总借阅量 — how many books a reader type may hold at once across all categories."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="loan_caps")
    reader_type = models.OneToOneField(ReaderType, on_delete=models.CASCADE, verbose_name=_("读者类型"))
    max_total = models.PositiveSmallIntegerField(_("合计可借册数"), default=3)

    class Meta:
        verbose_name = _("总借阅量")
        verbose_name_plural = _("总借阅量")

    def __str__(self) -> str:
        return f"{self.reader_type}: {self.max_total}"


class Loan(models.Model):
    """借阅 — open while returned_at is empty; the database allows one open loan per item."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="loans")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="loans", verbose_name=_("册"))
    reader = models.ForeignKey(Reader, on_delete=models.PROTECT, related_name="loans", verbose_name=_("读者"))
    issued_at = models.DateTimeField(_("借出时间"))
    due_on = models.DateField(_("应还日期"))
    returned_at = models.DateTimeField(_("归还时间"), null=True, blank=True)
    renewals = models.PositiveSmallIntegerField(_("续借次数"), default=0)
    # Closed because the book was lost (丢失登记), not brought back: returned_at is when the loss was recorded.
    lost = models.BooleanField(_("丢失"), default=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("借阅")
        verbose_name_plural = _("借阅")
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(returned_at__isnull=True), name="loan_one_open_per_item"
            ),
            models.CheckConstraint(
                condition=models.Q(returned_at__isnull=True) | models.Q(returned_at__gte=models.F("issued_at")),
                name="loan_returned_after_issued",
            ),
        ]
        indexes = [
            models.Index(fields=["reader", "returned_at"], name="loan_reader_open_idx"),
            models.Index(fields=["library", "issued_at"], name="loan_issued_idx"),
            models.Index(
                fields=["library", "due_on"], condition=models.Q(returned_at__isnull=True), name="loan_open_due_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.barcode} → {self.reader.name}"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None

    def days_overdue(self, on: dt.date) -> int:
        """Whole days past the due date on the given day (0 when not late)."""
        return max(0, (on - self.due_on).days)
