"""Input of the cataloguing pages: the ISBN box, the record form (short form, review, edit), copies and item edits."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.forms.models import model_to_dict
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from xiaotu.catalogue.clc import is_valid_class, normalize_class
from xiaotu.catalogue.models import Item, ItemCategory, Record
from xiaotu.catalogue.services import HAND_STATUSES
from xiaotu.intake.cataloguing import MAX_COPIES, REMOTE_FIELDS, BatchChoice, CatalogueRefused, check_isbn
from xiaotu.intake.incoming import IncomingRecord
from xiaotu.intake.models import Batch, RemoteCatalogue
from xiaotu.schools.models import Library, Location

MAX_QUERY = 100
DAILY_BATCH = "daily"
DONATION_BATCH = "donation"


NUL_MESSAGE = _("含有无法识别的控制字符，请重新输入。")


def text_errors() -> dict[str, Any]:
    """Messages for a text field: too long (with the limit and the length), a NUL character."""
    return {
        "max_length": _("最多 %(limit_value)d 个字符（现在 %(show_value)d 个）。"),
        "null_characters_not_allowed": NUL_MESSAGE,
    }


def _printable(value: str, *, lines: bool = False) -> str:
    """Refuse control characters (a scanner on the wrong keyboard layout sends them); keep line breaks where asked."""
    allowed = "\n\r\t" if lines else "\t"
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") and ch not in allowed for ch in value):
        raise forms.ValidationError(NUL_MESSAGE, code="control_characters")
    return value


class TextField(forms.CharField):
    """A one-line text with a length limit given in the messages, control characters refused."""

    def __init__(self, label: Any, max_length: int, *, required: bool = False, **kwargs: Any) -> None:
        super().__init__(label=label, max_length=max_length, required=required, error_messages=text_errors(), **kwargs)

    def clean(self, value: Any) -> str:
        return _printable(str(super().clean(value)))


class ClcField(forms.CharField):
    """中图法分类号, cleaned as vendors write it ('ｉ２４７．５' -> 'I247.5') and checked against the notation."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(label=_("中图法分类号"), max_length=50, required=False, error_messages=text_errors(), **kwargs)

    def clean(self, value: Any) -> str:
        text = _printable(str(super().clean(value)))
        if not text:
            return ""
        code = normalize_class(text)
        if not is_valid_class(code):
            raise forms.ValidationError(
                _("“%(code)s”不是中图法分类号。请输入分类号（如 I247.5），或输入类名、拼音后从列表中选择。"),
                code="invalid_class",
                params={"code": text[:40]},
            )
        return code


class IsbnField(forms.CharField):
    """An ISBN, checked (10 ↔ 13), kept as ISBN-13."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "ISBN")
        super().__init__(max_length=40, error_messages=text_errors(), **kwargs)

    def clean(self, value: Any) -> str:
        text = _printable(str(super().clean(value)))
        if not text:
            return ""
        try:
            return check_isbn(text).isbn13
        except CatalogueRefused as refusal:
            raise forms.ValidationError(refusal.message, code=refusal.code) from None


class IsbnForm(forms.Form):
    """The scan box of 按 ISBN 编目."""

    isbn = forms.CharField(max_length=60, error_messages={"required": _("请扫描或输入 ISBN。"), **text_errors()})

    def clean_isbn(self) -> Any:
        try:
            return check_isbn(_printable(self.cleaned_data["isbn"]))
        except CatalogueRefused as refusal:
            raise forms.ValidationError(refusal.message, code=refusal.code) from None


def _subjects(text: str) -> list[str]:
    return [part.strip()[:200] for part in re.split(r"[\n\r;；]+", text) if part.strip()]


class RecordForm(forms.Form):
    """书目 — the short form, the review of another library's record, and the record's edit page."""

    title = TextField(_("题名"), 500, required=True)
    author = TextField(_("第一责任者"), 300)
    publisher = TextField(_("出版者"), 200)
    pub_place = TextField(_("出版地"), 100)
    pub_year = forms.IntegerField(
        label=_("出版年"),
        required=False,
        min_value=1000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"min": 1000, "max": 2100}),
        error_messages={
            "invalid": _("出版年应为四位数字，如 2019。"),
            "min_value": _("出版年应为四位数字，如 2019。"),
            "max_value": _("出版年应为四位数字，如 2019。"),
        },
    )
    isbn = IsbnField(required=False)
    price = forms.DecimalField(
        label=_("定价（元）"),
        required=False,
        min_value=Decimal(0),
        max_digits=10,
        decimal_places=2,
        error_messages={
            "invalid": _("定价请填数字，如 25.00。"),
            "min_value": _("定价不能是负数。"),
            "max_digits": _("定价太大了。"),
            "max_whole_digits": _("定价太大了。"),
            "max_decimal_places": _("定价最多两位小数。"),
        },
    )
    clc_class = ClcField()
    call_number = TextField(_("索书号"), 64)
    edition = TextField(_("版次"), 100)
    pages = TextField(_("页数"), 100)
    series = TextField(_("丛书"), 300)
    summary = forms.CharField(
        label=_("提要"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=text_errors(),
    )
    subjects = forms.CharField(
        label=_("主题词"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("一行一个，或用分号隔开；复分写作“中国--历史”。"),
        error_messages=text_errors(),
    )

    main_fields = ("title", "author", "publisher", "pub_place", "pub_year", "isbn", "price", "clc_class")
    more_fields = ("edition", "pages", "series", "summary", "subjects")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].error_messages["required"] = _("请填写题名。")
        self.fields["title"].widget.attrs["autocomplete"] = "off"
        self.fields["clc_class"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "placeholder": _("分类号、类名或拼音，如 xs")}
        )
        self.fields["isbn"].widget.attrs.update({"autocomplete": "off", "inputmode": "numeric"})

    @property
    def more_open(self) -> bool:
        """Whether the less used fields should be shown open: one of them has something to say."""
        return self.is_bound and any(name in self.errors for name in self.more_fields)

    def clean_summary(self) -> str:
        return _printable(self.cleaned_data["summary"], lines=True)

    def clean_subjects(self) -> list[str]:
        return _subjects(_printable(self.cleaned_data["subjects"], lines=True))

    @staticmethod
    def initial_for(source: IncomingRecord | Record) -> dict[str, Any]:
        """The form's values for a record of ours or another library's record."""
        values = {name: getattr(source, name) for name in (*RecordForm.main_fields, *RecordForm.more_fields)}
        values["subjects"] = "\n".join(str(s) for s in source.subjects)
        values["clc_class"] = normalize_class(source.clc_class) if source.clc_class else ""
        values["call_number"] = source.call_number
        return values

    def changes(self) -> dict[str, Any]:
        """What record_update takes."""
        return {name: self.cleaned_data[name] for name in (*self.main_fields, *self.more_fields, "call_number")}

    def incoming(self, base: IncomingRecord | None = None) -> IncomingRecord:
        """A record to catalogue: `base` (another library's record, with its MARC) with the fields as edited here."""
        data = self.cleaned_data
        incoming = base or IncomingRecord(position=1, title="")
        for name in (*self.main_fields, *self.more_fields):
            setattr(incoming, name, data[name])
        if incoming.authors:
            incoming.authors[0] = {**incoming.authors[0], "name": data["author"]}
            incoming.authors = [a for a in incoming.authors if a.get("name")]
        elif data["author"]:
            incoming.authors = [{"name": data["author"], "role": ""}]
        if base is not None and base.author != data["author"]:
            incoming.author_pinyin = ""  # worked out again from the name as typed
        incoming.pub_date = incoming.pub_date or (str(data["pub_year"]) if data["pub_year"] else "")
        return incoming


def _batch_label(batch: Batch) -> str:
    parts = [batch.number, batch.received_on.isoformat(), str(batch.get_source_display())]
    parts += [part for part in (batch.vendor, batch.note) if part]
    return " · ".join(parts)


class CopiesForm(forms.Form):
    """How many copies, where they go, and the 总括登记 they belong to."""

    copies = forms.IntegerField(
        label=_("册数"),
        initial=1,
        min_value=1,
        max_value=MAX_COPIES,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_COPIES}),
        error_messages={
            "required": _("请填写册数。"),
            "invalid": _("册数应为整数。"),
            "min_value": format_lazy(_("册数应在 1 到 {most} 之间。"), most=MAX_COPIES),
            "max_value": format_lazy(_("册数应在 1 到 {most} 之间。"), most=MAX_COPIES),
        },
    )
    location = forms.ModelChoiceField(
        label=_("馆藏地点"),
        queryset=Location.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("请选择本馆的馆藏地点。")},
    )
    category = forms.ModelChoiceField(
        label=_("流通类型"),
        queryset=ItemCategory.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("请选择本馆的流通类型。")},
    )
    batch = forms.ChoiceField(label=_("批次（总括登记）"), error_messages={"invalid_choice": _("请选择批次。")})
    donor = TextField(_("捐赠人或单位"), 200)

    def __init__(self, *args: Any, library: Library, batches: Iterable[Batch] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.library = library
        location = self.fields["location"]
        category = self.fields["category"]
        assert isinstance(location, forms.ModelChoiceField) and isinstance(category, forms.ModelChoiceField)
        location.queryset = Location.objects.filter(library=library).order_by("pk")
        category.queryset = ItemCategory.objects.filter(library=library).order_by("reference_only", "pk")
        self._batches = {str(batch.pk): batch for batch in batches}
        batch_field = self.fields["batch"]
        assert isinstance(batch_field, forms.ChoiceField)
        batch_field.choices = [
            (DAILY_BATCH, _("今天的手工编目批次（自动建立）")),
            (DONATION_BATCH, _("新建捐赠批次…")),
            *[(key, _batch_label(batch)) for key, batch in self._batches.items()],
        ]
        self.fields["donor"].widget.attrs["placeholder"] = _("选择“新建捐赠批次”时填写")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("batch") == DONATION_BATCH and not cleaned.get("donor", "").strip():
            self.add_error("donor", _("新建捐赠批次时请填写捐赠人或单位。"))
        return cleaned

    def batch_choice(self) -> BatchChoice:
        value = self.cleaned_data["batch"]
        if value == DAILY_BATCH:
            return BatchChoice()
        if value == DONATION_BATCH:
            return BatchChoice(donor=self.cleaned_data["donor"].strip())
        return BatchChoice(batch=self._batches[value])


def _status_choices(current: str | None = None) -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [(str(s.value), s.label) for s in HAND_STATUSES]
    if current == Item.Status.ON_LOAN:
        choices.insert(0, (str(Item.Status.ON_LOAN.value), Item.Status.ON_LOAN.label))
    return choices


class ItemForm(forms.Form):
    """册 — one copy's location, category, status, price, call number and volume."""

    location = forms.ModelChoiceField(label=_("馆藏地点"), queryset=Location.objects.none(), empty_label=None)
    category = forms.ModelChoiceField(label=_("流通类型"), queryset=ItemCategory.objects.none(), empty_label=None)
    status = forms.ChoiceField(label=_("状态"), error_messages={"invalid_choice": _("这个状态不能手工设置。")})
    price = forms.DecimalField(
        label=_("价格（元）"),
        required=False,
        min_value=Decimal(0),
        max_digits=10,
        decimal_places=2,
        error_messages={"invalid": _("价格请填数字，如 25.00。"), "min_value": _("价格不能是负数。")},
    )
    call_number = TextField(_("索书号"), 64)
    volume = TextField(_("卷册"), 50)

    def __init__(self, *args: Any, item: Item, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", model_to_dict(item, fields=["location", "category", "status", "price", "call_number", "volume"])
        )
        super().__init__(*args, **kwargs)
        location = self.fields["location"]
        category = self.fields["category"]
        status = self.fields["status"]
        assert isinstance(location, forms.ModelChoiceField) and isinstance(category, forms.ModelChoiceField)
        assert isinstance(status, forms.ChoiceField)
        location.queryset = Location.objects.filter(library_id=item.library_id).order_by("pk")
        category.queryset = ItemCategory.objects.filter(library_id=item.library_id).order_by("reference_only", "pk")
        status.choices = _status_choices(item.status)

    def changes(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ItemsEditForm(forms.Form):
    """批量修改 — one location, category or status for every copy chosen; an empty choice leaves that field as it is."""

    location = forms.ModelChoiceField(
        label=_("馆藏地点"), queryset=Location.objects.none(), required=False, empty_label=_("（不变）")
    )
    category = forms.ModelChoiceField(
        label=_("流通类型"), queryset=ItemCategory.objects.none(), required=False, empty_label=_("（不变）")
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, error_messages={"invalid_choice": _("这个状态不能手工设置。")}
    )

    def __init__(self, *args: Any, library: Library, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        location = self.fields["location"]
        category = self.fields["category"]
        status = self.fields["status"]
        assert isinstance(location, forms.ModelChoiceField) and isinstance(category, forms.ModelChoiceField)
        assert isinstance(status, forms.ChoiceField)
        location.queryset = Location.objects.filter(library=library).order_by("pk")
        category.queryset = ItemCategory.objects.filter(library=library).order_by("reference_only", "pk")
        status.choices = [("", _("（不变）")), *_status_choices()]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(cleaned.get(name) for name in ("location", "category", "status")):
            raise forms.ValidationError(_("请至少选择一项要修改的内容：馆藏地点、流通类型或状态。"))
        return cleaned

    def changes(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if value}


def item_ids(values: Iterable[str]) -> list[int]:
    """The copies ticked on a list (`item` checkboxes); anything that is not an id is ignored."""
    return sorted({int(v) for v in values if v.isdigit() and len(v) < 19})


class ItemSearchForm(forms.Form):
    q = forms.CharField(label=_("检索"), required=False, max_length=MAX_QUERY, error_messages=text_errors())
    status = forms.ChoiceField(label=_("状态"), required=False)
    location = forms.ModelChoiceField(
        label=_("馆藏地点"), queryset=Location.objects.none(), required=False, empty_label=_("全部地点")
    )
    batch = forms.ModelChoiceField(
        label=_("批次"), queryset=Batch.objects.none(), required=False, empty_label=_("全部批次")
    )

    def __init__(self, *args: Any, library: Library, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        location = self.fields["location"]
        batch = self.fields["batch"]
        assert isinstance(status, forms.ChoiceField)
        assert isinstance(location, forms.ModelChoiceField) and isinstance(batch, forms.ModelChoiceField)
        status.choices = [("", _("全部状态")), *Item.Status.choices]
        location.queryset = Location.objects.filter(library=library).order_by("pk")
        batch.queryset = Batch.objects.filter(library=library).order_by("-received_on", "-pk")
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("题名、ISBN、索书号、条码或登录号"), "autofocus": True, "autocomplete": "off"}
        )

    def clean_q(self) -> str:
        return _printable(self.cleaned_data["q"])


ENCODINGS = [("utf-8", "UTF-8"), ("gb18030", "GB18030 / GBK"), ("marc-8", "MARC-8")]


class RemoteCatalogueForm(forms.ModelForm[RemoteCatalogue]):
    """联合目录服务器 — validated here, written by remote_catalogue_save."""

    encoding = forms.ChoiceField(label=_("字符集"), choices=ENCODINGS)
    password = forms.CharField(
        label=_("密码"),
        required=False,
        max_length=100,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = RemoteCatalogue
        fields = [name for name in REMOTE_FIELDS]
        help_texts = {
            "host": _("只填主机名或 IP 地址，不要加 http:// 或端口。"),
            "database": _("Z39.50 的数据库名；SRU 没有单独路径时也用它（地址为 /数据库名）。"),
            "path": _("SRU 地址的路径，如 /sru；留空时用 /数据库名。Z39.50 不用填。"),
            "syntax": _("服务器发回的记录格式。国内的联合目录一般是 CNMARC，国外的一般是 MARC21。"),
            "cql_index": _("SRU 按 ISBN 检索时用的检索点，一般是 bath.isbn，有的服务器用 isbn 或 dc.identifier。"),
        }

    def __init__(self, *args: Any, keep_password: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keep_password = keep_password
        if keep_password:
            self.fields["password"].help_text = _("留空表示不修改原密码。")
        for name in ("host", "database", "path", "user", "cql_index"):
            self.fields[name].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and field.max_length:
                field.error_messages.update(text_errors())
            field.error_messages["required"] = format_lazy(_("请填写{field}。"), field=field.label)
        port = self.fields["port"]
        assert isinstance(port, forms.IntegerField)
        port.min_value, port.max_value = 1, 65535
        port.validators = []
        port.error_messages.update({"invalid": _("端口应为 1 到 65535 之间的整数。")})

    def clean_host(self) -> str:
        host = _printable(self.cleaned_data["host"]).strip()
        if not re.fullmatch(r"[A-Za-z0-9.\-:\[\]]+", host) or "://" in host:
            raise forms.ValidationError(_("主机名只能有字母、数字、点和连字符，如 z3950.example.cn 或 202.96.31.28。"))
        return host

    def clean_port(self) -> int:
        port = self.cleaned_data["port"]
        if port is None or not 1 <= port <= 65535:
            raise forms.ValidationError(_("端口应为 1 到 65535 之间的整数。"))
        return int(port)

    def values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in REMOTE_FIELDS}
        if self.keep_password and not values["password"]:
            del values["password"]
        return values


class ServerTestForm(forms.Form):
    isbn = IsbnField(required=False)
