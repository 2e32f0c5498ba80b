"""The librarian's side of the OPAC: curating reading lists, and readers' OPAC passwords (one reader or a class)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xiaotu.accounts.models import User
from xiaotu.accounts.permissions import LIBRARY_WORK, role_required, staff_of
from xiaotu.catalogue.models import Record
from xiaotu.opac import selectors, services
from xiaotu.opac.forms import (
    ClassPasswordsForm,
    EntryNoteForm,
    ReaderPasswordForm,
    ReadingListForm,
    search_params,
)
from xiaotu.opac.models import ReadingList, ReadingListEntry
from xiaotu.opac.services import OpacRefused
from xiaotu.readers.models import Reader
from xiaotu.search.selectors import search

SEARCH_SIZE = 10


def _list_fields(form: ReadingListForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "kind": data["kind"],
        "grades": list(data["grades"]),
        "note": data["note"],
        "published": data["published"],
    }


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def list_index(request: HttpRequest) -> HttpResponse:
    """推荐书目管理 — the library's lists in their order, and a form for a new one."""
    user, library = staff_of(request)
    form = ReadingListForm(request.POST or None, library=library, initial={"kind": "required", "published": True})
    if request.method == "POST" and form.is_valid():
        try:
            created = services.reading_list_create(library_id=library.pk, **_list_fields(form), by=user)
        except OpacRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("已新建书目《%(title)s》，现在可以加书了。") % {"title": created.title})
            return redirect("opac:manage_list", pk=created.pk)
    context = {"form": form, "lists": selectors.staff_reading_lists(library=library), "library": library}
    return render(request, "opac/manage/lists.html", context, status=400 if form.errors else 200)


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def list_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """One list: its fields, its books in order with a note each, and a catalogue search to add more."""
    user, library = staff_of(request)
    reading_list = get_object_or_404(ReadingList, library=library, pk=pk)
    form = ReadingListForm(
        request.POST or None,
        library=library,
        initial={
            "title": reading_list.title,
            "kind": reading_list.kind,
            "grades": list(reading_list.grades.all()),
            "note": reading_list.note,
            "published": reading_list.published,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.reading_list_update(reading_list=reading_list, **_list_fields(form), by=user)
        except OpacRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("书目已保存。"))
            return redirect("opac:manage_list", pk=reading_list.pk)
    params = search_params(request.GET)
    found = (
        search(library=library, q=params.q, page=params.page, per_page=SEARCH_SIZE, public=False) if params.q else None
    )
    entries = selectors.reading_list_entries(reading_list)
    context = {
        "form": form,
        "reading_list": reading_list,
        "entries": entries,
        "listed": {entry.record_id for entry in entries},
        "q": params.q,
        "found": found,
        "library": library,
    }
    return render(request, "opac/manage/list_edit.html", context, status=400 if form.errors else 200)


@role_required(*LIBRARY_WORK)
@require_POST
def list_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff_of(request)
    reading_list = get_object_or_404(ReadingList, library=library, pk=pk)
    record_id = request.POST.get("record", "")
    wellformed = record_id.isdigit() and len(record_id) < 19
    record = Record.objects.filter(library=library, pk=record_id).first() if wellformed else None
    if record is None:
        messages.error(request, _("没有找到这本书。"))
    else:
        try:
            services.reading_list_add(reading_list=reading_list, record=record, by=user)
        except OpacRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("已加入《%(title)s》。") % {"title": record.title})
    return _redirect_keeping_search(reading_list, request)


def _redirect_keeping_search(reading_list: ReadingList, request: HttpRequest) -> HttpResponse:
    """Back to the list, with the search the librarian was adding from still open."""
    response = redirect("opac:manage_list", pk=reading_list.pk)
    q = request.POST.get("q", "").strip()[:200]
    if q:
        response["Location"] += "?" + urlencode({"q": q}) + "#add"
    return response


def _entry(request: HttpRequest, pk: int, entry_id: int) -> tuple[User, ReadingListEntry]:
    user, library = staff_of(request)
    entry = get_object_or_404(
        ReadingListEntry.objects.select_related("reading_list__library", "record"),
        reading_list__library=library,
        reading_list_id=pk,
        pk=entry_id,
    )
    return user, entry


@role_required(*LIBRARY_WORK)
@require_POST
def entry_action(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    """One entry: save its note, move it up or down, or take it off the list."""
    user, entry = _entry(request, pk, entry_id)
    action = request.POST.get("action", "")
    if action == "note":
        form = EntryNoteForm(request.POST)
        if form.is_valid():
            services.reading_list_entry_note(entry=entry, note=form.cleaned_data["note"], by=user)
            messages.success(request, _("推荐语已保存。"))
        else:
            messages.error(request, _("推荐语最多 300 字。"))
    elif action in ("up", "down"):
        services.reading_list_move(entry=entry, up=action == "up", by=user)
    elif action == "remove":
        services.reading_list_remove(entry=entry, by=user)
        messages.success(request, _("已从书目中移除《%(title)s》。") % {"title": entry.record.title})
    return redirect(f"{_list_url(pk)}#entries")


def _list_url(pk: int) -> str:
    return reverse("opac:manage_list", kwargs={"pk": pk})


@role_required(*LIBRARY_WORK)
@require_POST
def list_action(request: HttpRequest, pk: int) -> HttpResponse:
    """A whole list: move it among the others, or delete it (its books stay in the catalogue)."""
    user, library = staff_of(request)
    reading_list = get_object_or_404(ReadingList, library=library, pk=pk)
    action = request.POST.get("action", "")
    if action in ("up", "down"):
        services.reading_list_move_list(reading_list=reading_list, up=action == "up", by=user)
    elif action == "delete":
        services.reading_list_delete(reading_list=reading_list, by=user)
        messages.success(request, _("已删除书目《%(title)s》。") % {"title": reading_list.title})
    return redirect("opac:manage_lists")


# -- 公共检索密码 ----------------------------------------------------------------------------------------------------


@role_required(*LIBRARY_WORK)
@require_POST
def reader_password(request: HttpRequest, pk: int) -> HttpResponse:
    """From the staff reader page: set a typed password, make one up and show it once, or stop OPAC sign-in."""
    user, library = staff_of(request)
    reader = get_object_or_404(Reader.objects.select_related("library"), library=library, pk=pk)
    form = ReaderPasswordForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("readers:reader_detail", pk=reader.pk)
    action = form.cleaned_data["action"]
    try:
        if action == "clear":
            services.reader_password_clear(reader=reader, by=user)
            messages.success(request, _("已停用 %(name)s 的公共检索登录。") % {"name": reader.name})
        else:
            password = form.cleaned_data["password"] if action == "set" else services.random_password()
            services.reader_password_set(reader=reader, password=password, by=user)
            if action == "set":
                messages.success(request, _("已为 %(name)s 设置公共检索密码。") % {"name": reader.name})
            else:
                messages.success(
                    request,
                    _("%(name)s 的新密码是 %(password)s，请抄给读者；离开本页后不再显示。")
                    % {"name": reader.name, "password": password},
                )
    except OpacRefused as refusal:
        messages.error(request, refusal.message)
    return redirect("readers:reader_detail", pk=reader.pk)


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def class_passwords(request: HttpRequest) -> HttpResponse:
    """批量设置初始密码 — a class at a time: each pupil's password becomes the last six digits of their 学号."""
    user, library = staff_of(request)
    form = ClassPasswordsForm(request.POST or None, library=library)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = services.class_passwords_from_student_numbers(
            school_class=form.cleaned_data["school_class"], overwrite=form.cleaned_data["overwrite"], by=user
        )
    context = {"form": form, "outcome": outcome, "library": library}
    return render(request, "opac/manage/class_passwords.html", context, status=400 if form.errors else 200)
