"""Input of the label pages: what to print on which sheet, and a label sheet's sizes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from xiaotu.catalogue.forms import text_errors
from xiaotu.intake.models import Batch, LabelLayout
from xiaotu.printing.layout import PRESETS
from xiaotu.printing.services import LAYOUT_FIELDS, LayoutOption, sheet_layout
from xiaotu.schools.models import Library

SOURCES = [("batch", _("一个批次")), ("range", _("登录号范围")), ("selection", _("勾选的册"))]
MAX_START = 500


class LabelForm(forms.Form):
    """打印标签 — spine or barcode labels for a batch, an accession-number range or the copies ticked on a list."""

    # 借书证 are printed from the reader pages (readers:card_print).
    kind = forms.ChoiceField(
        label=_("标签"),
        choices=[(k.value, k.label) for k in (LabelLayout.Kind.SPINE, LabelLayout.Kind.BARCODE)],
        widget=forms.RadioSelect,
        initial=LabelLayout.Kind.SPINE,
    )
    source = forms.ChoiceField(label=_("打印哪些册"), choices=SOURCES, widget=forms.RadioSelect, initial="batch")
    batch = forms.ModelChoiceField(
        label=_("批次"), queryset=Batch.objects.none(), required=False, empty_label=_("请选择批次")
    )
    first = forms.CharField(label=_("起始登录号"), max_length=32, required=False, error_messages=text_errors())
    last = forms.CharField(label=_("结束登录号"), max_length=32, required=False, error_messages=text_errors())
    layout = forms.ChoiceField(label=_("标签纸"), error_messages={"invalid_choice": _("请选择标签纸。")})
    start = forms.IntegerField(
        label=_("从第几个标签开始"),
        initial=1,
        min_value=1,
        max_value=MAX_START,
        help_text=_("用过一部分的标签纸：从左上角数起，第一个空着的标签是第几个。"),
        error_messages={
            "invalid": _("起始位置应为整数。"),
            "min_value": _("起始位置从 1 开始。"),
            "max_value": _("起始位置太大了。"),
            "required": _("请填写起始位置。"),
        },
    )
    school_name = forms.CharField(
        label=_("印在标签上的校名"), max_length=50, required=False, error_messages=text_errors()
    )

    def __init__(self, *args: Any, library: Library, layouts: list[LayoutOption], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        batch = self.fields["batch"]
        layout = self.fields["layout"]
        assert isinstance(batch, forms.ModelChoiceField) and isinstance(layout, forms.ChoiceField)
        batch.queryset = Batch.objects.filter(library=library).order_by("-received_on", "-pk")
        layout.choices = [(option.value, option.label) for option in layouts]
        self.layouts = layouts

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        source = cleaned.get("source")
        if source == "batch" and not cleaned.get("batch"):
            self.add_error("batch", _("请选择批次。"))
        if source == "range":
            for name in ("first", "last"):
                if not cleaned.get(name, "").strip():
                    self.add_error(name, _("请填写起止登录号。"))
        return cleaned


class LayoutForm(forms.ModelForm[LabelLayout]):
    """标签纸 — the sizes of a sheet in millimetres; checked against its paper before it is saved."""

    class Meta:
        model = LabelLayout
        fields = list(LAYOUT_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, forms.DecimalField):
                field.widget.attrs.update({"step": "0.01", "inputmode": "decimal"})
                field.error_messages.update(
                    {
                        "invalid": _("请填数字（毫米），如 38.1。"),
                        "max_digits": _("数值太大了。"),
                        "max_whole_digits": _("数值太大了。"),
                        "max_decimal_places": _("最多两位小数。"),
                    }
                )
                if name in ("label_width", "label_height", "page_width", "page_height"):
                    field.validators.append(_at_most(Decimal(1000)))
            elif isinstance(field, forms.IntegerField):
                field.min_value, field.max_value = 1, 50
                field.widget.attrs.update({"min": 1, "max": 50})
                field.validators = []
                field.error_messages.update({"invalid": _("请填 1 到 50 之间的整数。")})
            if isinstance(field, forms.CharField):
                field.error_messages.update(text_errors())

    def clean_rows(self) -> int:
        return _count(self.cleaned_data.get("rows"))

    def clean_columns(self) -> int:
        return _count(self.cleaned_data.get("columns"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            probe = LabelLayout(**{name: cleaned[name] for name in LAYOUT_FIELDS})
            try:
                sheet_layout(probe).validate()
            except ValidationError as error:
                for message in error.messages:
                    self.add_error(None, message)
        return cleaned

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in LAYOUT_FIELDS}


def _count(value: Any) -> int:
    if value is None or not 1 <= int(value) <= 50:
        raise forms.ValidationError(_("请填 1 到 50 之间的整数。"))
    return int(value)


def _at_most(limit: Decimal) -> Any:
    def check(value: Decimal) -> None:
        if value is not None and value > limit:
            raise forms.ValidationError(_("不能超过 %(limit)s 毫米。") % {"limit": limit})

    return check


class PresetForm(forms.Form):
    """A new sheet, starting from a common product."""

    preset = forms.ChoiceField(
        label=_("规格"),
        choices=[(key, preset.title) for key, preset in PRESETS.items()],
        error_messages={"invalid_choice": _("请选择规格。")},
    )
    name = forms.CharField(
        label=_("名称"), max_length=100, required=False, error_messages=text_errors(),
        help_text=_("留空则用规格的名称。"),
    )  # fmt: skip
