"""Intake (采编): acquisition batches, the numbering of new copies, and import jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaotu.schools.models import Library


class Batch(models.Model):
    """总括登记 — one delivery: when, from whom, on which invoice; volumes and total come from its copies."""

    class Source(models.TextChoices):
        PURCHASE = "purchase", _("采购")
        DONATION = "donation", _("捐赠")
        TRANSFER = "transfer", _("调拨")
        OTHER = "other", _("其他")

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="batches")
    number = models.CharField(_("批次号"), max_length=32)
    received_on = models.DateField(_("到书日期"))
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.PURCHASE)
    vendor = models.CharField(_("供书单位"), max_length=200, blank=True)
    invoice_number = models.CharField(_("发票号"), max_length=100, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("总括登记")
        verbose_name_plural = _("总括登记")
        ordering = ["-received_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["library", "number"], name="batch_number_unique")]

    def __str__(self) -> str:
        return self.number


class Numbering(models.Model):
    """编号规则 — how a library numbers new copies and builds call numbers; one row per library."""

    class BarcodeMode(models.TextChoices):
        ACCESSION = "accession", _("条码与登录号相同")
        RANGE = "range", _("使用预印条码段")

    class CallNumberScheme(models.TextChoices):
        SEQUENCE = "sequence", _("分类号 + 种次号")
        AUTHOR = "author", _("分类号 + 著者号")

    library = models.OneToOneField(Library, on_delete=models.PROTECT, related_name="numbering")
    accession_prefix = models.CharField(_("登录号前缀"), max_length=10, blank=True)
    accession_width = models.PositiveSmallIntegerField(_("登录号位数"), default=8)
    # The last accession number handed out; the next copy gets last + 1 (taken under a row lock).
    accession_last = models.PositiveBigIntegerField(_("已用到的登录号"), default=0)
    barcode_mode = models.CharField(
        _("条码来源"), max_length=16, choices=BarcodeMode.choices, default=BarcodeMode.ACCESSION
    )
    call_number_scheme = models.CharField(
        _("索书号规则"), max_length=16, choices=CallNumberScheme.choices, default=CallNumberScheme.SEQUENCE
    )

    class Meta:
        verbose_name = _("编号规则")
        verbose_name_plural = _("编号规则")

    def __str__(self) -> str:
        return str(self.library)


class BarcodeRange(models.Model):
    """预印条码段 — a roll or sheet of pre-printed barcode labels, used in order."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="barcode_ranges")
    prefix = models.CharField(_("前缀"), max_length=10, blank=True)
    width = models.PositiveSmallIntegerField(_("数字位数"), default=8)
    first = models.PositiveBigIntegerField(_("起始号"))
    last = models.PositiveBigIntegerField(_("终止号"))
    next = models.PositiveBigIntegerField(_("下一个可用号"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("预印条码段")
        verbose_name_plural = _("预印条码段")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(last__gte=models.F("first")), name="barcode_range_ordered"),
            models.CheckConstraint(
                condition=models.Q(next__gte=models.F("first")) & models.Q(next__lte=models.F("last") + 1),
                name="barcode_range_next_inside",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}{self.first:0{self.width}d}–{self.prefix}{self.last:0{self.width}d}"

    @property
    def remaining(self) -> int:
        return self.last - self.next + 1


class ClassCounter(models.Model):
    """种次号 — the last running number given within one 中图法 class."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    clc_class = models.CharField(max_length=50)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["library", "clc_class"], name="class_counter_unique")]

    def __str__(self) -> str:
        return f"{self.clc_class}/{self.last}"


class ImportJob(models.Model):
    """An upload being previewed or imported in the background; its report stays for the librarian to read."""

    class Kind(models.TextChoices):
        MARC = "marc", "MARC"
        EXCEL = "excel", _("Excel 书目清单")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("已上传")
        PREVIEWED = "previewed", _("待确认")
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="import_jobs")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    filename = models.CharField(_("文件名"), max_length=255)
    path = models.CharField(max_length=500)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.UPLOADED)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # What the reader found: format, container, encoding and why; counts; the problems with their positions.
    report = models.JSONField(default=dict, blank=True)
    batch = models.ForeignKey(Batch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class RemoteCatalogue(models.Model):
    """联合目录 — an SRU or Z39.50 server asked for a record when an ISBN is not in the local catalogue."""

    class Protocol(models.TextChoices):
        SRU = "sru", "SRU"
        Z3950 = "z3950", "Z39.50"

    class Syntax(models.TextChoices):
        CNMARC = "cnmarc", "CNMARC"
        UNIMARC = "unimarc", "UNIMARC"
        USMARC = "usmarc", "MARC21"
        MARCXML = "marcxml", "MARCXML"

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="remote_catalogues")
    name = models.CharField(_("名称"), max_length=100)
    protocol = models.CharField(_("协议"), max_length=8, choices=Protocol.choices, default=Protocol.Z3950)
    host = models.CharField(_("主机"), max_length=200)
    port = models.PositiveIntegerField(_("端口"), default=210)
    database = models.CharField(_("数据库"), max_length=100, default="Default")
    path = models.CharField(_("SRU 路径"), max_length=200, blank=True)
    https = models.BooleanField(_("使用 HTTPS"), default=False)
    syntax = models.CharField(_("记录格式"), max_length=8, choices=Syntax.choices, default=Syntax.CNMARC)
    encoding = models.CharField(_("字符集"), max_length=16, default="utf-8")
    user = models.CharField(_("用户名"), max_length=100, blank=True)
    password = models.CharField(_("密码"), max_length=100, blank=True)
    cql_index = models.CharField(_("SRU ISBN 检索点"), max_length=50, default="bath.isbn")
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    enabled = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("联合目录服务器")
        verbose_name_plural = _("联合目录服务器")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class LabelLayout(models.Model):
    """标签纸 — a label sheet or roll as set up for this library's printer (sizes in millimetres)."""

    class Kind(models.TextChoices):
        SPINE = "spine", _("书标")
        BARCODE = "barcode", _("条码标签")
        CARD = "card", _("借书证")

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="label_layouts")
    kind = models.CharField(_("用途"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    label_width = models.DecimalField(_("标签宽"), max_digits=6, decimal_places=2)
    label_height = models.DecimalField(_("标签高"), max_digits=6, decimal_places=2)
    rows = models.PositiveSmallIntegerField(_("行数"), default=1)
    columns = models.PositiveSmallIntegerField(_("列数"), default=1)
    page_width = models.DecimalField(_("纸宽"), max_digits=6, decimal_places=2, default=210)
    page_height = models.DecimalField(_("纸高"), max_digits=6, decimal_places=2, default=297)
    margin_top = models.DecimalField(_("上边距"), max_digits=6, decimal_places=2, default=0)
    margin_left = models.DecimalField(_("左边距"), max_digits=6, decimal_places=2, default=0)
    gap_x = models.DecimalField(_("列间距"), max_digits=6, decimal_places=2, default=0)
    gap_y = models.DecimalField(_("行间距"), max_digits=6, decimal_places=2, default=0)
    offset_x = models.DecimalField(_("水平偏移"), max_digits=6, decimal_places=2, default=0)
    offset_y = models.DecimalField(_("垂直偏移"), max_digits=6, decimal_places=2, default=0)
    roll = models.BooleanField(_("卷筒标签"), default=False)
    is_default = models.BooleanField(_("默认"), default=False)

    class Meta:
        verbose_name = _("标签纸")
        verbose_name_plural = _("标签纸")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name
