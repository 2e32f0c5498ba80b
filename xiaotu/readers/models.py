"""Readers (pupils, teachers, staff), their types, and the school's grades and classes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaotu.schools.models import Library


class ReaderType(models.Model):
    """读者类型 — 学生, 教师, 职工…; one axis of the loan rule matrix."""

    class Kind(models.TextChoices):
        STUDENT = "student", _("学生")
        STAFF = "staff", _("教职工")

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="reader_types")
    code = models.CharField(_("代码"), max_length=32)
    name = models.CharField(_("名称"), max_length=50)
    # Pupils belong to classes, move up a grade each year and graduate; staff do none of that.
    kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices, default=Kind.STUDENT)

    class Meta:
        verbose_name = _("读者类型")
        verbose_name_plural = _("读者类型")
        constraints = [models.UniqueConstraint(fields=["library", "code"], name="reader_type_code_unique")]

    def __str__(self) -> str:
        return self.name


class Grade(models.Model):
    """年级 — numbered 1–12 across school levels (一年级 … 高三)."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="grades")
    number = models.PositiveSmallIntegerField(_("年级序号"))
    name = models.CharField(_("名称"), max_length=20)

    class Meta:
        verbose_name = _("年级")
        verbose_name_plural = _("年级")
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["library", "number"], name="grade_number_unique")]

    def __str__(self) -> str:
        return self.name


class SchoolClass(models.Model):
    """班级 — e.g. 三年级(2)班, with its class teacher (班主任)."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="classes")
    grade = models.ForeignKey(Grade, on_delete=models.PROTECT, related_name="classes", verbose_name=_("年级"))
    number = models.PositiveSmallIntegerField(_("班号"))
    name = models.CharField(_("名称"), max_length=30)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="classes",
        verbose_name=_("班主任"),
    )
    # A class that graduated stays, with its last grade, so its pupils' history keeps its class; it takes no new
    # pupils and frees its grade and number for the class that moves up into them.
    active = models.BooleanField(_("在校"), default=True)
    graduated_on = models.DateField(_("毕业日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("班级")
        verbose_name_plural = _("班级")
        ordering = ["grade__number", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["grade", "number"], condition=models.Q(active=True), name="class_number_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Reader(models.Model):
    """读者 — a pupil or member of staff with a library card."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("正常")
        SUSPENDED = "suspended", _("暂停")
        GRADUATED = "graduated", _("已毕业")
        LEFT = "left", _("已离校")

    class Gender(models.TextChoices):
        MALE = "m", _("男")
        FEMALE = "f", _("女")
        UNKNOWN = "", _("未填")

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="readers")
    card_barcode = models.CharField(_("借书证号"), max_length=32)
    name = models.CharField(_("姓名"), max_length=50)
    # 拼音 kept beside the name so a desk search for "zs" or "zhangsan" is an index lookup, not a Python loop.
    name_pinyin = models.CharField(max_length=200, blank=True, db_index=True)
    name_initials = models.CharField(max_length=50, blank=True, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True, default="")
    reader_type = models.ForeignKey(
        ReaderType, on_delete=models.PROTECT, related_name="readers", verbose_name=_("读者类型")
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, null=True, blank=True, related_name="readers", verbose_name=_("班级")
    )
    student_number = models.CharField(_("学号"), max_length=32, blank=True)
    student_id = models.CharField(_("学籍号"), max_length=32, blank=True)
    photo = models.ImageField(_("照片"), upload_to="reader-photos/", blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # When the reader graduated or left: personal data is erased a period after this (Library setting).
    left_on = models.DateField(_("离校日期"), null=True, blank=True)
    # Set when the personal data was erased; the row stays so that loans still count, anonymously.
    erased_at = models.DateTimeField(_("个人信息删除时间"), null=True, blank=True)
    # OPAC sign-in, hashed with Django's hashers and set only by xiaotu.opac.services; empty: cannot sign in.
    # A database default too: the roster import writes readers with its own column list (xiaotu.bulk).
    password = models.CharField(_("公共检索密码"), max_length=128, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("读者")
        verbose_name_plural = _("读者")
        constraints = [
            models.UniqueConstraint(fields=["library", "card_barcode"], name="reader_card_unique"),
            models.UniqueConstraint(
                fields=["library", "student_number"],
                condition=~models.Q(student_number=""),
                name="reader_student_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.card_barcode})"


class RetiredCard(models.Model):
    """挂失的借书证 — a card barcode no longer valid: the desk says why, and no reader may be given it again."""

    class Reason(models.TextChoices):
        LOST = "lost", _("挂失")
        DAMAGED = "damaged", _("损坏换证")

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    barcode = models.CharField(_("原证号"), max_length=32)
    reader = models.ForeignKey(Reader, on_delete=models.PROTECT, related_name="retired_cards")
    reason = models.CharField(_("原因"), max_length=16, choices=Reason.choices, default=Reason.LOST)
    retired_at = models.DateTimeField(_("时间"))
    retired_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("挂失借书证")
        verbose_name_plural = _("挂失借书证")
        constraints = [models.UniqueConstraint(fields=["library", "barcode"], name="retired_card_unique")]

    def __str__(self) -> str:
        return self.barcode
