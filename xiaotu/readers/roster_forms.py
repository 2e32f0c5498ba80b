"""Input of the roster import pages: the upload, and the column mapping with the import's two choices."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from xiaotu.interop.tables import TableError, check_mapping, column_letter
from xiaotu.readers.models import ReaderType
from xiaotu.readers.roster import ROSTER_FIELDS

ACCEPT = ".xlsx,.xls,.xlsb,.ods,.csv,.txt"


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("花名册文件"),
        error_messages={"required": _("请选择要导入的文件。"), "empty": _("文件是空的。")},
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_file(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        size = upload.size or 0
        if size == 0:
            raise forms.ValidationError(_("文件是空的。"))
        if size > self.max_bytes:
            raise forms.ValidationError(
                _(
                    "文件太大（%(size)s），最大只能上传 %(limit)s 的文件。"
                    "花名册一般只有几百 KB，请检查是不是选错了文件。"
                )
                % {"size": filesizeformat(size), "limit": filesizeformat(self.max_bytes)}
            )
        return upload


class ReaderTypeChoice(forms.ModelChoiceField[ReaderType]):
    def label_from_instance(self, obj: ReaderType) -> str:
        kind = obj.get_kind_display()
        return obj.name if obj.name == kind else f"{obj.name}（{kind}）"


class RosterMappingForm(forms.Form):
    """列对应 — which column holds each field (the guess preselected), the type of rows that do not say, and what
    to do with classes the school does not have yet."""

    sheet = forms.CharField(required=False, widget=forms.HiddenInput)
    header_line = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    default_type = ReaderTypeChoice(
        label=_("没有写读者类型的行"),
        queryset=ReaderType.objects.none(),
        empty_label=None,
        help_text=_("学生名单选“学生”，教职工名单选“教师”或“职工”"),
    )
    missing_classes = forms.ChoiceField(
        label=_("本校还没有的班级"),
        choices=[("create", _("导入时新建这些班级")), ("refuse", _("不导入这些班级的学生"))],
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args: Any,
        headers: list[str],
        mapping: dict[str, int | None],
        reader_types: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.width = len(headers)
        choices = [("", _("（不导入）"))] + [
            (str(index), f"{column_letter(index)} · {heading or '—'}") for index, heading in enumerate(headers)
        ]
        self.fields["default_type"].queryset = reader_types  # type: ignore[attr-defined]
        for spec in ROSTER_FIELDS:
            column = mapping.get(spec.name)
            self.fields[spec.name] = forms.ChoiceField(
                label=spec.label, choices=choices, required=False, initial="" if column is None else str(column)
            )
            self.fields[spec.name].widget.attrs["data-field"] = spec.name
        self.required_fields = {spec.name for spec in ROSTER_FIELDS if spec.required}

    def field_rows(self) -> list[forms.BoundField]:
        return [self[spec.name] for spec in ROSTER_FIELDS]

    def mapping(self) -> dict[str, int | None]:
        data = self.cleaned_data
        return {
            spec.name: int(value) if isinstance(value := data.get(spec.name, ""), str) and value.isdigit() else None
            for spec in ROSTER_FIELDS
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                check_mapping(self.mapping(), ROSTER_FIELDS, width=self.width)
            except TableError as error:
                raise forms.ValidationError(str(error)) from None
        return cleaned
