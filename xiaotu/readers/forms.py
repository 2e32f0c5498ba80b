"""Input of the reader pages: the list's search and filters, a reader's details and photo, cards to print, privacy."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xiaotu.catalogue.forms import MAX_QUERY, NUL_MESSAGE, text_errors
from xiaotu.printing.services import LayoutOption
from xiaotu.readers.models import Grade, Reader, ReaderType, SchoolClass
from xiaotu.readers.services import EDITABLE_STATUSES, PHOTO_MAX_BYTES
from xiaotu.schools.models import Library

MAX_START = 500
MAX_RETENTION_DAYS = 3650
STATUS_FILTERS = [("", _("全部状态")), *Reader.Status.choices]


def reader_ids(values: Iterable[str]) -> list[int]:
    """The readers ticked or picked (`reader` values); anything that is not an id is ignored."""
    return sorted({int(v) for v in values if v.isdigit() and len(v) < 19})


def _printable(value: str) -> str:
    """Refuse control characters: a scanner on the wrong keyboard layout sends them."""
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") and ch != "\t" for ch in value):
        raise forms.ValidationError(NUL_MESSAGE, code="control_characters")
    return value


def _choice_errors(message: Any) -> dict[str, Any]:
    return {"invalid_choice": message, "invalid_pk_value": message, "invalid_list": message}


class ClassChoiceField(forms.ModelChoiceField[SchoolClass]):
    """A class as schools write it, marked when it has graduated."""

    def label_from_instance(self, obj: SchoolClass) -> str:
        return f"{obj.name}（{_('已毕业')}）" if not obj.active else obj.name


class ClassesField(forms.ModelMultipleChoiceField[SchoolClass]):
    def label_from_instance(self, obj: SchoolClass) -> str:
        return obj.name


class ReaderFilterForm(forms.Form):
    """读者名单的检索和筛选: a name, 拼音, initials, 学号 or card, and the class, grade, type and status."""

    q = forms.CharField(label=_("查找读者"), required=False, max_length=MAX_QUERY, error_messages=text_errors())
    school_class = ClassChoiceField(
        label=_("班级"),
        queryset=SchoolClass.objects.none(),
        required=False,
        empty_label=_("全部班级"),
        error_messages=_choice_errors(_("请从列表中选择班级。")),
    )
    grade = forms.ModelChoiceField(
        label=_("年级"),
        queryset=Grade.objects.none(),
        required=False,
        empty_label=_("全部年级"),
        error_messages=_choice_errors(_("请从列表中选择年级。")),
    )
    reader_type = forms.ModelChoiceField(
        label=_("读者类型"),
        queryset=ReaderType.objects.none(),
        required=False,
        empty_label=_("全部类型"),
        error_messages=_choice_errors(_("请从列表中选择读者类型。")),
    )
    status = forms.ChoiceField(
        label=_("状态"), choices=STATUS_FILTERS, required=False, error_messages=_choice_errors(_("请选择状态。"))
    )

    def __init__(self, *args: Any, library: Library, classes: QuerySet[SchoolClass], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        school_class = self.fields["school_class"]
        grade = self.fields["grade"]
        reader_type = self.fields["reader_type"]
        assert isinstance(school_class, forms.ModelChoiceField) and isinstance(grade, forms.ModelChoiceField)
        assert isinstance(reader_type, forms.ModelChoiceField)
        school_class.queryset = classes
        grade.queryset = Grade.objects.filter(library=library).order_by("number")
        reader_type.queryset = ReaderType.objects.filter(library=library).order_by("kind", "name", "pk")
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("姓名、拼音或首字母、学号、借书证号"), "autocomplete": "off", "spellcheck": "false"}
        )

    def clean_q(self) -> str:
        return _printable(self.cleaned_data["q"]).strip()


class ReaderForm(forms.Form):
    """读者信息 — what a librarian types for a new reader or changes on an existing one (the services check the rest:
    a 学号 or card already taken, a graduated class, a class for staff)."""

    card_barcode = forms.CharField(
        label=_("借书证号"),
        max_length=32,
        help_text=_("扫描或输入证上的条码；可以用学号。"),
        error_messages={**text_errors(), "required": _("请填写借书证号。")},
    )
    name = forms.CharField(
        label=_("姓名"), max_length=50, error_messages={**text_errors(), "required": _("请填写姓名。")}
    )
    gender = forms.ChoiceField(
        label=_("性别"),
        choices=[("", _("未填")), ("m", _("男")), ("f", _("女"))],
        required=False,
        error_messages=_choice_errors(_("请选择性别。")),
    )
    reader_type = forms.ModelChoiceField(
        label=_("读者类型"),
        queryset=ReaderType.objects.none(),
        empty_label=None,
        error_messages={**_choice_errors(_("请从列表中选择读者类型。")), "required": _("请选择读者类型。")},
    )
    school_class = ClassChoiceField(
        label=_("班级"),
        queryset=SchoolClass.objects.none(),
        required=False,
        empty_label=_("（无班级：教职工）"),
        error_messages=_choice_errors(_("请从列表中选择班级。")),
    )
    student_number = forms.CharField(label=_("学号"), max_length=32, required=False, error_messages=text_errors())
    student_id = forms.CharField(
        label=_("学籍号"),
        max_length=32,
        required=False,
        help_text=_("全国中小学生学籍号，可以不填。"),
        error_messages=text_errors(),
    )
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[(s.value, s.label) for s in EDITABLE_STATUSES],
        required=False,
        help_text=_("暂停的读者不能借书。毕业和离校在学年管理中办理。"),
        error_messages=_choice_errors(_("请选择状态。")),
    )

    def __init__(self, *args: Any, library: Library, reader: Reader | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reader_type = self.fields["reader_type"]
        school_class = self.fields["school_class"]
        assert isinstance(reader_type, forms.ModelChoiceField) and isinstance(school_class, forms.ModelChoiceField)
        reader_type.queryset = ReaderType.objects.filter(library=library).order_by("kind", "name", "pk")
        classes = SchoolClass.objects.filter(library=library).select_related("grade")
        # A graduated class is offered only to the reader already in it, so that saving the form keeps it.
        keep = reader.school_class_id if reader is not None else None
        school_class.queryset = (
            classes.filter(active=True) | classes.filter(pk=keep) if keep else classes.filter(active=True)
        ).order_by("-active", "grade__number", "number", "pk")
        self.reader = reader
        if reader is not None:
            # The card is changed by reporting it lost (挂失补办), never by typing over it.
            del self.fields["card_barcode"]
            if reader.status not in EDITABLE_STATUSES:
                del self.fields["status"]
        else:
            del self.fields["status"]
        for name in ("card_barcode", "student_number", "student_id"):
            if name in self.fields:
                self.fields[name].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def _clean_text(self, name: str) -> str:
        return _printable(self.cleaned_data.get(name, "")).strip()

    def clean_card_barcode(self) -> str:
        return self._clean_text("card_barcode")

    def clean_name(self) -> str:
        return " ".join(self._clean_text("name").split())

    def clean_student_number(self) -> str:
        return self._clean_text("student_number")

    def clean_student_id(self) -> str:
        return self._clean_text("student_id")

    def changes(self) -> dict[str, Any]:
        """The edited fields, as reader_update takes them."""
        data = self.cleaned_data
        names = ["name", "gender", "reader_type", "school_class", "student_number", "student_id"]
        if "status" in self.fields and data.get("status"):
            names.append("status")
        return {name: data[name] for name in names}


class PhotoForm(forms.Form):
    """照片 — one picture file; the service checks that it really is a picture and makes it a small JPEG."""

    photo = forms.FileField(
        label=_("照片"),
        error_messages={
            "required": _("请选择照片文件。"),
            "empty": _("照片文件是空的。"),
            "invalid": _("没有收到照片文件，请重新选择。"),
            "missing": _("没有收到照片文件，请重新选择。"),
        },
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def clean_photo(self) -> bytes:
        upload = self.cleaned_data["photo"]
        assert isinstance(upload, UploadedFile)
        if upload.size is not None and upload.size > PHOTO_MAX_BYTES:
            raise forms.ValidationError(
                _("照片文件太大（%(size)s MB），最大 %(most)s MB。"),
                params={"size": f"{upload.size / 1024 / 1024:.1f}", "most": PHOTO_MAX_BYTES // 1024 // 1024},
            )
        data: bytes = upload.read()
        return data


CARD_SOURCES = [("classes", _("按班级")), ("readers", _("选定的读者"))]


class CardPrintForm(forms.Form):
    """打印借书证 — the classes (or readers) whose cards to print, on which card stock, from which position."""

    source = forms.ChoiceField(
        label=_("打印哪些读者的证"),
        choices=CARD_SOURCES,
        widget=forms.RadioSelect,
        initial="classes",
        error_messages=_choice_errors(_("请选择按班级还是按读者打印。")),
    )
    classes = ClassesField(
        label=_("班级"),
        queryset=SchoolClass.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages=_choice_errors(_("请从列表中选择班级。")),
    )
    layout = forms.ChoiceField(label=_("证卡纸"), error_messages=_choice_errors(_("请选择证卡纸。")))
    start = forms.IntegerField(
        label=_("从第几张开始"),
        initial=1,
        min_value=1,
        max_value=MAX_START,
        help_text=_("用过一部分的证卡纸：从左上角数起，第一张空着的是第几张。"),
        error_messages={
            "invalid": _("起始位置应为整数。"),
            "min_value": _("起始位置从 1 开始。"),
            "max_value": _("起始位置太大了。"),
            "required": _("请填写起始位置。"),
        },
    )
    school_name = forms.CharField(
        label=_("证上的校名"), max_length=50, error_messages={**text_errors(), "required": _("请填写校名。")}
    )
    show_photo = forms.BooleanField(label=_("印照片"), required=False, initial=True)

    def __init__(self, *args: Any, library: Library, layouts: list[LayoutOption], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        classes = self.fields["classes"]
        layout = self.fields["layout"]
        assert isinstance(classes, forms.ModelMultipleChoiceField) and isinstance(layout, forms.ChoiceField)
        classes.queryset = (
            SchoolClass.objects.filter(library=library, active=True)
            .select_related("grade")
            .order_by("grade__number", "number", "pk")
        )
        layout.choices = [(option.value, option.label) for option in layouts]

    def clean_school_name(self) -> str:
        return _printable(self.cleaned_data["school_name"]).strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("source") == "classes" and not cleaned.get("classes"):
            self.add_error("classes", _("请至少选择一个班级。"))
        return cleaned


class RetentionForm(forms.Form):
    """隐私设置 — how long the personal data of readers who left is kept."""

    reader_retention_days = forms.IntegerField(
        label=_("离校读者信息保留天数"),
        min_value=0,
        max_value=MAX_RETENTION_DAYS,
        help_text=_("毕业或离校满这么多天后，删除读者的姓名、学号、学籍号、照片和证号；填 0 表示永不删除。"),
        error_messages={
            "invalid": _("请填 0 到 3650 之间的整数（天）。"),
            "min_value": _("请填 0 到 3650 之间的整数（天）。"),
            "max_value": _("请填 0 到 3650 之间的整数（天）。"),
            "required": _("请填写保留天数。"),
        },
    )
