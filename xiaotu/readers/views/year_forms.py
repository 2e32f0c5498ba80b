"""Input of the school structure, school year and lost card pages; each message says in Chinese what to fix."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xiaotu.accounts.models import User
from xiaotu.readers.models import Grade, Reader, ReaderType, RetiredCard, SchoolClass
from xiaotu.readers.structure import (
    CLASS_NAME_LENGTH,
    DEFAULT_PATTERN,
    GRADE_NAME_LENGTH,
    JUNIOR_STYLES,
    MAX_CLASSES_AT_ONCE,
    PRESET_PATTERNS,
    class_name,
)
from xiaotu.schools.models import Library

DATE_ERRORS = {"invalid": _("请填写正确的日期，例如 2026-08-31。"), "required": _("请填写日期。")}
CUSTOM = "custom"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class ChoiceError(dict[str, Any]):
    """Django's own "Select a valid choice" is not what a librarian should read."""

    def __init__(self, message: Any) -> None:
        super().__init__(required=message, invalid_choice=message, invalid=message)


def first_error(form: forms.Form) -> str:
    return next((str(m) for messages in form.errors.values() for m in messages), "")


# -- 学校结构 ------------------------------------------------------------------------------------------------------


class GradesSetupForm(forms.Form):
    level = forms.ChoiceField(
        label=_("学段"), choices=Library.Level.choices, error_messages=ChoiceError(_("请选择学段。"))
    )
    junior_style = forms.ChoiceField(
        label=_("初中年级叫法"),
        choices=list(JUNIOR_STYLES.items()),
        initial="grade",
        widget=forms.RadioSelect,
        error_messages=ChoiceError(_("请选择初中年级的叫法。")),
    )


class GradeNamesForm(forms.Form):
    """One name field per grade: the school's own names (低段, 预备班…)."""

    def __init__(self, *args: Any, grades: Iterable[Grade], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grades = list(grades)
        for grade in self.grades:
            self.fields[f"grade_{grade.pk}"] = forms.CharField(
                label=_("第 %(n)d 年级") % {"n": grade.number},
                max_length=GRADE_NAME_LENGTH,
                initial=grade.name,
                error_messages={
                    "required": _("请填写年级名称。"),
                    "max_length": _("年级名称最多 %(limit_value)d 个字。"),
                },
            )

    def names(self) -> dict[int, str]:
        return {grade.pk: self.cleaned_data[f"grade_{grade.pk}"] for grade in self.grades}


def pattern_choices(sample: Grade | None) -> list[tuple[str, str]]:
    name, number = (sample.name, sample.number) if sample else ("三年级", 3)
    return [
        *((p, class_name(p, grade_name=name, grade_number=number, number=2)) for p in PRESET_PATTERNS),
        (CUSTOM, str(_("自定义"))),
    ]


class ClassesAddForm(forms.Form):
    grade = forms.ModelChoiceField(
        label=_("年级"), queryset=Grade.objects.none(), empty_label=None, error_messages=ChoiceError(_("请选择年级。"))
    )
    count = forms.IntegerField(
        label=_("添加几个班"),
        min_value=1,
        max_value=MAX_CLASSES_AT_ONCE,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "tiny"}),
        error_messages={
            "required": _("请填写要添加几个班。"),
            "invalid": _("班级数要填数字。"),
            "min_value": _("至少添加 1 个班。"),
            "max_value": _("一次最多添加 %(limit_value)d 个班。"),
        },
    )
    pattern = forms.ChoiceField(
        label=_("命名格式"),
        initial=DEFAULT_PATTERN,
        widget=forms.RadioSelect,
        error_messages=ChoiceError(_("请选择命名格式。")),
    )
    custom_pattern = forms.CharField(
        label=_("自定义格式"),
        required=False,
        max_length=CLASS_NAME_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "{年级}{班号}班"}),
        error_messages={"max_length": _("命名格式最多 %(limit_value)d 个字。")},
    )

    def __init__(self, *args: Any, grades: QuerySet[Grade], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grade_field = self.fields["grade"]
        assert isinstance(grade_field, forms.ModelChoiceField)
        grade_field.queryset = grades
        pattern_field = self.fields["pattern"]
        assert isinstance(pattern_field, forms.ChoiceField)
        pattern_field.choices = pattern_choices(grades.first())

    def chosen_pattern(self) -> str:
        if self.cleaned_data["pattern"] == CUSTOM:
            return str(self.cleaned_data["custom_pattern"])
        return str(self.cleaned_data["pattern"])


class TeacherField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj}（{obj.username}）"


class ClassEditForm(forms.Form):
    name = forms.CharField(
        label=_("班级名称"),
        max_length=CLASS_NAME_LENGTH,
        error_messages={"required": _("请填写班级名称。"), "max_length": _("班级名称最多 %(limit_value)d 个字。")},
    )
    teacher = TeacherField(
        label=_("班主任"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("（不设）"),
        error_messages=ChoiceError(_("请从列表中选择班主任。")),
    )

    def __init__(self, *args: Any, teachers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teacher_field = self.fields["teacher"]
        assert isinstance(teacher_field, forms.ModelChoiceField)
        teacher_field.queryset = teachers


# -- 新学年 --------------------------------------------------------------------------------------------------------


class PromotionDateForm(forms.Form):
    on = forms.DateField(label=_("升级日期"), widget=DateInput(), error_messages=DATE_ERRORS)


class PromotionConfirmForm(PromotionDateForm):
    plan = forms.CharField(widget=forms.HiddenInput, max_length=64, error_messages={"required": _("请重新预览。")})
    checked = forms.BooleanField(
        label=_("我已核对上面的内容：升级后不能撤销。"),
        error_messages={"required": _("请勾选“我已核对”后再确认升级。")},
    )


class TransferInForm(forms.Form):
    name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        error_messages={"required": _("请填写姓名。"), "max_length": _("姓名最多 %(limit_value)d 个字。")},
    )
    gender = forms.ChoiceField(
        label=_("性别"),
        choices=Reader.Gender.choices,
        required=False,
        error_messages=ChoiceError(_("性别只能是男、女或不填。")),
    )
    student_number = forms.CharField(
        label=_("学号"),
        max_length=32,
        required=False,
        error_messages={"max_length": _("学号最多 %(limit_value)d 个字符。")},
    )
    school_class = forms.ModelChoiceField(
        label=_("转入班级"),
        queryset=SchoolClass.objects.none(),
        empty_label=_("请选择班级"),
        error_messages=ChoiceError(_("请选择转入的班级。")),
    )
    reader_type = forms.ModelChoiceField(
        label=_("读者类型"),
        queryset=ReaderType.objects.none(),
        empty_label=None,
        error_messages=ChoiceError(_("请选择读者类型。")),
    )
    card_barcode = forms.CharField(
        label=_("借书证号"),
        max_length=32,
        required=False,
        help_text=_("扫描或输入新证上的号码；不填则按本馆编号自动生成。"),
        error_messages={"max_length": _("借书证号最多 %(limit_value)d 个字符。")},
    )

    def __init__(
        self, *args: Any, classes: QuerySet[SchoolClass], reader_types: QuerySet[ReaderType], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("school_class", classes), ("reader_type", reader_types)):
            model_field = self.fields[name]
            assert isinstance(model_field, forms.ModelChoiceField)
            model_field.queryset = queryset


STATUS_ACTIONS = {
    "suspend": Reader.Status.SUSPENDED,
    "activate": Reader.Status.ACTIVE,
    "leave": Reader.Status.LEFT,
}


class StatusForm(forms.Form):
    action = forms.ChoiceField(choices=[(k, k) for k in STATUS_ACTIONS], error_messages=ChoiceError(_("未知的操作。")))
    on = forms.DateField(required=False, widget=DateInput(), error_messages=DATE_ERRORS)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("查找读者"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("借书证号、姓名、拼音首字母或学号"), "autofocus": True}),
        error_messages={"max_length": _("最多输入 %(limit_value)d 个字。")},
    )


# -- 补办借书证 ----------------------------------------------------------------------------------------------------


class CardReplaceForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("原因"),
        choices=RetiredCard.Reason.choices,
        initial=RetiredCard.Reason.LOST,
        widget=forms.RadioSelect,
        error_messages=ChoiceError(_("请选择补办原因。")),
    )
    new_barcode = forms.CharField(
        label=_("新借书证号"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"class": "mono", "autocomplete": "off"}),
        help_text=_("扫描或输入新证上的号码；留空则自动生成下一个号码。"),
        error_messages={"max_length": _("借书证号最多 %(limit_value)d 个字符。")},
    )
