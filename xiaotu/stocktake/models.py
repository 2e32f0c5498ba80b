"""Stocktakes (清点) with their scanning runs and scans, withdrawal batches (剔旧/注销) and the repair log (修补)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaotu.catalogue.models import Item
from xiaotu.schools.models import Library, Location


class Stocktake(models.Model):
    """清点 — one count of the whole library or a part of it, scanned in several runs, finalised once."""

    class Status(models.TextChoices):
        OPEN = "open", _("清点中")
        FINALISED = "finalised", _("已完成")

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="stocktakes")
    name = models.CharField(_("名称"), max_length=100)
    # The scope; all empty means the whole library. Locations AND (any call-number range OR any class).
    location_ids = models.JSONField(_("馆藏地点"), default=list, blank=True)
    # [["I200", "I299"], …]: from ≤ call number ≤ to, where "to" also takes every call number that starts with it.
    call_number_ranges = models.JSONField(_("索书号范围"), default=list, blank=True)
    clc_classes = models.JSONField(_("中图法分类"), default=list, blank=True)
    check_order = models.BooleanField(_("检查排架顺序"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("开始时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    finalised_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The reconciliation as it stood at finalising: the counts per category, kept with the stocktake.
    summary = models.JSONField(_("清点结果"), default=dict, blank=True)

    class Meta:
        verbose_name = _("清点")
        verbose_name_plural = _("清点")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def whole_library(self) -> bool:
        return not (self.location_ids or self.call_number_ranges or self.clc_classes)


class Run(models.Model):
    """扫描批次 — one scanner's session on the web page, or one uploaded handheld file."""

    class Source(models.TextChoices):
        WEB = "web", _("网页扫描")
        FILE = "file", _("盘点机文件")

    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="runs")
    source = models.CharField(_("来源"), max_length=8, choices=Source.choices, default=Source.WEB)
    # Where the scanner stands: a copy of another location scanned here is misplaced. Empty: anywhere in scope.
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("扫描位置")
    )
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    lines = models.PositiveIntegerField(_("行数"), default=0)
    junk = models.JSONField(_("无法识别的行"), default=list, blank=True)
    started_at = models.DateTimeField(_("开始时间"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("扫描批次")
        verbose_name_plural = _("扫描批次")

    def __str__(self) -> str:
        return f"{self.stocktake} #{self.pk}"


class Scan(models.Model):
    """One barcode read in a stocktake. A copy counts once however often, by however many scanners, it is read."""

    class Outcome(models.TextChoices):
        FOUND = "found", _("在架")
        MISPLACED = "misplaced", _("错架")
        ON_LOAN = "on_loan", _("借出未还却在架")
        LOST = "lost", _("丢失/注销却找到")
        UNKNOWN = "unknown", _("未知条码")

    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="scans")
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="scans")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    barcode = models.CharField(_("条码"), max_length=32)
    scanned_at = models.DateTimeField(_("扫描时间"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    # What the scan was when it was read, for the list of last scans; the reconciliation works from the items.
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices)

    class Meta:
        verbose_name = _("扫描")
        verbose_name_plural = _("扫描")
        constraints = [
            # The barcode is what the scanner sends: one row per barcode covers unknown ones too.
            models.UniqueConstraint(fields=["stocktake", "barcode"], name="scan_once_per_barcode"),
            models.UniqueConstraint(
                fields=["stocktake", "item"], condition=models.Q(item__isnull=False), name="scan_once_per_item"
            ),
        ]
        indexes = [models.Index(fields=["run", "id"], name="scan_run_order_idx")]

    def __str__(self) -> str:
        return self.barcode


class WithdrawalBatch(models.Model):
    """注销批次 — books to be withdrawn for one reason, proposed by a librarian and approved by the 管理员."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("待审批")
        APPROVED = "approved", _("已注销")
        REJECTED = "rejected", _("已退回")

    class Reason(models.TextChoices):
        WORN = "worn", _("破损无法修补")
        OUTDATED = "outdated", _("内容陈旧")
        SUPERSEDED = "superseded", _("已有新版")
        LOST = "lost", _("丢失")
        OTHER = "other", _("其他")

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="withdrawal_batches")
    number = models.CharField(_("注销单号"), max_length=32)
    reason = models.CharField(_("注销原因"), max_length=16, choices=Reason.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("创建时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("注销批次")
        verbose_name_plural = _("注销批次")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["library", "number"], name="withdrawal_number_unique")]

    def __str__(self) -> str:
        return self.number


class WithdrawalLine(models.Model):
    """One copy in a withdrawal batch, with what the register (注销帐) prints kept as it was when withdrawn."""

    batch = models.ForeignKey(WithdrawalBatch, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    status_before = models.CharField(_("注销前状态"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("注销明细")
        verbose_name_plural = _("注销明细")
        constraints = [models.UniqueConstraint(fields=["batch", "item"], name="withdrawal_line_unique")]

    def __str__(self) -> str:
        return f"{self.batch} {self.item_id}"


class Repair(models.Model):
    """修补 — a damaged copy sent to be mended and, later, back on the shelf (or withdrawn)."""

    class Outcome(models.TextChoices):
        OPEN = "", _("修补中")
        MENDED = "mended", _("已修好")
        BEYOND_REPAIR = "beyond_repair", _("无法修补")

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="repairs")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("册"))
    problem = models.CharField(_("破损情况"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("送修时间"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    returned_at = models.DateTimeField(_("修回时间"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices, blank=True, default="")

    class Meta:
        verbose_name = _("修补")
        verbose_name_plural = _("修补")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(returned_at__isnull=True), name="repair_one_open_per_item"
            ),
        ]
        indexes = [models.Index(fields=["library", "sent_at"], name="repair_sent_idx")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.sent_at:%Y-%m-%d}"


class Missing(models.Model):
    """盘亏 — a copy a finalised stocktake did not find, and so marked lost; kept for the stocktake's report."""

    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="missing")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("盘亏")
        verbose_name_plural = _("盘亏")
        constraints = [models.UniqueConstraint(fields=["stocktake", "item"], name="missing_once_per_item")]

    def __str__(self) -> str:
        return f"{self.stocktake} {self.item_id}"
