"""Bibliographic records and the items (copies, 册) that belong to them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xiaotu.schools.models import Library, Location


class ItemCategory(models.Model):
    """流通类型 — e.g. 普通图书, 工具书, 期刊; the loan rules are set per reader type × category."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="item_categories")
    code = models.CharField(_("代码"), max_length=32)
    name = models.CharField(_("名称"), max_length=50)
    reference_only = models.BooleanField(_("仅供馆内阅览"), default=False, help_text=_("工具书、现刊等不外借的类别。"))

    class Meta:
        verbose_name = _("流通类型")
        verbose_name_plural = _("流通类型")
        constraints = [models.UniqueConstraint(fields=["library", "code"], name="item_category_code_unique")]

    def __str__(self) -> str:
        return self.name


class Record(models.Model):
    """书目记录 — one title/edition with its copies; the original MARC record is kept beside the mapped fields."""

    class Format(models.TextChoices):
        CNMARC = "cnmarc", "CNMARC"
        UNIMARC = "unimarc", "UNIMARC"
        MARC21 = "marc21", "MARC21"
        NONE = "", _("手工编目")

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="records")
    title = models.CharField(_("题名"), max_length=500)
    other_titles = models.JSONField(_("其他题名"), default=list, blank=True)
    responsibility = models.CharField(_("责任说明"), max_length=500, blank=True)
    author = models.CharField(_("第一责任者"), max_length=300, blank=True)
    # [{"name": "吴承恩", "role": "著"}, …] in the order of the record.
    authors = models.JSONField(_("责任者"), default=list, blank=True)
    author_pinyin = models.CharField(_("责任者拼音"), max_length=300, blank=True)
    publisher = models.CharField(_("出版者"), max_length=200, blank=True)
    pub_place = models.CharField(_("出版地"), max_length=100, blank=True)
    pub_date = models.CharField(_("出版日期"), max_length=30, blank=True)
    pub_year = models.PositiveSmallIntegerField(_("出版年"), null=True, blank=True)
    # ISBN-13 without hyphens, the key new copies are matched on; the others as written in the record.
    isbn = models.CharField(_("ISBN"), max_length=17, blank=True, db_index=True)
    other_isbns = models.JSONField(_("其他 ISBN"), default=list, blank=True)
    price = models.DecimalField(_("定价"), max_digits=10, decimal_places=2, null=True, blank=True)
    edition = models.CharField(_("版次"), max_length=100, blank=True)
    pages = models.CharField(_("页数"), max_length=100, blank=True)
    size = models.CharField(_("尺寸"), max_length=50, blank=True)
    series = models.CharField(_("丛书"), max_length=300, blank=True)
    summary = models.TextField(_("提要"), blank=True)
    subjects = models.JSONField(_("主题词"), default=list, blank=True)
    clc_class = models.CharField(_("中图法分类号"), max_length=50, blank=True, db_index=True)
    language = models.CharField(_("语种"), max_length=3, blank=True)
    call_number = models.CharField(_("索书号"), max_length=64, blank=True)
    # Without an ISBN, copies are matched on title + first author + publisher + year (see catalogue.matching).
    match_key = models.CharField(max_length=64, blank=True, db_index=True)
    marc_format = models.CharField(_("MARC 格式"), max_length=8, choices=Format.choices, blank=True, default="")
    marc = models.TextField(
        _("原始 MARC 记录"),
        blank=True,
        help_text=_("导入时的原始记录（ISO 2709 文本或 MARC-in-JSON），导出时不丢失任何字段。"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("书目")
        verbose_name_plural = _("书目")
        constraints = [
            models.UniqueConstraint(
                fields=["library", "call_number"], condition=~models.Q(call_number=""), name="record_call_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Item(models.Model):
    """册 — one physical copy with its barcode, accession number (登录号) and call number (索书号)."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("在架")
        ON_LOAN = "on_loan", pgettext_lazy("item status", "借出")
        LOST = "lost", _("丢失")
        DAMAGED = "damaged", _("破损待修")
        REPAIR = "repair", _("修补中")
        WITHDRAWN = "withdrawn", _("已注销")

    # No index of its own: every index of the table below starts with the library.
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="items", db_index=False)
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="items")
    barcode = models.CharField(_("条码"), max_length=32)
    accession_number = models.CharField(_("登录号"), max_length=32)
    call_number = models.CharField(_("索书号"), max_length=64, blank=True)
    volume = models.CharField(_("卷册"), max_length=50, blank=True)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="items", verbose_name=_("馆藏地点"))
    category = models.ForeignKey(
        ItemCategory, on_delete=models.PROTECT, related_name="items", verbose_name=_("流通类型")
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.AVAILABLE)
    price = models.DecimalField(_("价格"), max_digits=10, decimal_places=2, null=True, blank=True)
    acquired_on = models.DateField(_("入藏日期"), null=True, blank=True)
    # 总括登记: the acquisition batch the copy came in with.
    batch = models.ForeignKey(
        "intake.Batch", on_delete=models.PROTECT, null=True, blank=True, related_name="items", verbose_name=_("批次")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("册")
        verbose_name_plural = _("册")
        constraints = [
            models.UniqueConstraint(fields=["library", "barcode"], name="item_barcode_unique"),
            models.UniqueConstraint(fields=["library", "accession_number"], name="item_accession_unique"),
        ]
        indexes = [models.Index(fields=["library", "status"], name="item_status_idx")]

    def __str__(self) -> str:
        return f"{self.barcode} {self.record}"
