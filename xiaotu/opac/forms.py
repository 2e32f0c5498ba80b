"""What the OPAC's pages accept: search parameters, the reader's sign-in, and the librarian's forms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _

from xiaotu.opac import signin
from xiaotu.opac.models import ReadingList
from xiaotu.readers.models import Grade, Reader, SchoolClass
from xiaotu.schools.models import Library
from xiaotu.search.results import Filters

MAX_QUERY = 200
MAX_PAGE = 500


@dataclass(frozen=True)
class SearchParams:
    q: str
    page: int
    filters: Filters


def _int(value: str | None, *, low: int, high: int) -> int | None:
    if value is None or not value.strip().isdigit() or len(value.strip()) > 9:
        return None
    number = int(value)
    return number if low <= number <= high else None


def page_number(value: str | None) -> int:
    return _int(value, low=1, high=MAX_PAGE) or 1


def search_params(query: QueryDict) -> SearchParams:
    """Whatever arrives in the address bar, something sane: a too-long query is cut, a bad filter is dropped."""
    q = "".join(ch for ch in query.get("q", "")[:MAX_QUERY] if ch.isprintable()).strip()
    clc = query.get("clc", "").strip().upper()
    language = query.get("language", "").strip().lower()
    filters = Filters(
        clc=clc if len(clc) == 1 and clc.isalpha() and clc.isascii() else "",
        location_id=_int(query.get("location"), low=1, high=2**31),
        year=_int(query.get("year"), low=1, high=9999),
        language=language if len(language) == 3 and language.isalpha() and language.isascii() else "",
        available=query.get("available") == "1",
    )
    return SearchParams(q=q, page=page_number(query.get("page")), filters=filters)


def month_param(value: str | None) -> dt.date | None:
    """`2026-11` → 1 November 2026; anything else → None."""
    if not value or len(value) != 7 or value[4] != "-":
        return None
    year, month = _int(value[:4], low=1900, high=2999), _int(value[5:], low=1, high=12)
    return dt.date(year, month, 1) if year and month else None


class SignInForm(forms.Form):
    """读者登录 — card number and password; refused at once while the card or the computer is locked out."""

    card = forms.CharField(label=_("借书证号"), max_length=64)
    password = forms.CharField(label=_("密码"), max_length=128, strip=False, widget=forms.PasswordInput)

    error_messages = {
        "invalid": _("借书证号或密码不正确。如果还没有密码，请找图书管理员设置。"),
        "locked": _("密码错误次数太多，请 15 分钟后再试。"),
    }

    def __init__(self, *args: Any, library: Library, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.library, self.request = library, request
        self.reader: Reader | None = None
        self.fields["card"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "characters", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        card, password = cleaned.get("card", ""), cleaned.get("password", "")
        if not card or not password:
            return cleaned
        if signin.is_locked(library=self.library, card=card, request=self.request):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        self.reader = signin.authenticate(library=self.library, card=card, password=password, request=self.request)
        if self.reader is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return cleaned


class ReadingListForm(forms.Form):
    title = forms.CharField(label=_("书目名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=ReadingList.Kind.choices, widget=forms.RadioSelect)
    grades = forms.ModelMultipleChoiceField(
        label=_("适用年级"),
        queryset=Grade.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示适用于全校。"),
    )
    note = forms.CharField(label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    published = forms.BooleanField(label=_("在公共检索中显示"), required=False, initial=True)

    def __init__(self, *args: Any, library: Library, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grades = self.fields["grades"]
        assert isinstance(grades, forms.ModelMultipleChoiceField)
        grades.queryset = Grade.objects.filter(library=library).order_by("number")


class EntryNoteForm(forms.Form):
    note = forms.CharField(label=_("推荐语"), required=False, max_length=300)


class ReaderPasswordForm(forms.Form):
    """设置密码: a typed password, or one made up here and shown once; or stop the reader signing in."""

    ACTIONS = ("set", "generate", "clear")

    action = forms.ChoiceField(choices=[(action, action) for action in ACTIONS])
    password = forms.CharField(label=_("新密码"), required=False, max_length=128, strip=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("action") == "set" and not cleaned.get("password"):
            self.add_error("password", _("请输入新密码，或选择“随机生成”。"))
        return cleaned


class ClassPasswordsForm(forms.Form):
    school_class = forms.ModelChoiceField(label=_("班级"), queryset=SchoolClass.objects.none())
    overwrite = forms.BooleanField(label=_("已有密码的读者也重新设置"), required=False)

    def __init__(self, *args: Any, library: Library, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school_class"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = SchoolClass.objects.filter(library=library, active=True).select_related("grade")
        field.empty_label = _("请选择班级")


class PasswordChangeForm(forms.Form):
    """修改密码 — the current password first (counted like a sign-in), then the new one twice."""

    current = forms.CharField(label=_("现在的密码"), max_length=128, strip=False, widget=forms.PasswordInput)
    new = forms.CharField(label=_("新密码"), max_length=128, strip=False, widget=forms.PasswordInput)
    again = forms.CharField(label=_("再输一次新密码"), max_length=128, strip=False, widget=forms.PasswordInput)

    def __init__(self, *args: Any, reader: Reader, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reader, self.request = reader, request

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not all(cleaned.get(name) for name in ("current", "new", "again")):
            return cleaned
        library, card = self.reader.library, self.reader.card_barcode
        if signin.is_locked(library=library, card=card, request=self.request):
            raise forms.ValidationError(SignInForm.error_messages["locked"], code="locked")
        if signin.authenticate(library=library, card=card, password=cleaned["current"], request=self.request) is None:
            self.add_error("current", _("现在的密码不对。"))
        elif cleaned["new"] != cleaned["again"]:
            self.add_error("again", _("两次输入的新密码不一样。"))
        return cleaned
