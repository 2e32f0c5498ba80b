"""Reader pages: people — the reader list and search, a reader's record, edits and photo, cards, export, privacy.

Who sees whom is decided on the server for every request: 管理员 and 馆员 see and edit every reader of their library,
a 教师 only looks at the pupils of the classes they are 班主任 of, a 学生馆员 sees readers only at the desk.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaotu.accounts.models import Role, User
from xiaotu.accounts.permissions import LIBRARY_WORK, SETTINGS, role_required, staff_of
from xiaotu.circulation.selectors import open_loans
from xiaotu.printing import services as printing
from xiaotu.printing.labels import LabelError
from xiaotu.readers import privacy, selectors, services
from xiaotu.readers.forms import (
    CardPrintForm,
    PhotoForm,
    ReaderFilterForm,
    ReaderForm,
    RetentionForm,
    reader_ids,
)
from xiaotu.readers.models import Reader
from xiaotu.schools.models import Library

LOOK = (*LIBRARY_WORK, Role.TEACHER)
PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 20


def _reader(user: User, library: Library, pk: int) -> Reader:
    """The reader if this user may see them; 404 otherwise, so a teacher cannot tell another class's pupil exists."""
    reader = (
        selectors.readers_visible_to(user=user, library=library)
        .select_related("library", "reader_type", "school_class", "school_class__grade")
        .filter(pk=pk)
        .first()
    )
    if reader is None:
        raise Http404
    return reader


def _refused(form: Any, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


# -- 读者名单 ---------------------------------------------------------------------------------------------------------


@role_required(*LOOK)
@require_GET
def reader_list(request: HttpRequest) -> HttpResponse:
    """读者名单 — search by name, 拼音, initials, 学号 or card; filter by class, grade, type and status; 50 a page."""
    user, library = staff_of(request)
    readers = selectors.readers_visible_to(user=user, library=library)
    classes = selectors.classes_visible_to(user=user, library=library)
    form = ReaderFilterForm(request.GET, library=library, classes=classes)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        rows = selectors.reader_rows(
            readers,
            q=data["q"],
            school_class=data["school_class"],
            grade=data["grade"],
            reader_type=data["reader_type"],
            status=data["status"],
        )
    else:
        rows = readers.none()
        status = 400
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    counts = selectors.loan_counts(readers=shown, today=timezone.localdate())
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [(reader, counts.get(reader.pk, selectors.LoanCounts())) for reader in shown],
        "query": query.urlencode(),
        "can_edit": user.has_role(*LIBRARY_WORK),
    }
    return render(request, "readers/people/list.html", context, status=status)


@role_required(*LOOK)
@require_GET
def reader_search(request: HttpRequest) -> HttpResponse:
    """The readers matching what was typed, as the options of a reader picker (htmx); used wherever a reader is
    asked for, and limited to the readers the user may see."""
    user, library = staff_of(request)
    q = request.GET.get("q", "")[:50]
    if not q.isprintable():
        q = ""
    readers = selectors.readers_visible_to(user=user, library=library)
    choices = selectors.reader_choices(readers=readers, q=q)
    return render(request, "readers/people/_choices.html", {"choices": choices, "q": q.strip()})


# -- 读者 -------------------------------------------------------------------------------------------------------------


@role_required(*LOOK)
@require_GET
def reader_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """读者 — details and photo, books out now, the loan history (20 a page) and cards reported lost."""
    user, library = staff_of(request)
    reader = _reader(user, library, pk)
    today = timezone.localdate()
    loans = list(open_loans(reader))
    history = Paginator(selectors.loan_history(reader), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "reader": reader,
        "loans": [(loan, loan.days_overdue(today)) for loan in loans],
        "history": history,
        "retired": list(selectors.retired_cards(reader)),
        "can_edit": user.has_role(*LIBRARY_WORK) and reader.erased_at is None,
        "can_export": user.has_role(*LIBRARY_WORK) and reader.erased_at is None,
        "formats": privacy.EXPORT_FORMATS,
    }
    return render(request, "readers/people/detail.html", context)


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def reader_new(request: HttpRequest) -> HttpResponse:
    """新增读者 — one reader typed in by hand (a roster import is the way for a whole class)."""
    user, library = staff_of(request)
    form = ReaderForm(request.POST or None, library=library)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            reader = services.reader_register(
                library=library,
                card_barcode=data["card_barcode"],
                name=data["name"],
                reader_type=data["reader_type"],
                school_class=data["school_class"],
                student_number=data["student_number"],
                student_id=data["student_id"],
                gender=data["gender"],
                by=user,
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("已添加读者 %(name)s。") % {"name": reader.name})
            return redirect("readers:reader_detail", pk=reader.pk)
    status = 400 if form.errors else 200
    return render(request, "readers/people/edit.html", {"form": form, "reader": None}, status=status)


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def reader_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """修改读者信息 — name, gender, class, type, 学号, 学籍号, suspend or reactivate; the photo has its own form."""
    user, library = staff_of(request)
    reader = _reader(user, library, pk)
    if reader.erased_at is not None:
        messages.error(request, _("这位读者的个人信息已经删除，不能再修改。"))
        return redirect("readers:reader_detail", pk=reader.pk)
    if request.method == "POST":
        form = ReaderForm(request.POST, library=library, reader=reader)
        if form.is_valid():
            try:
                services.reader_update(reader=reader, changes=form.changes(), by=user)
            except ValidationError as error:
                _refused(form, error)
            else:
                messages.success(request, _("已保存 %(name)s 的信息。") % {"name": form.cleaned_data["name"]})
                return redirect("readers:reader_detail", pk=reader.pk)
    else:
        form = ReaderForm(initial=_edit_initial(reader), library=library, reader=reader)
    context = {"form": form, "reader": reader, "photo_form": PhotoForm()}
    return render(request, "readers/people/edit.html", context, status=400 if form.errors else 200)


def _edit_initial(reader: Reader) -> dict[str, Any]:
    fields = ("name", "gender", "reader_type", "school_class", "student_number", "student_id", "status")
    return {name: getattr(reader, name) for name in fields}


# -- 照片 -------------------------------------------------------------------------------------------------------------


@role_required(*LOOK)
@require_GET
def reader_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """The reader's photo, to those who may see the reader; never cached by the browser or anything on the way."""
    user, library = staff_of(request)
    reader = _reader(user, library, pk)
    name = reader.photo.name or ""
    if not name or not default_storage.exists(name):
        raise Http404
    # Kept photos are small JPEGs (see services.photo_jpeg): read whole rather than streamed.
    with default_storage.open(name, "rb") as file:
        response = HttpResponse(file.read(), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@role_required(*LIBRARY_WORK)
@require_POST
def reader_photo_upload(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff_of(request)
    reader = _reader(user, library, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.reader_photo_set(reader=reader, photo=form.cleaned_data["photo"], by=user)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("照片已更新。"))
            return redirect("readers:reader_edit", pk=reader.pk)
    edit = ReaderForm(initial=_edit_initial(reader), library=library, reader=reader)
    context = {"form": edit, "reader": reader, "photo_form": form}
    return render(request, "readers/people/edit.html", context, status=400)


@role_required(*LIBRARY_WORK)
@require_POST
def reader_photo_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff_of(request)
    reader = _reader(user, library, pk)
    try:
        services.reader_photo_set(reader=reader, photo=None, by=user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("照片已删除。"))
    return redirect("readers:reader_edit", pk=reader.pk)


# -- 导出个人信息 ---------------------------------------------------------------------------------------------------


@role_required(*LIBRARY_WORK)
@require_POST
def reader_export(request: HttpRequest, pk: int) -> HttpResponse:
    """导出个人信息 — the reader's own data as JSON or Excel, to hand to them or their parents (audited)."""
    user, library = staff_of(request)
    reader = _reader(user, library, pk)
    try:
        export = privacy.reader_export(reader=reader, fmt=request.POST.get("format", ""), by=user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("readers:reader_detail", pk=reader.pk)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response


# -- 打印借书证 -----------------------------------------------------------------------------------------------------


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def card_print(request: HttpRequest) -> HttpResponse:
    """打印借书证 — class by class, or the readers picked (?reader=<id> for one: the lost-card page links here);
    the answer is the PDF itself, or the form saying what is wrong."""
    _user, library = staff_of(request)
    source = request.POST if request.method == "POST" else request.GET
    picked_ids = reader_ids(source.getlist("reader"))
    options = printing.card_options(library=library)
    initial: dict[str, Any] = {
        "source": "readers" if picked_ids else "classes",
        "layout": printing.default_layout(library=library, kind=printing.CARD),
        "school_name": library.name,
        "start": 1,
        "show_photo": True,
    }
    printing_now = request.method == "POST" and source.get("print") == "1"
    form = CardPrintForm(source if printing_now else None, library=library, layouts=options, initial=initial)
    picked = selectors.readers_for_cards(library=library, ids=picked_ids) if picked_ids else []
    if printing_now and form.is_valid():
        data = form.cleaned_data
        if data["source"] == "readers" and not picked:
            form.add_error(None, _("请先选择要打印借书证的读者。"))
        else:
            try:
                layout = printing.resolve_layout(library=library, value=data["layout"])
                readers = (
                    picked
                    if data["source"] == "readers"
                    else selectors.readers_for_cards(library=library, classes=list(data["classes"]))
                )
                pdf = printing.reader_cards_pdf(
                    readers=readers,
                    layout=layout,
                    start=data["start"],
                    school_name=data["school_name"],
                    show_photo=data["show_photo"],
                )
            except (LabelError, ValidationError) as error:
                messages_ = error.messages if isinstance(error, ValidationError) else [str(error)]
                for message in messages_:
                    form.add_error(None, message)
            else:
                response = HttpResponse(pdf, content_type="application/pdf")
                response["Content-Disposition"] = 'inline; filename="library-cards.pdf"'
                response["Cache-Control"] = "no-store"
                return response
    context = {
        "form": form,
        "picked": picked,
        "class_groups": selectors.classes_for_cards(library=library),
        "checked": set(reader_ids(source.getlist("classes"))),
    }
    return render(request, "readers/people/cards.html", context, status=400 if form.errors else 200)


# -- 隐私设置 -------------------------------------------------------------------------------------------------------


@role_required(*SETTINGS)
@require_http_methods(["GET", "POST"])
def reader_privacy(request: HttpRequest) -> HttpResponse:
    """隐私设置 — how long the personal data of readers who left is kept, and erasing what is due now."""
    user, library = staff_of(request)
    today = timezone.localdate()
    action = request.POST.get("action", "")
    form = RetentionForm(
        request.POST if action == "save" else None, initial={"reader_retention_days": library.reader_retention_days}
    )
    if request.method == "POST":
        if action == "erase":
            erased = privacy.readers_erase_expired(library=library, today=today, by=user)
            messages.success(request, _("已删除 %(n)d 位离校读者的个人信息。") % {"n": erased})
            return redirect("readers:reader_privacy")
        if action != "save":
            messages.error(request, _("请求无法识别，请重新提交。"))
            return redirect("readers:reader_privacy")
        if form.is_valid():
            try:
                privacy.reader_retention_set(library=library, days=form.cleaned_data["reader_retention_days"], by=user)
            except ValidationError as error:
                _refused(form, error)
            else:
                messages.success(request, _("隐私设置已保存。"))
                return redirect("readers:reader_privacy")
    context = {
        "form": form,
        "due": privacy.readers_due_for_erasure(library=library, today=today).count(),
        "erased": Reader.objects.filter(library=library, erased_at__isnull=False).count(),
    }
    return render(request, "readers/people/privacy.html", context, status=400 if form.errors else 200)


urlpatterns: list[URLPattern] = [
    path("", reader_list, name="reader_list"),
    path("search/", reader_search, name="reader_search"),
    path("new/", reader_new, name="reader_new"),
    path("<int:pk>/", reader_detail, name="reader_detail"),
    path("<int:pk>/edit/", reader_edit, name="reader_edit"),
    path("<int:pk>/photo/", reader_photo, name="reader_photo"),
    path("<int:pk>/photo/upload/", reader_photo_upload, name="reader_photo_upload"),
    path("<int:pk>/photo/remove/", reader_photo_remove, name="reader_photo_remove"),
    path("<int:pk>/export/", reader_export, name="reader_export"),
    path("cards/", card_print, name="card_print"),
    path("privacy/", reader_privacy, name="reader_privacy"),
]
