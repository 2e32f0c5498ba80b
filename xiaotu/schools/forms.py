"""Input of the school calendar page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

WEEKDAYS = [
    ("1", _("周一")),
    ("2", _("周二")),
    ("3", _("周三")),
    ("4", _("周四")),
    ("5", _("周五")),
    ("6", _("周六")),
    ("7", _("周日")),
]
DATE_ERRORS = {"invalid": _("请填写正确的日期，例如 2026-02-20。"), "required": _("请填写日期。")}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def _date(label: StrOrPromise, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), error_messages=DATE_ERRORS)


class WeekdaysForm(forms.Form):
    weekdays = forms.MultipleChoiceField(
        label=_("每周闭馆日"),
        choices=WEEKDAYS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("星期应为 1（周一）到 7（周日）。")},
    )

    def days(self) -> list[int]:
        return [int(d) for d in self.cleaned_data["weekdays"]]


class TermForm(forms.Form):
    name = forms.CharField(
        label=_("学期名称"),
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("如 2025–2026 学年第二学期")}),
        error_messages={"required": _("请填写学期名称。"), "max_length": _("名称最多 %(limit_value)d 个字。")},
    )
    starts_on = _date(_("开始日期"))
    ends_on = _date(_("结束日期"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        return cleaned


class ClosedDaysForm(forms.Form):
    """One day, or a range such as 寒假: leave the end empty for a single day."""

    start = _date(_("从"))
    end = _date(_("到（可不填）"), required=False)
    reason = forms.CharField(
        label=_("原因"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如 寒假、国庆节、运动会")}),
        error_messages={"max_length": _("原因最多 %(limit_value)d 个字。")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start = cleaned.get("start")
        if isinstance(start, dt.date) and cleaned.get("end") is None:
            cleaned["end"] = start
        end = cleaned.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        return cleaned


class ClosedRangeForm(forms.Form):
    start = _date(_("从"))
    end = _date(_("到"))
