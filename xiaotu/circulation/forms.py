"""Input of the circulation pages: what the desk's scan box sends, and the loan rule matrix."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xiaotu.catalogue.models import ItemCategory
from xiaotu.circulation.corners import MAX_BATCH, barcodes_from
from xiaotu.circulation.desk import Mode
from xiaotu.circulation.models import CirculationSettings, ClassSlot, LoanCap, LoanRule, NoticeChannels
from xiaotu.circulation.rules import LOAN_DAYS, MAX_LOANS, MAX_RENEWALS, MAX_TOTAL, CellKey, RuleCell
from xiaotu.readers.models import ReaderType, SchoolClass

# Longer than any barcode or name; a scanner that sends more is misconfigured or something was pasted.
MAX_SCAN = 100

SCAN_ERRORS = {
    "max_length": _("输入太长（%(show_value)d 个字符，最多 %(limit_value)d 个），请重新扫描。"),
    "null_characters_not_allowed": _("输入中有无法识别的字符，请重新扫描。"),
}


def _printable(value: str) -> str:
    """Reject control characters (a scanner set to the wrong keyboard layout sends them); spaces are fine."""
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") and not ch.isspace() for ch in value):
        raise forms.ValidationError(SCAN_ERRORS["null_characters_not_allowed"], code="control_characters")
    return value


class ScanForm(forms.Form):
    """One scan or typed line from the desk, with the mode and the reader the page is serving."""

    mode = forms.ChoiceField(choices=Mode.choices, error_messages={"invalid_choice": _("未知的借还方式。")})
    reader = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**62,
        error_messages={key: _("读者编号不正确，请重新扫描借书证。") for key in ("invalid", "min_value", "max_value")},
    )
    q = forms.CharField(required=False, max_length=MAX_SCAN, error_messages=SCAN_ERRORS)

    def clean_q(self) -> str:
        return _printable(self.cleaned_data["q"])

    def mode_or_lend(self) -> str:
        mode = self.data.get("mode")
        return mode if mode in Mode.values else Mode.LEND

    def first_error(self) -> str:
        return next(str(message) for messages in self.errors.values() for message in messages)


class TransferForm(forms.Form):
    """先归还再借出: the book and the reader it should go to."""

    reader = forms.IntegerField(min_value=1, max_value=2**62, error_messages={"required": _("请先扫描借书证。")})
    item = forms.CharField(max_length=MAX_SCAN, error_messages={"required": _("没有图书条码。"), **SCAN_ERRORS})

    def clean_item(self) -> str:
        return _printable(self.cleaned_data["item"])

    def first_error(self) -> str:
        return next(str(message) for messages in self.errors.values() for message in messages)


def _number(label: str, bounds: tuple[int, int], initial: int | None) -> forms.IntegerField:
    low, high = bounds
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=low,
        max_value=high,
        initial=initial,
        widget=forms.NumberInput(attrs={"min": low, "max": high, "step": 1}),
        error_messages={
            "invalid": _("请填写整数。"),
            "min_value": _("不能小于 %(limit_value)s。"),
            "max_value": _("不能大于 %(limit_value)s。"),
        },
    )


@dataclass(frozen=True)
class MatrixCell:
    category: ItemCategory
    on: forms.BoundField
    loan_days: forms.BoundField
    max_loans: forms.BoundField
    max_renewals: forms.BoundField
    overdue_blocks: forms.BoundField

    @property
    def has_errors(self) -> bool:
        return any(f.errors for f in (self.loan_days, self.max_loans, self.max_renewals))


@dataclass(frozen=True)
class MatrixRow:
    reader_type: ReaderType
    cells: list[MatrixCell]
    cap: forms.BoundField


class LoanRulesForm(forms.Form):
    """The whole matrix on one page: a cell per reader type × item category, and a total cap per reader type."""

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        reader_types: Iterable[ReaderType],
        categories: Iterable[ItemCategory],
        rules: Iterable[LoanRule],
        caps: Iterable[LoanCap],
    ) -> None:
        super().__init__(data)
        self.reader_types = list(reader_types)
        self.categories = list(categories)
        by_cell = {(r.reader_type_id, r.item_category_id): r for r in rules}
        by_type = {c.reader_type_id: c.max_total for c in caps}
        defaults = LoanRule()
        for t in self.reader_types:
            for c in self.categories:
                rule = by_cell.get((t.pk, c.pk))
                shown = rule or defaults
                name = f"{t.name} × {c.name}"
                p = self._prefix(t.pk, c.pk)
                self.fields[f"{p}on"] = forms.BooleanField(label=name, required=False, initial=rule is not None)
                self.fields[f"{p}loan_days"] = _number(f"{name} {_('借期')}", LOAN_DAYS, shown.loan_days)
                self.fields[f"{p}max_loans"] = _number(f"{name} {_('可借册数')}", MAX_LOANS, shown.max_loans)
                self.fields[f"{p}max_renewals"] = _number(f"{name} {_('续借次数')}", MAX_RENEWALS, shown.max_renewals)
                self.fields[f"{p}overdue_blocks"] = forms.BooleanField(
                    label=f"{name} {_('超期停借')}", required=False, initial=shown.overdue_blocks
                )
            self.fields[f"cap{t.pk}"] = _number(f"{t.name} {_('合计可借')}", MAX_TOTAL, by_type.get(t.pk))

    @staticmethod
    def _prefix(type_id: int, category_id: int) -> str:
        return f"r{type_id}c{category_id}_"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for t in self.reader_types:
            for c in self.categories:
                p = self._prefix(t.pk, c.pk)
                if not cleaned.get(f"{p}on"):
                    continue
                for key in ("loan_days", "max_loans", "max_renewals"):
                    if f"{p}{key}" in cleaned and cleaned[f"{p}{key}"] is None:
                        self.add_error(f"{p}{key}", _("可借时必须填写。"))
        return cleaned

    def cells(self) -> dict[CellKey, RuleCell | None]:
        result: dict[CellKey, RuleCell | None] = {}
        for t in self.reader_types:
            for c in self.categories:
                p = self._prefix(t.pk, c.pk)
                d = self.cleaned_data
                result[(t.pk, c.pk)] = (
                    RuleCell(
                        loan_days=d[f"{p}loan_days"],
                        max_loans=d[f"{p}max_loans"],
                        max_renewals=d[f"{p}max_renewals"],
                        overdue_blocks=d[f"{p}overdue_blocks"],
                    )
                    if d[f"{p}on"]
                    else None
                )
        return result

    def caps(self) -> dict[int, int | None]:
        return {t.pk: self.cleaned_data[f"cap{t.pk}"] for t in self.reader_types}

    def rows(self) -> list[MatrixRow]:
        rows = []
        for t in self.reader_types:
            cells = []
            for c in self.categories:
                p = self._prefix(t.pk, c.pk)
                cells.append(
                    MatrixCell(
                        category=c,
                        on=self[f"{p}on"],
                        loan_days=self[f"{p}loan_days"],
                        max_loans=self[f"{p}max_loans"],
                        max_renewals=self[f"{p}max_renewals"],
                        overdue_blocks=self[f"{p}overdue_blocks"],
                    )
                )
            rows.append(MatrixRow(reader_type=t, cells=cells, cap=self[f"cap{t.pk}"]))
        return rows

    def error_summary(self) -> list[str]:
        return [
            f"{self.fields[name].label}：{message}" if name in self.fields else str(message)
            for name, messages in self.errors.items()
            for message in messages
        ]


class HoldPlaceForm(forms.Form):
    """预约 at the desk: the reader's card and any copy of the title they want."""

    reader = forms.CharField(label=_("借书证号"), max_length=MAX_SCAN, error_messages={"required": _("请扫描借书证。")})
    item = forms.CharField(
        label=_("图书条码（任一册）"), max_length=MAX_SCAN, error_messages={"required": _("请扫描要预约的书的条码。")}
    )

    def clean_reader(self) -> str:
        return _printable(self.cleaned_data["reader"])

    def clean_item(self) -> str:
        return _printable(self.cleaned_data["item"])


class NoticeChannelsForm(forms.ModelForm[NoticeChannels]):
    """通知设置: a blank password keeps the one saved before (it is never shown again)."""

    webhook_url = forms.URLField(label=_("机器人 Webhook 地址"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = NoticeChannels
        fields = [
            "send_hour",
            "email_enabled",
            "smtp_host",
            "smtp_port",
            "smtp_security",
            "smtp_username",
            "smtp_password",
            "from_address",
            "email_class_teachers",
            "extra_recipients",
            "webhook_enabled",
            "webhook_url",
            "webhook_format",
        ]
        widgets = {
            "smtp_password": forms.PasswordInput(render_value=False),
            "extra_recipients": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.saved_password = self.instance.smtp_password
        self.fields["send_hour"].widget.attrs.update(min=0, max=23)

    def clean_smtp_password(self) -> str:
        return str(self.cleaned_data.get("smtp_password") or self.saved_password)

    def clean_extra_recipients(self) -> str:
        text = str(self.cleaned_data.get("extra_recipients") or "")
        validator = forms.EmailField()
        for address in NoticeChannels(extra_recipients=text).extra_addresses():
            try:
                validator.clean(address)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("「%(address)s」不是有效的电子邮件地址。"), params={"address": address}
                ) from None
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("email_enabled") and not (data.get("smtp_host") and data.get("from_address")):
            self.add_error("smtp_host", _("发送电子邮件需要填写 SMTP 服务器和发件人地址。"))
        if data.get("webhook_enabled") and not data.get("webhook_url"):
            self.add_error("webhook_url", _("发送到群机器人需要填写 Webhook 地址。"))
        if (hour := data.get("send_hour")) is not None and hour > 23:
            self.add_error("send_hour", _("发送时间是 0 到 23 点之间的整点。"))
        return data


class CompensationForm(forms.Form):
    """赔偿登记: the copy, lost or damaged, and a price when the catalogue has none (or the library agrees another)."""

    KINDS = [("lost", _("丢失")), ("damaged", _("损坏"))]

    item = forms.CharField(label=_("图书条码"), max_length=MAX_SCAN, error_messages={"required": _("请扫描图书条码。")})
    kind = forms.ChoiceField(label=_("类型"), choices=KINDS, error_messages={"invalid_choice": _("请选择丢失或损坏。")})
    price = forms.DecimalField(
        label=_("定价（元，可不填）"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
        error_messages={"invalid": _("定价请填写数字，例如 25.80。"), "min_value": _("定价不能是负数。")},
    )

    def clean_item(self) -> str:
        return _printable(self.cleaned_data["item"])


class SettleForm(forms.Form):
    """How a compensation was settled."""

    status = forms.ChoiceField(
        choices=[("paid", _("已付")), ("waived", _("已减免")), ("replaced", _("已赔书"))],
        error_messages={"invalid_choice": _("未知的处理方式。"), "required": _("未知的处理方式。")},
    )
    note = forms.CharField(required=False, max_length=200, error_messages={"max_length": _("备注最多 200 个字。")})


class CirculationSettingsForm(forms.ModelForm[CirculationSettings]):
    """流通设置: holds, compensation and fines."""

    class Meta:
        model = CirculationSettings
        fields = ["hold_pickup_days", "hold_limit", "compensation_factor", "fine_per_day", "owing_limit"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (days := data.get("hold_pickup_days")) is not None and days < 1:
            self.add_error("hold_pickup_days", _("预约保留天数至少 1 天。"))
        if (factor := data.get("compensation_factor")) is not None and factor <= 0:
            self.add_error("compensation_factor", _("赔偿倍数必须大于 0。"))
        for name in ("fine_per_day", "owing_limit"):
            if (value := data.get(name)) is not None and value < 0:
                self.add_error(name, _("不能是负数。"))
        return data


GRADE_ERRORS = {
    key: _("年级请填写 1 到 12 的数字（一年级是 1，高三是 12）。")
    for key in ("required", "invalid", "min_value", "max_value")
}
COUNT_ERRORS = {key: _("册数请填写 1 到 99 的数字。") for key in ("invalid", "min_value", "max_value")}


class GradeLimitForm(forms.Form):
    """按年级限借: a reader type, a range of grades, and the lower caps for them."""

    reader_type = forms.ModelChoiceField(
        label=_("读者类型"),
        queryset=ReaderType.objects.none(),
        error_messages={"required": _("请选择读者类型。"), "invalid_choice": _("没有这个读者类型。")},
    )
    grade_from = forms.IntegerField(label=_("从年级"), min_value=1, max_value=12, error_messages=GRADE_ERRORS)
    grade_to = forms.IntegerField(label=_("到年级"), min_value=1, max_value=12, error_messages=GRADE_ERRORS)
    max_total = forms.IntegerField(
        label=_("合计可借册数"), required=False, min_value=1, max_value=99, error_messages=COUNT_ERRORS
    )
    max_loans = forms.IntegerField(
        label=_("每类可借册数"), required=False, min_value=1, max_value=99, error_messages=COUNT_ERRORS
    )

    def __init__(self, *args: Any, reader_types: Iterable[ReaderType] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reader_type"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = ReaderType.objects.filter(pk__in=[t.pk for t in reader_types])


class SessionScanForm(forms.Form):
    """One scan in a class session, with the pupil being served."""

    reader = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**62,
        error_messages={key: _("读者编号不正确，请重新扫描借书证。") for key in ("invalid", "min_value", "max_value")},
    )
    q = forms.CharField(required=False, max_length=MAX_SCAN, error_messages=SCAN_ERRORS)

    def clean_q(self) -> str:
        return _printable(self.cleaned_data["q"])


class ClassSlotForm(forms.Form):
    """借阅时间表: one weekly slot of a class."""

    school_class = forms.ModelChoiceField(
        label=_("班级"),
        queryset=SchoolClass.objects.none(),
        error_messages={"required": _("请选择班级。"), "invalid_choice": _("没有这个班级。")},
    )
    weekday = forms.TypedChoiceField(
        label=_("星期"),
        coerce=int,
        choices=ClassSlot.Weekday.choices,
        error_messages={"required": _("请选择星期几。"), "invalid_choice": _("请选择星期几。")},
    )
    starts_at = forms.TimeField(
        label=_("开始时间"), error_messages={"required": _("请填写开始时间。"), "invalid": _("时间的格式是 14:30。")}
    )
    ends_at = forms.TimeField(
        label=_("结束时间"), error_messages={"required": _("请填写结束时间。"), "invalid": _("时间的格式是 14:30。")}
    )

    def __init__(self, *args: Any, classes: QuerySet[SchoolClass] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school_class"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = classes if classes is not None else SchoolClass.objects.none()
        self.fields["starts_at"].widget.input_type = "time"
        self.fields["ends_at"].widget.input_type = "time"


class CornerBatchForm(forms.Form):
    """图书角借书 or 还书: the barcodes as scanned, one a line."""

    barcodes = forms.CharField(
        label=_("图书条码（每行一个，可连续扫描）"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": _("请扫描图书条码。"), "max_length": _("一次最多处理 300 本书。")},
    )

    def clean_barcodes(self) -> list[str]:
        codes = barcodes_from(_printable(self.cleaned_data["barcodes"]))
        if not codes:
            raise forms.ValidationError(_("请扫描图书条码。"))
        if len(codes) > MAX_BATCH:
            raise forms.ValidationError(_("一次最多处理 300 本书。"))
        return codes


class CornerPassForm(forms.Form):
    """图书漂流: the class the whole set goes to."""

    to_class = forms.ModelChoiceField(
        label=_("漂流到"),
        queryset=SchoolClass.objects.none(),
        error_messages={"required": _("请选择班级。"), "invalid_choice": _("没有这个班级。")},
    )

    def __init__(self, *args: Any, classes: QuerySet[SchoolClass] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_class"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = classes if classes is not None else SchoolClass.objects.none()
