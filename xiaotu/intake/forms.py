"""Input of the 采编 pages: an upload with its import options, the column mapping, a batch, export, 编号规则."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xiaotu.catalogue.models import ItemCategory
from xiaotu.intake.booklist import BOOK_FIELDS
from xiaotu.intake.models import Batch, Numbering
from xiaotu.intake.selectors import batch_choices
from xiaotu.intake.settings_services import MAX_WIDTH, NumberingValues
from xiaotu.interop.marc import ISO2709, MARCXML
from xiaotu.interop.tables import TableError, check_mapping, column_letter
from xiaotu.schools.models import Library, Location

DATE_ERRORS = {"invalid": _("请填写正确的日期，例如 2026-09-01。"), "required": _("请填写日期。")}
MARC_FORMATS = [("auto", _("自动识别")), ("cnmarc", "CNMARC"), ("unimarc", "UNIMARC"), ("marc21", "MARC21")]
MARC_ENCODINGS = [("auto", _("自动识别")), ("utf-8", "UTF-8"), ("gb18030", "GB18030 / GBK"), ("marc-8", "MARC-8")]
FILE_ERRORS = {"required": _("请选择要导入的文件。"), "empty": _("文件是空的。")}
PREFIX_ATTRS = {"pattern": "[A-Za-z0-9-]{0,10}", "maxlength": "10", "autocomplete": "off", "class": "prefix"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class BatchChoiceField(forms.ModelChoiceField[Batch]):
    def label_from_instance(self, obj: Batch) -> str:
        parts = [obj.number, obj.received_on.isoformat(), obj.vendor]
        return " · ".join(part for part in parts if part)


class ImportOptionsForm(forms.Form):
    """Where the new copies go: a new batch (总括登记) or one already registered; their location and category."""

    batch_mode = forms.ChoiceField(
        label=_("批次"),
        choices=[("new", _("新建批次")), ("existing", _("加入已有批次"))],
        initial="new",
        widget=forms.RadioSelect,
    )
    received_on = forms.DateField(label=_("到书日期"), required=False, widget=DateInput(), error_messages=DATE_ERRORS)
    source = forms.ChoiceField(label=_("来源"), choices=Batch.Source.choices, initial=Batch.Source.PURCHASE)
    vendor = forms.CharField(
        label=_("供书单位"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如 新华书店")}),
    )
    invoice_number = forms.CharField(label=_("发票号"), max_length=100, required=False)
    batch_number = forms.CharField(
        label=_("批次号"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("可不填，自动编号"), "class": "short"}),
    )
    batch = BatchChoiceField(label=_("已有批次"), queryset=Batch.objects.none(), required=False)
    location = forms.ModelChoiceField(
        label=_("馆藏地点"),
        queryset=Location.objects.none(),
        empty_label=None,
        help_text=_("文件中没有写明地点的册放在这里"),
    )
    category = forms.ModelChoiceField(
        label=_("流通类型"), queryset=ItemCategory.objects.none(), empty_label=None, help_text=_("新册的流通类型")
    )
    copies_without_holdings = forms.IntegerField(
        label=_("没有馆藏字段的记录建几册"),
        min_value=0,
        max_value=50,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "tiny"}),
        help_text=_("0 = 只建书目，不建册"),
    )
    call_numbers = forms.ChoiceField(
        label=_("索书号"),
        choices=[("keep", _("保留文件中的索书号")), ("renumber", _("按本馆规则重新分配"))],
        initial="keep",
        widget=forms.RadioSelect,
    )
    all_or_nothing = forms.BooleanField(label=_("全部或全不：只要有一条记录出错，就什么也不导入"), required=False)

    def __init__(self, *args: Any, library: Library, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.library = library
        self.fields["received_on"].initial = timezone.localdate()
        fields = self.fields
        fields["batch"].queryset = batch_choices(library=library)  # type: ignore[attr-defined]
        fields["location"].queryset = Location.objects.filter(library=library).order_by("pk")  # type: ignore[attr-defined]
        fields["category"].queryset = (  # type: ignore[attr-defined]
            ItemCategory.objects.filter(library=library).order_by("reference_only", "pk")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("batch_mode") == "existing":
            if cleaned.get("batch") is None:
                self.add_error("batch", _("请选择要加入的批次。"))
        else:
            number = (cleaned.get("batch_number") or "").strip()
            if number and Batch.objects.filter(library=self.library, number=number).exists():
                self.add_error("batch_number", _("批次号已经存在。要把书加进这个批次，请选“加入已有批次”。"))
        return cleaned

    def job_options(self, *, language: str) -> dict[str, Any]:
        """The options as the import job keeps them (JSON)."""
        data = self.cleaned_data
        existing = data["batch_mode"] == "existing"
        received_on: dt.date = data.get("received_on") or timezone.localdate()
        return {
            "batch": data["batch"].pk if existing else None,
            "new_batch": None
            if existing
            else {
                "received_on": received_on.isoformat(),
                "source": data["source"],
                "vendor": data["vendor"],
                "invoice_number": data["invoice_number"],
                "number": data["batch_number"].strip(),
                "note": "",
            },
            "location": data["location"].pk,
            "category": data["category"].pk,
            "copies_without_holdings": data.get("copies_without_holdings", 1),
            "keep_call_numbers": data["call_numbers"] == "keep",
            "all_or_nothing": data["all_or_nothing"],
            "language": language,
        }


def _check_size(upload: UploadedFile[bytes], max_bytes: int) -> UploadedFile[bytes]:
    size = upload.size or 0
    if size == 0:
        raise forms.ValidationError(_("文件是空的。"))
    if size > max_bytes:
        raise forms.ValidationError(
            _("文件太大（%(size)s），最大只能上传 %(limit)s 的文件。")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)}
        )
    return upload


class MarcUploadForm(ImportOptionsForm):
    file = forms.FileField(label=_("MARC 文件"), error_messages=FILE_ERRORS)
    marc_format = forms.ChoiceField(label=_("格式"), choices=MARC_FORMATS, initial="auto")
    encoding = forms.ChoiceField(label=_("字符编码"), choices=MARC_ENCODINGS, initial="auto")

    field_order = ["file", "marc_format", "encoding"]

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self) -> UploadedFile[bytes]:
        return _check_size(self.cleaned_data["file"], self.max_bytes)

    def job_options(self, *, language: str) -> dict[str, Any]:
        options = super().job_options(language=language)
        data = self.cleaned_data
        options["marc_format"] = "" if data["marc_format"] == "auto" else data["marc_format"]
        options["encoding"] = "" if data["encoding"] == "auto" else data["encoding"]
        return options


class ExcelUploadForm(ImportOptionsForm):
    file = forms.FileField(
        label=_("书单文件"),
        error_messages=FILE_ERRORS,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.xlsb,.ods,.csv,.txt"}),
    )

    field_order = ["file"]

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        # A list says how many copies on each row (册数, one when empty).
        del self.fields["copies_without_holdings"]
        self.fields["location"].help_text = _("新册放在这里")
        self.fields["call_numbers"].choices = [  # type: ignore[attr-defined]
            ("keep", _("保留书单中的索书号")),
            ("renumber", _("按本馆规则重新分配")),
        ]

    def clean_file(self) -> UploadedFile[bytes]:
        return _check_size(self.cleaned_data["file"], self.max_bytes)


class MappingForm(forms.Form):
    """列对应 — which column holds each field; the guess from the headings is preselected."""

    sheet = forms.CharField(required=False, widget=forms.HiddenInput)
    header_line = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, headers: list[str], mapping: dict[str, int | None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.width = len(headers)
        choices = [("", _("（不导入）"))] + [
            (str(index), f"{column_letter(index)} · {heading or '—'}") for index, heading in enumerate(headers)
        ]
        for spec in BOOK_FIELDS:
            column = mapping.get(spec.name)
            self.fields[spec.name] = forms.ChoiceField(
                label=spec.label, choices=choices, required=False, initial="" if column is None else str(column)
            )
            self.fields[spec.name].widget.attrs["data-field"] = spec.name
        self.required_fields = {spec.name for spec in BOOK_FIELDS if spec.required}

    def field_rows(self) -> list[forms.BoundField]:
        return [self[spec.name] for spec in BOOK_FIELDS]

    def mapping(self) -> dict[str, int | None]:
        return {spec.name: _column(self.cleaned_data.get(spec.name, "")) for spec in BOOK_FIELDS}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                check_mapping(self.mapping(), BOOK_FIELDS, width=self.width)
            except TableError as error:
                raise forms.ValidationError(str(error)) from None
        return cleaned


def _column(value: object) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


class BatchForm(forms.Form):
    number = forms.CharField(label=_("批次号"), max_length=32)
    received_on = forms.DateField(label=_("到书日期"), widget=DateInput(), error_messages=DATE_ERRORS)
    source = forms.ChoiceField(label=_("来源"), choices=Batch.Source.choices)
    vendor = forms.CharField(label=_("供书单位"), max_length=200, required=False)
    invoice_number = forms.CharField(label=_("发票号"), max_length=100, required=False)
    note = forms.CharField(label=_("备注"), max_length=500, required=False)


class ExportForm(forms.Form):
    marc_format = forms.ChoiceField(
        label=_("格式"), choices=[("cnmarc", "CNMARC"), ("unimarc", "UNIMARC"), ("marc21", "MARC21")], initial="cnmarc"
    )
    encoding = forms.ChoiceField(
        label=_("字符编码"), choices=[("utf-8", "UTF-8"), ("gb18030", "GB18030")], initial="utf-8"
    )
    container = forms.ChoiceField(
        label=_("文件类型"),
        choices=[(ISO2709, _("ISO 2709（.mrc / .iso）")), (MARCXML, _("MARCXML（.xml）"))],
        initial=ISO2709,
        widget=forms.RadioSelect,
    )
    batch = BatchChoiceField(label=_("范围"), queryset=Batch.objects.none(), required=False, empty_label=_("全部书目"))

    def __init__(self, *args: Any, library: Library, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = batch_choices(library=library)  # type: ignore[attr-defined]


class NumberingForm(forms.Form):
    accession_prefix = forms.CharField(
        label=_("登录号前缀"), max_length=10, required=False, widget=forms.TextInput(attrs=PREFIX_ATTRS)
    )
    accession_width = forms.IntegerField(
        label=_("数字位数"), min_value=1, max_value=MAX_WIDTH, widget=forms.NumberInput(attrs={"class": "tiny"})
    )
    accession_last = forms.IntegerField(
        label=_("已用到的登录号"), min_value=0, widget=forms.NumberInput(attrs={"class": "short"})
    )
    barcode_mode = forms.ChoiceField(label=_("条码"), choices=Numbering.BarcodeMode.choices, widget=forms.RadioSelect)
    call_number_scheme = forms.ChoiceField(
        label=_("索书号"), choices=Numbering.CallNumberScheme.choices, widget=forms.RadioSelect
    )

    def values(self) -> NumberingValues:
        data = self.cleaned_data
        return NumberingValues(
            accession_prefix=data["accession_prefix"] or "",
            accession_width=data["accession_width"],
            accession_last=data["accession_last"],
            barcode_mode=data["barcode_mode"],
            call_number_scheme=data["call_number_scheme"],
        )


class BarcodeRangeForm(forms.Form):
    # not "prefix": a form's own attribute
    range_prefix = forms.CharField(
        label=_("前缀"), max_length=10, required=False, widget=forms.TextInput(attrs=PREFIX_ATTRS)
    )
    width = forms.IntegerField(
        label=_("数字位数"),
        min_value=1,
        max_value=MAX_WIDTH,
        initial=8,
        widget=forms.NumberInput(attrs={"class": "tiny"}),
    )
    first = forms.IntegerField(label=_("起始号"), min_value=0, widget=forms.NumberInput(attrs={"class": "mid"}))
    last = forms.IntegerField(label=_("终止号"), min_value=0, widget=forms.NumberInput(attrs={"class": "mid"}))
