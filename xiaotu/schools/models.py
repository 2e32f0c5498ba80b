"""Libraries (one per school, the tenant of every other row), their locations and their calendar."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Library(models.Model):
    """图书馆 — one school's library; every other row belongs to exactly one."""

    class Level(models.TextChoices):
        PRIMARY = "primary", _("小学")
        JUNIOR = "junior", _("初中")
        SENIOR = "senior", _("高中")
        NINE_YEAR = "nine_year", _("九年一贯制")
        COMPLETE = "complete", _("完全中学")

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("学段"), max_length=16, choices=Level.choices, default=Level.PRIMARY)
    # ISO weekdays (1 = Monday) on which the library is closed every week; single days go in ClosedDay.
    closed_weekdays = models.CharField(_("每周闭馆日"), max_length=7, blank=True, default="67")
    # Pupils are minors: the personal data of readers who left is erased this long after they left (0: never).
    reader_retention_days = models.PositiveIntegerField(_("离校读者信息保留天数"), default=365)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("图书馆")
        verbose_name_plural = _("图书馆")

    def __str__(self) -> str:
        return self.name

    def closed_on_weekday(self, isoweekday: int) -> bool:
        return str(isoweekday) in self.closed_weekdays


class Location(models.Model):
    """馆藏地点 — a room or shelf area, e.g. 借阅室, 阅览室, 教师资料室."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="locations")
    code = models.CharField(_("代码"), max_length=32)
    name = models.CharField(_("名称"), max_length=100)

    class Meta:
        verbose_name = _("馆藏地点")
        verbose_name_plural = _("馆藏地点")
        constraints = [models.UniqueConstraint(fields=["library", "code"], name="location_code_unique")]

    def __str__(self) -> str:
        return self.name


class Term(models.Model):
    """学期 — no loan taken during a term may be due after its last day (期末归还)."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="terms")
    name = models.CharField(_("名称"), max_length=50)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("学期")
        verbose_name_plural = _("学期")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="term_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.name


class ClosedDay(models.Model):
    """闭馆日 — a weekend, holiday or other day on which nothing can be due."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="closed_days")
    date = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("闭馆日")
        verbose_name_plural = _("闭馆日")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["library", "date"], name="closed_day_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"
