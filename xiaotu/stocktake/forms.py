"""Forms of the stocktake, weeding and repair pages: they check the input; the services decide."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from xiaotu.schools.models import Library, Location
from xiaotu.stocktake.models import WithdrawalBatch
from xiaotu.stocktake.services import MAX_FILE_BYTES

RANGE_LINE = re.compile(r"^\s*(\S+)\s*(?:-|—|–|~|～|至|到|\s)\s*(\S+)\s*$")


class StocktakeForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    locations = forms.ModelMultipleChoiceField(
        label=_("馆藏地点"),
        queryset=Location.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选：全部地点。"),
    )
    call_number_ranges = forms.CharField(
        label=_("索书号范围"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "I200-I299\nK81-K82"}),
        help_text=_("一行一段，起止用“-”隔开；终点包括以它开头的所有索书号。"),
    )
    clc_classes = forms.CharField(
        label=_("中图法分类"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "I K Z"}),
        help_text=_("分类号开头，用空格隔开，例如 I 或 I24。"),
    )
    check_order = forms.BooleanField(label=_("检查排架顺序（按书架顺序扫描时）"), required=False)

    def __init__(self, *args: Any, library: Library, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["locations"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Location.objects.filter(library=library).order_by("code")

    def clean_call_number_ranges(self) -> list[list[str]]:
        ranges = []
        for number, line in enumerate(str(self.cleaned_data["call_number_ranges"]).splitlines(), start=1):
            if not line.strip():
                continue
            match = RANGE_LINE.match(line)
            if match is None:
                raise ValidationError(_("第 %(n)d 行应写成“起点-终点”，例如 I200-I299。"), params={"n": number})
            ranges.append([match.group(1).upper(), match.group(2).upper()])
        return ranges

    def clean_clc_classes(self) -> list[str]:
        return [part.upper() for part in re.split(r"[\s,，、]+", str(self.cleaned_data["clc_classes"])) if part]


class RunForm(forms.Form):
    location = forms.ModelChoiceField(
        label=_("我在哪里扫描"),
        queryset=Location.objects.none(),
        required=False,
        empty_label=_("不限（只按清点范围判断）"),
    )

    def __init__(self, *args: Any, library: Library, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["location"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Location.objects.filter(library=library).order_by("code")


class UploadForm(RunForm):
    file = forms.FileField(label=_("盘点机文件"), help_text=_("TXT 或 CSV，一行一个条码，可带扫描时间；UTF-8 或 GBK。"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(_("文件太大（超过 10 MB）。"))
        return upload


class CandidateForm(forms.Form):
    CRITERIA = [
        ("unborrowed", _("多年未借")),
        ("damaged", _("破损")),
        ("superseded", _("有新版本")),
    ]
    criteria = forms.MultipleChoiceField(
        label=_("条件"), choices=CRITERIA, widget=forms.CheckboxSelectMultiple, initial=["unborrowed"]
    )
    years = forms.IntegerField(label=_("未借年数"), min_value=1, max_value=50, initial=5, required=False)
    class_prefix = forms.CharField(label=_("分类号开头"), max_length=20, required=False)
    location = forms.ModelChoiceField(
        label=_("馆藏地点"), queryset=Location.objects.none(), required=False, empty_label=_("全部地点")
    )

    def __init__(self, *args: Any, library: Library, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["location"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Location.objects.filter(library=library).order_by("code")


class WithdrawalForm(forms.Form):
    reason = forms.ChoiceField(label=_("注销原因"), choices=WithdrawalBatch.Reason.choices)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class RepairForm(forms.Form):
    ACTIONS = [
        ("damaged", _("登记破损")),
        ("send", _("送修")),
        ("mended", _("修好归架")),
        ("beyond", _("无法修补")),
    ]
    action = forms.ChoiceField(label=_("操作"), choices=ACTIONS)
    barcode = forms.CharField(label=_("条码"), max_length=64)
    problem = forms.CharField(label=_("破损情况"), max_length=200, required=False)


def item_ids(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()][:1000]
